// The canvas colours, read from VS Code's theme variables so the trace view
// follows the theme; read again when the theme changes.

export interface Palette {
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly laneStripe: string;
  readonly groupBand: string;
  readonly grid: string;
  readonly running: string;
  readonly blocked: string;
  readonly kernel: string;
  readonly request: string;
  readonly reply: string;
  readonly message: string;
  readonly notify: string;
  readonly interrupt: string;
  readonly dma: string;
  readonly error: string;
  readonly restart: string;
  readonly selection: string;
  readonly highlight: string;
  /** The debugger's current time on the timeline. */
  readonly debugMarker: string;
  readonly rangeFill: string;
  readonly density: string;
  readonly font: string;
}

/** Reads the palette from the CSS variables VS Code sets on the webview's document. */
export function readPalette(element: Element = document.body): Palette {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', '#cccccc'));
  const background = v('--vscode-editor-background', '#1e1e1e');
  const dark = isDark(background);
  const family = v('--vscode-font-family', 'system-ui, sans-serif');
  const size = v('--vscode-font-size', '12px');
  return {
    background,
    foreground,
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#6c6c6c'),
    laneStripe: v('--vscode-list-hoverBackground', dark ? '#2a2d2e' : '#f0f0f0'),
    groupBand: v('--vscode-sideBarSectionHeader-background', dark ? '#333333' : '#e4e4e4'),
    grid: v('--vscode-editorIndentGuide-background1', v('--vscode-editorIndentGuide-background', dark ? '#404040' : '#d3d3d3')),
    running: v('--vscode-charts-green', '#388a34'),
    blocked: v('--vscode-charts-blue', '#1a85ff'),
    kernel: v('--vscode-charts-orange', '#d18616'),
    request: v('--vscode-charts-blue', '#1a85ff'),
    reply: v('--vscode-charts-green', '#388a34'),
    message: v('--vscode-charts-foreground', foreground),
    notify: v('--vscode-charts-purple', '#652d90'),
    interrupt: v('--vscode-charts-yellow', '#cca700'),
    dma: v('--vscode-terminal-ansiCyan', dark ? '#11a8cd' : '#0598bc'),
    error: v('--vscode-charts-red', v('--vscode-errorForeground', '#e51400')),
    restart: v('--vscode-charts-green', '#388a34'),
    selection: v('--vscode-focusBorder', '#007fd4'),
    highlight: v('--vscode-editor-findMatchHighlightBorder', v('--vscode-charts-yellow', '#cca700')),
    debugMarker: v('--vscode-debugIcon-breakpointCurrentStackframeForeground', v('--vscode-charts-orange', '#d18616')),
    rangeFill: v('--vscode-editor-selectionBackground', dark ? '#264f78' : '#add6ff'),
    density: v('--vscode-charts-lines', v('--vscode-descriptionForeground', '#888888')),
    font: `${size} ${family}`,
  };
}

function isDark(colour: string): boolean {
  const m = /^#([0-9a-f]{6})/i.exec(colour);
  if (!m) return !document.body.classList.contains('vscode-light');
  const n = parseInt(m[1]!, 16);
  const luminance = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance < 128;
}

/** Calls `changed` whenever VS Code switches the theme (it rewrites the body's class and the root's style). */
export function onThemeChange(changed: () => void): void {
  const observer = new MutationObserver(() => changed());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
