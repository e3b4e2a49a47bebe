// The fault campaign's requests to the simulator worker (the campaign view's):
// the choices it offers, a run with progress events and a cancel, and the
// trace of one trial. The summary is simulator/campaign/campaign.ts's
// CampaignSummary as data. Part of the host ↔ worker channel; see workerProtocol.ts.

export interface CampaignRowData {
  readonly type: string;
  readonly configuration: string;
  readonly trials: number;
  readonly faults: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly survival: number;
  readonly harmful: readonly { readonly index: number; readonly id: string; readonly outcome: string; readonly reason: string }[];
}

export interface CampaignSummaryData {
  readonly trials: number;
  readonly faultsInjected: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly rows: readonly CampaignRowData[];
  readonly missingTrials: number;
}

export interface CampaignChoices {
  readonly types: readonly { readonly name: string; readonly description: string }[];
  readonly configurations: readonly { readonly name: string; readonly description: string }[];
  /** The outcome classes, least severe first, with what each means. */
  readonly outcomes: readonly { readonly name: string; readonly description: string }[];
}

export interface CampaignRunParams {
  readonly types: readonly string[];
  readonly configurations: readonly string[];
  readonly faults: number;
  readonly faultsPerTrial: number;
  readonly seed: number;
}

/** A campaign that ran to its end, or was cancelled (then the summary holds the trials done). */
export interface CampaignOutcome {
  readonly summary: CampaignSummaryData;
  readonly cancelled: boolean;
  /** The survival table as `mklab campaign` prints it. */
  readonly markdown: string;
}

export interface CampaignRequests {
  campaignChoices: { params: Record<string, never>; result: CampaignChoices };
  /** Runs the campaign's trials one after another, with a campaignProgress event after each; one campaign at a time. */
  campaignRun: { params: CampaignRunParams; result: CampaignOutcome };
  /** Runs one trial again from its id and saves its trace to `file` (.mktrace), for the trace view. */
  campaignTrace: {
    params: { readonly id: string; readonly file: string };
    result: { readonly file: string; readonly events: number; readonly outcome: string; readonly reason: string };
  };
  /** Stops the campaign under way after the trial in progress; false when none runs. */
  campaignCancel: { params: Record<string, never>; result: { readonly cancelling: boolean } };
}

export interface CampaignProgress {
  readonly done: number;
  readonly total: number;
  /** The summary of the trials done so far. */
  readonly summary: CampaignSummaryData;
}
