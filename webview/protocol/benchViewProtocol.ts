// What the benchmark view's page (webview/bench/main.ts) and its host
// (extension/panels/benchPanel.ts) say to each other, over webview/protocol/rpc.ts.
import type { CompareChoices, CompareOutcome, CompareProgress, CompareRunParams } from '../../simulator/protocol/compareProtocol';

/** The last comparison the view showed, kept by the host so that the view shows it again when reopened. */
export interface BenchResults {
  readonly params: CompareRunParams;
  readonly outcome: CompareOutcome;
}

/** What the page shows, as the tests read it. */
export interface BenchViewState {
  readonly status: string;
  readonly running: boolean;
  /** The results table's rows, one per configuration, cells joined by ' | '. */
  readonly rows: readonly string[];
  /** Each chart: its name, the series it draws and whether its canvas holds a drawing. */
  readonly charts: readonly { readonly name: string; readonly series: readonly string[]; readonly drawn: boolean }[];
}

export interface BenchViewProtocol {
  hostRequests: {
    choices: { params: Record<string, never>; result: CompareChoices };
    run: { params: CompareRunParams; result: CompareOutcome };
    cancel: { params: Record<string, never>; result: { readonly cancelling: boolean } };
    /** Saves the shown results as CSV or Markdown where the user chooses; null when the user cancels the dialog. */
    export: { params: { readonly format: 'csv' | 'md' }; result: { readonly saved: string | null } };
    /** The last results the view showed, if any. */
    lastResults: { params: Record<string, never>; result: BenchResults | null };
    /** Runs that configuration of the shown comparison again with its trace on, and opens the trace in the trace view. */
    openTrace: { params: { readonly config: string }; result: { readonly events: number } };
  };
  viewRequests: {
    /** Presses one of the page's buttons, as the user would (the tests' way in). */
    press: { params: { readonly button: 'run' | 'cancel' | 'export-csv' | 'export-md' }; result: Record<string, never> };
    /** Clicks a configuration's name in the results table, as the user would. */
    clickConfiguration: { params: { readonly config: string }; result: Record<string, never> };
    /** Sets the form, as the user would. */
    choose: { params: Partial<CompareRunParams>; result: Record<string, never> };
    state: { params: Record<string, never>; result: BenchViewState };
  };
  hostEvents: {
    progress: CompareProgress;
  };
  viewEvents: Record<string, never>;
}
