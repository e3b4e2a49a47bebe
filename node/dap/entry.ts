// Entry point of dist/simulator.js, the one bundle of the simulator the
// extension ships. Started as a worker thread, it is the editor's simulator
// worker (node/worker/worker.ts); started as a process, it is the debug
// adapter VS Code runs for a debug session (node/dap/main.ts). One bundle
// instead of two keeps the package small: each used to hold the whole
// simulator and its source map.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) void import('./main');
else void import('../worker/worker');
