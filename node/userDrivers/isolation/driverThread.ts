// The code of a user driver's threads, in two roles. The supervisor (one per
// simulator process) starts each driver's thread with its memory limit and
// tells the simulator at once, through the driver's buffer, when one dies (out
// of memory, or failed): the simulator waits synchronously and could not see a
// thread's exit event itself. A driver's thread makes the driver's vm context,
// runs the realm's SDK inside it, and then only carries text between the
// simulator and the realm. Bundled on its own, in strict mode, and started from
// its text, so that the same code serves the CLI, the extension and the tests.
import { Worker, parentPort, workerData } from 'node:worker_threads';
import * as vm from 'node:vm';
import realmSource from 'bundle-text:./realm.ts';
import { bytesToLatin1, latin1ToBytes } from './binary';
import { CTL_WORDS, Ctl, Death, Wire } from './protocol';
import type { RealmApi } from './realm';

/** The parameters of a compiled module's function (compileModule's CommonJS wrapper). */
export const MODULE_PARAMETERS = ['exports', 'require', 'module', '__mklabTick'];

export interface SpawnRequest {
  readonly op: 'spawn';
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  readonly name: string;
  readonly memoryMb: number;
  readonly configJson: string;
  readonly modules: readonly { readonly file: string; readonly code: string }[];
}

export type SupervisorRequest = SpawnRequest | { readonly op: 'kill'; readonly id: number };

interface SupervisorData {
  readonly role: 'supervisor';
  readonly source: string;
}

interface DriverData extends Omit<SpawnRequest, 'op' | 'id' | 'memoryMb'> {
  readonly role: 'driver';
}

function supervise(data: SupervisorData): void {
  const drivers = new Map<number, Worker>();
  parentPort!.on('message', (request: SupervisorRequest) => {
    if (request.op === 'kill') {
      void drivers.get(request.id)?.terminate();
      drivers.delete(request.id);
      return;
    }
    const ctl = new Int32Array(request.buffer, 0, CTL_WORDS);
    const died = (why: number): void => {
      drivers.delete(request.id);
      if (Atomics.compareExchange(ctl, Ctl.death, Death.alive, why) !== Death.alive) return;
      Atomics.add(ctl, Ctl.toHost, 1);
      Atomics.notify(ctl, Ctl.toHost);
    };
    const driverData: DriverData = {
      role: 'driver',
      buffer: request.buffer,
      name: request.name,
      configJson: request.configJson,
      modules: request.modules,
    };
    let worker: Worker;
    try {
      worker = new Worker(data.source, {
        eval: true,
        name: `user driver ${request.name}`,
        workerData: driverData,
        resourceLimits: { maxOldGenerationSizeMb: request.memoryMb, maxYoungGenerationSizeMb: Math.min(16, request.memoryMb), stackSizeMb: 4 },
        // Nothing of the simulator's process: no environment, no Node options, no standard streams.
        env: {},
        execArgv: [],
        stdout: true,
        stderr: true,
      });
    } catch {
      died(Death.failed);
      return;
    }
    worker.stdout.resume();
    worker.stderr.resume();
    drivers.set(request.id, worker);
    worker.on('error', (error: { code?: unknown }) => died(error?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? Death.outOfMemory : Death.failed));
    worker.on('exit', () => died(Death.exited));
  });
}

function drive(data: DriverData): void {
  const wire = new Wire(data.buffer);
  let seen = 0;
  const receive = (): { json: string; bin: Uint8Array } => {
    for (;;) {
      const now = wire.waitChange(Ctl.toDriver, seen);
      if (now !== seen) {
        seen = now;
        return wire.read();
      }
    }
  };
  const send = (json: string, bin?: Uint8Array): void => wire.write(Ctl.toHost, json, bin);
  const failed = (message: string): string => JSON.stringify({ op: 'threw', error: { name: 'Error', message, stack: message } });

  // The bridge takes and returns only strings, and never throws: nothing of this realm reaches the driver's.
  const bridge = (json: unknown, bin: unknown): string => {
    try {
      if (typeof json !== 'string' || typeof bin !== 'string') return JSON.stringify({ op: 'reply', error: { name: 'TypeError', message: 'a malformed request' } });
      send(json, latin1ToBytes(bin));
      const reply = receive();
      return `${reply.json}\u0000${bytesToLatin1(reply.bin)}`;
    } catch {
      return JSON.stringify({ op: 'reply', error: { name: 'Error', message: 'the request could not cross to the simulator (too large?)' } });
    }
  };

  let api: RealmApi;
  try {
    // A null-prototype global, code generation from strings off: the realm's Function cannot compile text.
    const context = vm.createContext(Object.create(null) as object, {
      name: `user driver ${data.name}`,
      codeGeneration: { strings: false, wasm: false },
      // Promise jobs a driver queues never run at a time the host chose.
      microtaskMode: 'afterEvaluate',
    });
    // The realm's script ends with its exports as its value; the global it used on the way is then cleared.
    const realm = vm.runInContext(realmSource, context, { filename: 'microkernel-lab:driver-sdk' }) as { install: (bridge: unknown, config: string) => RealmApi };
    const install = realm.install;
    vm.runInContext('__mklabRealm = undefined;', context);
    api = install(bridge, data.configJson);
    for (const module of data.modules) {
      api.defineModule(module.file, vm.compileFunction(module.code, MODULE_PARAMETERS, { filename: module.file, parsingContext: context }));
    }
  } catch (error) {
    send(failed(`the driver's sandbox could not be set up: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  send('{"op":"ready"}');
  for (;;) {
    const message = receive();
    let reply: unknown;
    try {
      reply = api.handle(message.json);
    } catch {
      reply = undefined;
    }
    send(typeof reply === 'string' ? reply : failed('the driver\'s sandbox gave no answer'));
  }
}

const data = workerData as SupervisorData | DriverData | undefined;
if (data?.role === 'supervisor') supervise(data);
else if (data?.role === 'driver') drive(data);
