// The code of a user driver's own process (the driver host), one process per
// driver instance. The relay (relay.ts) starts it with the engine's heap limits
// on its command line, hands it this code and then the driver (its module graph
// and compiled modules) on its standard input, and from then on the two
// exchange frames over its standard input and output. The process makes the
// driver's vm context, runs the realm's SDK inside it, and then only carries
// text between the relay and the realm, reading and writing synchronously, as
// the realm's calls are. A fatal error of the engine (a heap out of memory, a
// value too large for it) ends this process and nothing else; a watchdog thread
// ends it too when its resident memory, which counts what the heap limit does
// not (array buffers), passes the driver's limit, or when the simulator's
// process is gone. Bundled on its own, in strict mode, and started from its
// text, so that the same code serves the CLI, the extension and the tests.
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import realmSource from 'bundle-text:./realm.ts';
import { bytesToLatin1, latin1ToBytes } from './binary';
import { WATCHDOG_MARK } from './hostDeath';
import { DATA_BYTES, FRAME_HEADER_BYTES } from './protocol';
import type { RealmApi } from './realm';

/** The parameters of a compiled module's function (compileModule's CommonJS wrapper). */
export const MODULE_PARAMETERS = ['exports', 'require', 'module', '__mklabTick'];

/** The first frame the relay sends a host: the driver it is to run. */
export interface HostInit {
  readonly configJson: string;
  readonly modules: readonly { readonly file: string; readonly code: string }[];
  /**
   * Resident memory the driver may add to what the process holds once its sandbox is set up (before any of the
   * driver's code runs), in bytes; past it the watchdog ends the process.
   */
  readonly residentAllowanceBytes: number;
}

/** The largest frame the relay may send: the driver's modules come in one. */
const MAX_INIT_BYTES = 1 << 30;

/**
 * The watchdog, run in a thread of the host's own: it reads the process's resident memory every 10 ms (the
 * main thread, which runs the driver, is busy or blocked reading, so it cannot look itself), and every half
 * second checks that the process that started the host is still there.
 */
const WATCHDOG = `"use strict";
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { shared, parent, mark } = workerData;
const limits = new Float64Array(shared);
const end = (line) => {
  try { writeSync(2, '\\n' + mark + ' ' + line + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
let ticks = 0;
setInterval(() => {
  const limit = limits[0];
  const resident = process.memoryUsage.rss();
  if (limit > 0 && resident > limit) {
    end('OutOfMemory: ' + Math.round(resident / 1048576) + ' MiB resident, past its limit of ' + Math.round(limit / 1048576) + ' MiB');
  }
  if (++ticks % 50 !== 0) return;
  let gone = process.ppid !== parent;
  try { process.kill(parent, 0); } catch (error) { gone = gone || error.code === 'ESRCH'; }
  if (gone) end('Orphaned: the simulator is gone');
}, 10);
`;

const IN = 0;
const OUT = 1;
const pause = new Int32Array(new SharedArrayBuffer(4));

