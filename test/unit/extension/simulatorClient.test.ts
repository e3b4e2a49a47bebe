// The host's client of the simulator worker, against real worker threads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatorClient, SimulatorUnavailableError } from '../../../extension/simulatorClient';
import { bundleForTest } from '../bundle';

let dir: string;
let workerJs: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-client-'));
  workerJs = join(dir, 'simWorker.js');
  await bundleForTest('node/worker/worker.ts', workerJs);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the worker answers a request with the payload echoed', async () => {
  const client = new SimulatorClient(workerJs);
  try {
    const answer = await client.request('ping', { payload: 'hello' });
    assert.equal(answer.payload, 'hello');
    assert.match(answer.simulatorVersion, /^\d+\.\d+\.\d+$/);
    const system = await client.request('describeSystem', {});
    assert.ok(system.processes.some((p) => p.group === 'drivers'));
  } finally {
    await client.stop();
  }
});

test('a worker that stops answering makes the request fail with a clear error', async () => {
  const hung = join(dir, 'hung.js');
  writeFileSync(hung, "require('node:worker_threads').parentPort.on('message', () => { for (;;) {} });");
  const client = new SimulatorClient(hung, 300);
  try {
    await assert.rejects(client.request('ping', { payload: 'x' }), (e: Error) => {
      assert.ok(e instanceof SimulatorUnavailableError);
      assert.match(e.message, /did not answer 'ping' within 300 ms/);
      return true;
    });
  } finally {
    await client.stop();
  }
});

test('a worker that dies fails pending requests and reports the exit', async () => {
  const dying = join(dir, 'dying.js');
  writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));");
  const client = new SimulatorClient(dying);
  const exits: string[] = [];
  client.onUnexpectedExit((reason) => exits.push(reason));
  await assert.rejects(client.request('ping', { payload: 'x' }), /exit code 3/);
  assert.deepEqual(exits, ['the simulator stopped (exit code 3)']);
  assert.equal(client.running, false);
});

test('a trace file read into a buffer of its own moves to the worker without a copy, and opens there', async () => {
  const { syntheticTrace } = await import('../../../simulator/trace/synthetic');
  const { encodeTrace } = await import('../../../simulator/trace/traceFile');
  const { trace, endpointNames } = syntheticTrace(20_000, 3);
  const file = encodeTrace(trace, { scenario: 'synthetic', configuration: 'microkernel', seed: 3, costProfile: 'sel4-skylake', clockHz: 3e9, endpointNames });
  const client = new SimulatorClient(workerJs);
  try {
    const moved = await client.request('traceLoad', { bytes: file, fileName: 'moved.mktrace' }, undefined, [file.buffer as ArrayBuffer]);
    assert.ok(moved.ok);
    assert.equal(moved.info.eventCount, 20_000);
    // Moved, not copied: the host's buffer is detached.
    assert.equal(file.byteLength, 0);
    // A buffer that cannot move (a view into shared memory) is copied instead, and the file still opens.
    const again = encodeTrace(trace, { scenario: 'synthetic', configuration: 'microkernel', seed: 3, costProfile: 'sel4-skylake', clockHz: 3e9, endpointNames });
    const shared = new Uint8Array(new SharedArrayBuffer(again.byteLength));
    shared.set(again);
    const copied = await client.request('traceLoad', { bytes: shared, fileName: 'shared.mktrace' }, undefined, [shared.buffer as unknown as ArrayBuffer]);
    assert.ok(copied.ok);
    assert.equal(copied.info.eventCount, 20_000);
  } finally {
    await client.stop();
  }
});
