// Messages between the console's webview (webview/console/main.ts) and its
// host (extension/console/consolePanel.ts). Both import this file.

export type ToConsole =
  /** The shell's output for an `execute` request ('\n' line ends, 16-colour ANSI). */
  | { type: 'executed'; inReplyTo: number; output: string; isError?: boolean }
  /** Tab completion: a chosen candidate replaces line[start, end). */
  | { type: 'completed'; inReplyTo: number; start: number; end: number; candidates: string[] }
  /** Keys to handle as if typed (tests, and text sent from the editor); answered by `inputDone` once every line they finish has its output. */
  | { type: 'input'; messageId: number; data: string }
  /** Asks for the terminal's text; answered by `screen`. */
  | { type: 'readScreen'; messageId: number };

export type FromConsole =
  | { type: 'ready' }
  | { type: 'execute'; messageId: number; line: string; columns: number }
  | { type: 'complete'; messageId: number; line: string; cursor: number }
  | { type: 'inputDone'; inReplyTo: number }
  | { type: 'screen'; inReplyTo: number; text: string };

/** What the webview keeps with vscode.setState, so the console comes back as it was when the panel is shown again. */
export interface ConsoleState {
  readonly history: readonly string[];
  /** The latest lines run and their output, oldest first. */
  readonly transcript: readonly { readonly line: string; readonly output: string }[];
}
