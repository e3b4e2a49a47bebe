// What the `microkernel` debug adapter (node/dap) and the editor (extension/)
// say to each other beyond the Debug Adapter Protocol: the custom request that
// moves a session to a trace event (the trace view's "Debug from here") and the
// custom event that says where each stop stands (the trace view marks it).

/** The custom request: arguments GoToEventArguments; refused when `system` is not the one debugged. */
export const GO_TO_EVENT_REQUEST = 'microkernelLab.goToEvent';
/** The custom event sent with every stop: body DebugPosition. */
export const POSITION_EVENT = 'microkernelLab.debugPosition';

/** Which system a session debugs, as a trace names the system it came from. */
export interface DebuggedSystem {
  readonly scenario: string;
  readonly configuration: string;
  readonly seed: number;
}

export interface GoToEventArguments {
  /** The event's sequence number in the run's trace. */
  readonly seq: number;
  /** What the trace says of it: the debugger checks that its run recorded the same event there. */
  readonly timeCycles?: number;
  readonly kind?: number;
  /** The system the trace comes from; the request is refused if the session debugs another. */
  readonly system?: DebuggedSystem;
}

/** Where the debugged system stands at a stop. */
export interface DebugPosition {
  readonly system: DebuggedSystem;
  /** The stop's moment: the kernel entry's time, or the system's time between entries. */
  readonly nowCycles: number;
  readonly clockHz: number;
  /** The trace's end at the stop: the events numbered below it have happened. */
  readonly traceSeq: number;
  /** The process stopped at, when the stop is at a kernel entry. */
  readonly process?: string;
  /** The trace event the session was moved to, when it was. */
  readonly eventSeq?: number;
}
