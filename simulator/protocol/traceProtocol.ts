// The trace views' requests to the simulator worker: windows of events at a
// resolution, details, search, export. Part of the host ↔ worker channel; see workerProtocol.ts.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the trace views
export interface TraceRequests {}
