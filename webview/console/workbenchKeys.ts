// Which key presses the console's terminal leaves to the workbench. xterm.js takes
// every key it can turn into terminal input and stops it there, so without this the
// editor's own shortcuts (F1 for the command palette above all) do nothing while the
// console has focus. The rule: a key goes to the workbench when the shell has no use
// for it and VS Code binds it everywhere. Pure functions, no DOM.

/** The parts of a KeyboardEvent the decision needs. */
export interface KeyPress {
  readonly key: string;
  /** The legacy key code: xterm.js derives what Ctrl+<key> sends from it, so the letters are judged the same way. */
  readonly keyCode: number;
  readonly ctrlKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
}

/** Keys that edit or move in the line editor, with or without modifiers, and Escape: the terminal's. */
const EDITING = new Set([
  'Enter', 'Backspace', 'Delete', 'Insert', 'Escape',
  'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown',
]);

/** Keys that are only a modifier or start a composition: nothing to decide on yet. */
const NOT_A_KEY = new Set(['Control', 'Shift', 'Alt', 'AltGraph', 'Meta', 'OS', 'CapsLock', 'Dead', 'Process', 'Unidentified', '']);

const FUNCTION_KEY = /^F([1-9]|1[0-9]|2[0-4])$/;

function isLetter(k: KeyPress): boolean {
  return k.keyCode >= 65 && k.keyCode <= 90;
}

/**
 * Whether the workbench, not the terminal, gets this key:
 *
 * - F1-F24 with any modifiers. The shell reads no function key; VS Code binds F1 (the command
 *   palette), F5, F9, F10 and F11 (the debugger, this extension's driver debugger included), F2,
 *   F8, F12, ...
 * - Ctrl+Shift+<key> and Cmd+Shift+<key>, e.g. Ctrl+Shift+P (the palette), Ctrl+Shift+` (a new
 *   terminal), Ctrl+Shift+E/F/G/D/X (the views), Ctrl+Shift+Tab. The shell's control keys are
 *   all unshifted.
 * - Ctrl or Cmd with a key that is not a letter: Ctrl+` (the panel), Ctrl+1-9 (editor groups),
 *   Ctrl+\ (split), Ctrl+, (settings), Ctrl+Tab (editors), Ctrl+= and Ctrl+- (zoom). The shell
 *   reads none of the control characters a terminal sends for these.
 *
 * The terminal keeps everything else: text; Enter, Backspace, Tab, the arrows and the other
 * editing keys, with any modifiers; Ctrl+<letter>, which the shell uses (Ctrl+C, Ctrl+P and
 * Ctrl+N for history, Ctrl+A/E/B/F/U/K/W/L/D) or ignores harmlessly, so Ctrl+P stays the
 * shell's previous line rather than VS Code's Quick Open, and Ctrl+J stays Enter, as in a
 * terminal; Cmd+<letter>; and Alt with anything (Alt+B and Alt+F move by words; Ctrl+Alt is
 * AltGr on Windows, which types characters).
 */
export function isWorkbenchKey(k: KeyPress): boolean {
  if (FUNCTION_KEY.test(k.key)) return true;
  if (NOT_A_KEY.has(k.key) || EDITING.has(k.key) || k.altKey) return false;
  if (!k.ctrlKey && !k.metaKey) return false;
  if (k.shiftKey) return true;
  return !isLetter(k);
}

/**
 * Whether a key the workbench gets should also be kept from the browser's own handling of it
 * in the page. The terminal used to cancel these, and in a browser-hosted workbench their
 * defaults would act on the page: F5 reloads, F11 goes full screen, F12 opens the developer
 * tools, Ctrl+1 switches the browser's tab. The webview still hands the key to the workbench
 * (it does so whether or not the default was prevented). Ctrl/Cmd+Shift+<letter> keep their
 * defaults, as they always had (xterm.js never took them): Ctrl+Shift+V pastes into the terminal.
 */
export function keepsFromBrowser(k: KeyPress): boolean {
  return isWorkbenchKey(k) && !(k.shiftKey && isLetter(k) && !FUNCTION_KEY.test(k.key));
}
