// The IPC bench's simulator process (started by bench.mjs, never by hand): one steady ping-pong
// simulator and the bare loop, measured on request. Each line on standard input asks for one
// measurement and gets one JSON line back:
//   window -> {"sim": msgs/s of 200,000 messages on the running simulator, "bare": msgs/s of the bare loop,
//              "traced": msgs/s of the bare loop writing each message and switch into a trace ring}
//   cold   -> {"cold": [msgs/s of 3 fresh simulators]}
// This process starts no child: see bench.mjs on why a fork must not touch the measured process.
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, clientsArg] = process.argv.slice(2);
const { runSimulatorPingPong, runBarePingPong, filledTraceRing, SteadyPingPong } = await import(pathToFileURL(bundle).href);
const clients = Number(clientsArg);
const now = () => performance.now();
// Steady state: one simulator keeps running, measured in windows of 300,000 steps (200,000 messages)
// once its 1 Mi-event trace ring has filled, each followed by a bare-loop run of as many messages,
// so that both see the same machine.
const steady = new SteadyPingPong(clients, 300_000);
// The traced bare loop writes over a ring of the same size, filled once as the simulator's is.
const ring = filledTraceRing(steady.sim.trace.capacity);
runBarePingPong(clients, 25_000, now);
runBarePingPong(clients, 25_000, now, ring);
for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  if (line === 'window') {
    answer = {
      sim: steady.window(now).messagesPerSecond,
      bare: runBarePingPong(clients, 25_000, now).messagesPerSecond,
      traced: runBarePingPong(clients, 25_000, now, ring).messagesPerSecond,
    };
  }
  else if (line === 'cold') answer = { cold: [0, 1, 2].map(() => runSimulatorPingPong(clients, 100_000, now).messagesPerSecond) };
  else throw new Error(`benchIpcSimulator: unknown request ${JSON.stringify(line)}`);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
