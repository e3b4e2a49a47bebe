// The console's requests to the simulator worker (the MINIX-like shell).
// Part of the host ↔ worker channel; see workerProtocol.ts.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the console
export interface ConsoleRequests {}
