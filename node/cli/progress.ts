// A one-line progress bar for long runs on a terminal; silent when the stream is not a TTY.

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export class ProgressBar {
  private lastDrawn = -1;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
  ) {}

  /** Draws `done` of `total`, with `detail` after the bar; redraws only when the shown percentage changes. */
  update(done: number, total: number, detail: string): void {
    if (!this.stream.isTTY || total <= 0) return;
    const percent = Math.min(100, Math.floor((done / total) * 100));
    if (percent === this.lastDrawn) return;
    this.lastDrawn = percent;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - detail.length - 12));
    const filled = Math.round((percent / 100) * width);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${detail}\x1b[K`);
  }

  finish(): void {
    if (this.stream.isTTY && this.lastDrawn >= 0) this.stream.write('\r\x1b[K');
  }
}
