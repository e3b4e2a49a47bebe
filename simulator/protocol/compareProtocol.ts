// The architecture comparison's requests to the simulator worker (the
// benchmark view's): the choices it offers, a run with progress events and a
// cancel, and the report, which is simulator/bench/compare.ts's CompareReport
// as data. Part of the host ↔ worker channel; see workerProtocol.ts.

export interface CompareCyclesData {
  readonly total: number;
  readonly user: number;
  readonly kernel_entry: number;
  readonly message_copy: number;
  readonly context_switch: number;
  readonly iommu: number;
  readonly interrupt: number;
  readonly device: number;
}

export interface CompareResultData {
  readonly config: string;
  readonly ops: number;
  readonly throughput_ops_per_s: number;
  readonly latency_ns: { readonly p50: number; readonly p99: number; readonly p999: number; readonly mean: number } | null;
  readonly context_switches_per_op: number;
  readonly kernel_entries_per_op: number;
  readonly cycles_per_op: CompareCyclesData;
}

export interface CompareReportData {
  readonly workload: string;
  readonly profile: string;
  readonly seeds: readonly number[];
  readonly durationSeconds: number;
  readonly results: readonly CompareResultData[];
  readonly spread?: readonly { readonly config: string; readonly min: CompareResultData; readonly max: CompareResultData }[];
}

export interface CompareChoices {
  readonly workloads: readonly { readonly name: string; readonly description: string }[];
  readonly configurations: readonly { readonly name: string; readonly description: string }[];
  readonly profiles: readonly string[];
  readonly defaultProfile: string;
}

export interface CompareRunParams {
  readonly workload: string;
  readonly configurations: readonly string[];
  readonly profile: string;
  /** Runs per configuration, seeds 1..seeds. */
  readonly seeds: number;
  readonly durationSeconds: number;
}

/** A finished comparison, or one cancelled before its last run (then no report). */
export interface CompareOutcome {
  readonly report: CompareReportData | null;
  readonly cancelled: boolean;
  /** The report as a Markdown table and as CSV, as `mklab bench compare` prints them; empty when cancelled. */
  readonly markdown: string;
  readonly csv: string;
}

export interface CompareRequests {
  compareChoices: { params: Record<string, never>; result: CompareChoices };
  /** Runs the comparison, one run after another, with a compareProgress event after each; one at a time. */
  compareRun: { params: CompareRunParams; result: CompareOutcome };
  /**
   * Runs one configuration of a comparison again (seed 1) with its trace on
   * and saves the trace to `file` (.mktrace), for the trace view.
   */
  compareTrace: { params: Omit<CompareRunParams, 'configurations' | 'seeds'> & { readonly configuration: string; readonly file: string }; result: { readonly file: string; readonly events: number } };
  /** Stops the comparison under way after the run in progress; false when none runs. */
  compareCancel: { params: Record<string, never>; result: { readonly cancelling: boolean } };
}

export interface CompareProgress {
  readonly done: number;
  readonly total: number;
  /** The configuration whose run just finished. */
  readonly config: string;
}