function code(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** Fills `buffer` from standard input; false at its end (the relay, or the whole simulator, is gone). */
function readFully(buffer: Uint8Array): boolean {
  let offset = 0;
  while (offset < buffer.length) {
    let n: number;
    try {
      n = fs.readSync(IN, buffer, offset, buffer.length - offset, null);
    } catch (error) {
      if (code(error) === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      // EOF (as Windows reports a closed pipe) or any other failure: there is no one left to answer.
      return false;
    }
    if (n === 0) return false;
    offset += n;
  }
  return true;
}

function writeFully(bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(OUT, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (code(error) !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const header = new Uint8Array(FRAME_HEADER_BYTES);
const headerView = new DataView(header.buffer);

/** The next frame from the relay; the process ends when there is none. */
function receive(limit = DATA_BYTES): { json: string; bin: Uint8Array } {
  if (!readFully(header)) process.exit(0);
  const jsonBytes = headerView.getUint32(0, true);
  const binBytes = headerView.getUint32(4, true);
  if (jsonBytes + binBytes > limit) process.exit(2);
  const body = new Uint8Array(jsonBytes + binBytes);
  if (!readFully(body)) process.exit(0);
  return { json: decoder.decode(body.subarray(0, jsonBytes)), bin: body.subarray(jsonBytes) };
}

/** Sends a frame to the relay. Throws RangeError, having sent nothing, if the simulator's channel could not hold it. */
function send(json: string, bin?: Uint8Array): void {
  const text = encoder.encode(json);
  const binBytes = bin?.length ?? 0;
  if (text.length + binBytes > DATA_BYTES) throw new RangeError(`a message of ${text.length + binBytes} bytes does not fit the driver's channel`);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + text.length + binBytes);
  const view = new DataView(frame.buffer);
  view.setUint32(0, text.length, true);
  view.setUint32(4, binBytes, true);
  frame.set(text, FRAME_HEADER_BYTES);
  if (bin !== undefined) frame.set(bin, FRAME_HEADER_BYTES + text.length);
  writeFully(frame);
}

const failed = (message: string): string => JSON.stringify({ op: 'threw', error: { name: 'Error', message, stack: message } });

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function run(): void {
  // Everything that does not depend on the driver is made before the driver comes, so that a host started ahead
  // (relay.ts) is ready for it: the watchdog, the context and the SDK's script.
  // The watchdog's resident limit is set once the sandbox is: until then no code of the driver's has run.
  const limits = new Float64Array(new SharedArrayBuffer(8));
  let setUp: { install: (bridge: unknown, config: string) => RealmApi; context: vm.Context } | { error: string };
  try {
    new Worker(WATCHDOG, {
      eval: true,
      name: 'user driver watchdog',
      workerData: { shared: limits.buffer, parent: process.ppid, mark: WATCHDOG_MARK },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
      env: {},
      // Its standard streams would reach this process's, whose standard output carries frames.
      stdout: true,
      stderr: true,
    }).unref();
    // A null-prototype global, code generation from strings off: the realm's Function cannot compile text.
    const context = vm.createContext(Object.create(null) as object, {
      name: 'user driver',
      codeGeneration: { strings: false, wasm: false },
      // Promise jobs a driver queues never run at a time the host chose.
      microtaskMode: 'afterEvaluate',
    });
    // The realm's script ends with its exports as its value; the global it used on the way is then cleared.
    const realm = vm.runInContext(realmSource, context, { filename: 'microkernel-lab:driver-sdk' }) as { install: (bridge: unknown, config: string) => RealmApi };
    const install = realm.install;
    vm.runInContext('__mklabRealm = undefined;', context);
    setUp = { install, context };
  } catch (error) {
    setUp = { error: describe(error) };
  }

  const init = JSON.parse(receive(MAX_INIT_BYTES).json) as HostInit;
  if ('error' in setUp) {
    send(failed(`the driver's sandbox could not be set up: ${setUp.error}`));
    return;
  }

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
    api = setUp.install(bridge, init.configJson);
    for (const module of init.modules) {
      api.defineModule(module.file, vm.compileFunction(module.code, MODULE_PARAMETERS, { filename: module.file, parsingContext: setUp.context }));
    }
  } catch (error) {
    send(failed(`the driver's sandbox could not be set up: ${describe(error)}`));
    return;
  }
  limits[0] = process.memoryUsage.rss() + init.residentAllowanceBytes;
  send('{"op":"ready"}');
  for (;;) {
    const message = receive();
    let reply: unknown;
    try {
      reply = api.handle(message.json);
    } catch {
      reply = undefined;
    }
    try {
      send(typeof reply === 'string' ? reply : failed('the driver\'s sandbox gave no answer'));
    } catch {
      send(failed('the driver\'s message to the kernel is too large for its channel'));
    }
  }
}

run();
// A host that could not set up its driver has said so, and waits to be ended: were it to exit now, the relay
// might report its exit before the simulator had read why.
for (;;) receive();
