// What the console's webview (webview/console/main.ts) and its host
// (extension/console/consolePanel.ts) say to each other, over webview/protocol/rpc.ts.

export interface ConsoleProtocol {
  hostRequests: {
    /** Runs a line in the shell; the output has '\n' line ends and 16-colour ANSI. */
    execute: { params: { line: string; columns: number }; result: { output: string; isError?: boolean } };
    /** Tab completion: a chosen candidate replaces line[start, end). */
    complete: { params: { line: string; cursor: number }; result: { start: number; end: number; candidates: string[] } };
  };
  viewRequests: {
    /** Keys to handle as if typed (tests, and text sent from the editor); answered once every line they finish has its output. */
    input: { params: { data: string }; result: void };
    /** The terminal's text, one line per row, trailing blank rows removed. */
    readScreen: { params: Record<string, never>; result: { text: string } };
  };
  hostEvents: Record<string, never>;
  viewEvents: Record<string, never>;
}

/** What the webview keeps with vscode.setState, so the console comes back as it was when the panel is shown again. */
export interface ConsoleState {
  readonly history: readonly string[];
  /** The latest lines run and their output, oldest first. */
  readonly transcript: readonly { readonly line: string; readonly output: string }[];
}
