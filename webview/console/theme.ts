// The terminal's colours and font from the workbench's theme: VS Code gives
// every webview its colours as --vscode-* CSS variables, the integrated
// terminal's among them (--vscode-terminal-ansiRed, ...).
import type { ITheme } from '@xterm/xterm';
import { READABLE_CONTRAST, withMinimumContrast } from './contrast';

const ANSI: readonly (keyof ITheme)[] = [
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white',
  'brightBlack', 'brightRed', 'brightGreen', 'brightYellow', 'brightBlue', 'brightMagenta', 'brightCyan', 'brightWhite',
];

function variable(style: CSSStyleDeclaration, name: string): string | undefined {
  const v = style.getPropertyValue(name).trim();
  return v === '' ? undefined : v;
}

/** The theme's variables by name, as the page's root element has them. */
type Variables = (name: string) => string | undefined;

export function terminalTheme(): ITheme {
  const style = getComputedStyle(document.documentElement);
  return themeFrom((name) => variable(style, name));
}

/**
 * The terminal's theme from the workbench's colour variables. The 16 ANSI colours are the
 * theme's own, except that each is made readable on the terminal's background: a theme's
 * ANSI colour may contrast poorly with it (the default light themes' yellow, #949800 on
 * white, has 3.1:1), and xterm's own correction (`minimumContrastRatio`) cannot be used here
 * (see main.ts). So a colour below WCAG's 4.5:1 is darkened on a light background, or
 * lightened on a dark one, keeping its hue, just enough to reach it, as VS Code's own
 * terminal does by default. The shell colours only text, never a cell's background.
 */
export function themeFrom(variables: Variables): ITheme {
  const v = (...names: string[]) => names.map(variables).find((x) => x !== undefined);
  const theme: Record<string, string> = {};
  const set = (key: keyof ITheme, value: string | undefined) => {
    if (value !== undefined) theme[key] = value;
  };
  const background = v('--vscode-terminal-background', '--vscode-panel-background', '--vscode-editor-background');
  const foreground = v('--vscode-terminal-foreground', '--vscode-editor-foreground', '--vscode-foreground');
  set('background', background);
  set('foreground', foreground);
  set('cursor', v('--vscode-terminalCursor-foreground') ?? foreground);
  set('cursorAccent', v('--vscode-terminalCursor-background') ?? background);
  set('selectionBackground', v('--vscode-terminal-selectionBackground', '--vscode-editor-selectionBackground'));
  set('selectionForeground', v('--vscode-terminal-selectionForeground'));
  const readable = (colour: string | undefined) =>
    colour === undefined || background === undefined ? colour : withMinimumContrast(colour, background, READABLE_CONTRAST);
  for (const name of ANSI) set(name, readable(v(`--vscode-terminal-ansi${name[0]!.toUpperCase()}${name.slice(1)}`)));
  return theme as ITheme;
}

export function terminalFont(): { fontFamily: string; fontSize: number } {
  const style = getComputedStyle(document.documentElement);
  const family = variable(style, '--vscode-editor-font-family') ?? 'monospace';
  const size = Number.parseFloat(variable(style, '--vscode-editor-font-size') ?? '');
  return { fontFamily: family, fontSize: Number.isFinite(size) && size >= 6 ? size : 13 };
}

/** Calls `changed` whenever the workbench switches theme (body class) or its colours (the variables on <html>). */
export function onThemeChange(changed: () => void): void {
  const observer = new MutationObserver(() => changed());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
