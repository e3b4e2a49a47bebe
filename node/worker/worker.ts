// The simulator's worker thread (dist/simulator.js started as a worker; node/dap/entry.ts): binds the
// worker service to the thread's message port.
import { parentPort } from 'node:worker_threads';
import type { HostToWorker, WorkerToHost } from '../../simulator/protocol/workerProtocol';
import { WorkerService } from './workerService';

if (!parentPort) throw new Error('simWorker must run in a worker thread');
const port = parentPort;
const service = new WorkerService((m: WorkerToHost) => port.postMessage(m));
port.on('message', (m: HostToWorker) => void service.handle(m));
