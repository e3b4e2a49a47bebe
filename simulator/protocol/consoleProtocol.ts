// The console's requests to the simulator worker (the MINIX-like shell of
// simulator/shell/, answered by node/worker/consoleHandlers.ts). Part of
// the host ↔ worker channel; see workerProtocol.ts.

export interface ConsoleRequests {
  /**
   * Runs one line at the shell. The output has '\n' line ends and ANSI colours
   * limited to the 16 named ones; errors come back as output, never as a
   * failed request. `columns` is the terminal's width.
   */
  consoleExecute: { params: { line: string; columns: number }; result: { output: string } };
  /**
   * Tab completion of the word that ends at `cursor`: commands, `service`
   * operations, service labels, fault types, paths on the CD. A chosen
   * candidate replaces line[start, end).
   */
  consoleComplete: {
    params: { line: string; cursor: number };
    result: { start: number; end: number; candidates: string[] };
  };
}
