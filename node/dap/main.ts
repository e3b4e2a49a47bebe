// The debug adapter (dist/simulator.js started as a process; node/dap/entry.ts): a Node program that
// speaks the Debug Adapter Protocol on stdin/stdout and runs its own simulator,
// so that a debug session never runs the simulation on the editor's thread.
import { DebugSession } from '@vscode/debugadapter';
import { MicrokernelDebugSession } from './adapter';

// Run it with --enable-source-maps (the editor does): kernel entries are located by
// stack traces, and only then do they name the drivers' TypeScript lines.
// A kernel entry's frames come from a stack trace: keep enough of it to see the
// program's helpers that led to the entry (the engine keeps 10 by default).
Error.stackTraceLimit = 64;
DebugSession.run(MicrokernelDebugSession);
