// What the campaign view's page (webview/campaign/main.ts) and its host
// (extension/panels/campaignPanel.ts) say to each other, over webview/protocol/rpc.ts.
import type { CampaignChoices, CampaignOutcome, CampaignProgress, CampaignRunParams } from '../../simulator/protocol/campaignProtocol';

/** The last campaign the view showed, kept by the host so that the view shows it again when reopened. */
export interface CampaignResults {
  readonly params: CampaignRunParams;
  readonly outcome: CampaignOutcome;
}

/** What the page shows, as the tests read it. */
export interface CampaignViewState {
  readonly status: string;
  readonly running: boolean;
  /** The survival table's rows, one per fault type and configuration, cells joined by ' | '. */
  readonly rows: readonly string[];
  /** The trials listed as harmful: id, outcome and reason, joined by ' | '. */
  readonly harmful: readonly string[];
  /** The chart: the series it draws (one per configuration) and whether its canvas holds a drawing. */
  readonly chart: { readonly series: readonly string[]; readonly drawn: boolean } | null;
}

export interface CampaignViewProtocol {
  hostRequests: {
    choices: { params: Record<string, never>; result: CampaignChoices };
    run: { params: CampaignRunParams; result: CampaignOutcome };
    cancel: { params: Record<string, never>; result: { readonly cancelling: boolean } };
    /** The last results the view showed, if any. */
    lastResults: { params: Record<string, never>; result: CampaignResults | null };
    /** Runs a trial again from its id with its trace, and opens the trace in the trace view. */
    openTrial: { params: { readonly id: string }; result: { readonly events: number; readonly outcome: string } };
    /** Starts the debugger on a trial, stopped just before its fault. */
    debugTrial: { params: { readonly id: string }; result: { readonly started: boolean } };
    /** Copies the survival table (Markdown) to the clipboard. */
    copyTable: { params: Record<string, never>; result: Record<string, never> };
  };
  viewRequests: {
    /** Presses one of the page's buttons, as the user would (the tests' way in). */
    press: { params: { readonly button: 'run' | 'cancel' | 'copy' }; result: Record<string, never> };
    /** Clicks a harmful trial in the list, as the user would. */
    clickTrial: { params: { readonly id: string }; result: Record<string, never> };
    /** Clicks a harmful trial's Debug link, as the user would. */
    clickDebug: { params: { readonly id: string }; result: Record<string, never> };
    /** Sets the form, as the user would. */
    choose: { params: Partial<CampaignRunParams>; result: Record<string, never> };
    state: { params: Record<string, never>; result: CampaignViewState };
  };
  hostEvents: {
    progress: CampaignProgress;
  };
  viewEvents: Record<string, never>;
}
