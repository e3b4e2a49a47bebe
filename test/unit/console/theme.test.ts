// The console's terminal theme from the workbench's colour variables: the theme's own
// colours, with each ANSI colour made readable (4.5:1) on the terminal's background.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { themeFrom } from '../../../webview/console/theme';
import { contrastRatio, parseColour } from '../../../webview/console/contrast';

const ANSI = [
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white',
  'brightBlack', 'brightRed', 'brightGreen', 'brightYellow', 'brightBlue', 'brightMagenta', 'brightCyan', 'brightWhite',
] as const;

/** VS Code's default terminal colours for light and dark themes (its terminal colour registry). */
const LIGHT_ANSI = ['#000000', '#cd3131', '#107C10', '#949800', '#0451a5', '#bc05bc', '#0598bc', '#555555', '#666666', '#cd3131', '#14CE14', '#b5ba00', '#0451a5', '#bc05bc', '#0598bc', '#a5a5a5'];
const DARK_ANSI = ['#000000', '#cd3131', '#0DBC79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5', '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#e5e5e5'];

function variables(ansi: readonly string[], extra: Record<string, string>): (name: string) => string | undefined {
  const vars: Record<string, string> = { ...extra };
  ANSI.forEach((name, i) => (vars[`--vscode-terminal-ansi${name[0]!.toUpperCase()}${name.slice(1)}`] = ansi[i]!));
  return (name) => vars[name];
}

function ratio(a: string | undefined, b: string | undefined): number {
  const ca = parseColour(a ?? '');
  const cb = parseColour(b ?? '');
  assert.ok(ca && cb, `not colours: ${a}, ${b}`);
  return contrastRatio(ca, cb);
}

describe('console terminal theme', () => {
  it('makes the light theme\'s yellow readable on the panel\'s background (Light Modern: no terminal background, #F8F8F8)', () => {
    const theme = themeFrom(variables(LIGHT_ANSI, { '--vscode-panel-background': '#F8F8F8', '--vscode-editor-background': '#FFFFFF', '--vscode-terminal-foreground': '#3B3B3B' }));
    assert.equal(theme.background, '#F8F8F8');
    assert.equal(theme.foreground, '#3B3B3B');
    assert.ok(ratio(theme.yellow, theme.background) >= 4.5, `yellow ${theme.yellow}: ${ratio(theme.yellow, theme.background).toFixed(2)}`);
    for (const name of ANSI) {
      assert.ok(ratio(theme[name], theme.background) >= 4.5, `${name} ${theme[name]}: ${ratio(theme[name], theme.background).toFixed(2)}`);
    }
    // Colours that were readable already are the theme's, unchanged.
    assert.equal(theme.black, '#000000');
    assert.equal(theme.red, '#cd3131');
    assert.equal(theme.blue, '#0451a5');
    assert.equal(theme.brightBlack, '#666666');
  });

  it('measures against the terminal\'s own background when the theme has one (Light+ on white)', () => {
    const theme = themeFrom(variables(LIGHT_ANSI, { '--vscode-terminal-background': '#FFFFFF', '--vscode-panel-background': '#000000' }));
    assert.equal(theme.background, '#FFFFFF');
    assert.ok(ratio(theme.yellow, '#FFFFFF') >= 4.5, `yellow ${theme.yellow}`);
    assert.ok(ratio(theme.brightYellow, '#FFFFFF') >= 4.5, `bright yellow ${theme.brightYellow}`);
  });

  it('keeps a dark theme\'s colours, and lightens only the ones too dark for its background', () => {
    const theme = themeFrom(variables(DARK_ANSI, { '--vscode-panel-background': '#181818' }));
    assert.equal(theme.yellow, '#e5e510');
    assert.equal(theme.green, '#0DBC79');
    assert.equal(theme.brightRed, '#f14c4c');
    for (const name of ANSI) assert.ok(ratio(theme[name], '#181818') >= 4.5, `${name} ${theme[name]}`);
    // Red (#cd3131, 3.4:1) and black on #181818 are too dark: lightened.
    assert.notEqual(theme.red, '#cd3131');
    assert.notEqual(theme.black, '#000000');
  });

  it('leaves the colours alone when it does not know the background', () => {
    const theme = themeFrom(variables(LIGHT_ANSI, {}));
    assert.equal(theme.background, undefined);
    assert.equal(theme.yellow, '#949800');
  });
});
