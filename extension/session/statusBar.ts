// The status bar item: simulated time, running or paused, restarts so far; a click opens the console.
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import type { SessionStatus } from '../../simulator/protocol/workerProtocol';
import { cyclesToSeconds } from '../../simulator/time/time';

const ICONS: Readonly<Record<SessionStatus['state'], string>> = {
  idle: '$(circle-outline)',
  running: '$(play)',
  paused: '$(debug-pause)',
  finished: '$(pass)',
  panicked: '$(error)',
  stopped: '$(debug-stop)',
};

export class SessionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('microkernelLab.session', vscode.StatusBarAlignment.Left, 50);
  private shown = false;

  constructor() {
    this.item.name = 'Microkernel Lab';
    this.item.command = { command: CommandId.openConsole, title: 'Open Console' };
  }

  get text(): string {
    return this.item.text;
  }

  get visible(): boolean {
    return this.shown;
  }

  /** The command a click runs. */
  get command(): string | undefined {
    const c = this.item.command;
    return typeof c === 'string' ? c : c?.command;
  }

  update(status: SessionStatus | undefined): void {
    if (status === undefined || status.state === 'idle') {
      this.item.hide();
      this.item.text = '';
      this.shown = false;
      return;
    }
    const time = formatSimTime(status.nowCycles, status.clockHz);
    const restarts = `${status.restarts} restart${status.restarts === 1 ? '' : 's'}`;
    // A debug session's system is marked, so that it is not taken for the editor's own run.
    this.item.text = `${status.debugger === true ? '$(debug-alt) ' : ''}${ICONS[status.state]} ${time} · ${restarts}`;
    this.item.backgroundColor = status.state === 'panicked' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const speed = status.speed === 0 ? 'as fast as possible' : `${status.speed}× real time${status.lagging ? ' (cannot keep up)' : ''}`;
    const tip = new vscode.MarkdownString(
      [
        `**Microkernel Lab** — ${status.name ?? 'system'} (${status.configuration ?? ''}): **${status.state}**${status.debugger === true ? ' under the debugger' : ''}`,
        `Simulated time ${time}${status.untilCycles === null ? '' : ` of ${formatSimTime(status.untilCycles, status.clockHz)}`}, ${speed}`,
        `${restarts} by the reincarnation server`,
        ...(status.message ? [status.message] : []),
        'Click to open the console.',
      ].join('\n\n'),
    );
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `Microkernel Lab ${status.state}, simulated time ${time}, ${restarts}` };
    this.item.show();
    this.shown = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** Simulated time as a status-bar clock: s, m:ss.s or h:mm:ss. */
export function formatSimTime(cycles: number, clockHz: number): string {
  const s = cyclesToSeconds(cycles, clockHz);
  if (s >= 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
  return `${s.toFixed(s < 10 ? 2 : 1)} s`;
}
