// Details, search and request chains over real scenario traces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { modelForSystem } from '../../../simulator/system/traceNames';
import { NetRequest } from '../../../simulator/services/messages';
import { TraceKind } from '../../../simulator/trace/kinds';
import { attachTraceLocations } from '../../../simulator/trace/locations';
import { eventDetails, searchTrace, traceChain } from '../../../simulator/trace/query';
import { s1Model } from './traceFixtures';
import { secondsToCycles } from '../../../simulator/time/time';

test('details of a SENDREC request: names, type, link, timestamps in µs, the reply and the round trip', () => {
  const model = s1Model();
  const found = searchTrace(model, { query: 'NET_SEND', limit: 5 });
  assert.deepEqual(found.understoodAs, ['message type NET_SEND (0x1900)']);
  const seq = found.seqs[0]!;
  const d = eventDetails(model, seq);
  assert.equal(d.kindName, 'ipcSend');
  assert.equal(d.src?.name, 'packet-stream');
  assert.equal(d.dst?.name, 'inet');
  assert.deepEqual(d.messageType, { type: NetRequest.SEND, name: 'NET_SEND' });
  assert.ok(d.linkId! > 0);
  assert.equal(d.timeMicros, (d.timeCycles * 1e6) / model.clockHz);
  const reply = d.related.find((r) => r.role === 'reply');
  assert.ok(reply !== undefined);
  const r = model.trace.get(reply.seq);
  assert.equal(r.c, d.linkId);
  assert.equal(r.dst, d.src!.endpoint);
  assert.equal(d.cost.roundTripCycles, r.timeCycles - d.timeCycles);
  assert.match(d.summary, /packet-stream → inet NET_SEND/);
});

test('details of a kernel call and a context switch carry their costs', () => {
  const model = s1Model();
  const t = model.trace;
  const call = searchTrace(model, { query: 'kernelCall', limit: 1 }).seqs[0]!;
  const d = eventDetails(model, call);
  assert.ok(d.fields.some((f) => f.name === 'kernel call' && /^[A-Z]+$/.test(f.value)), JSON.stringify(d.fields));
  assert.equal(d.cost.kernelCallCycles, t.get(call).c);
  const sw = searchTrace(model, { query: 'contextSwitch', limit: 1 }).seqs[0]!;
  const s = eventDetails(model, sw);
  assert.equal(s.cost.contextSwitchCycles, t.get(sw).a);
  assert.throws(() => eventDetails(model, t.endSeq + 5), /not in the trace/);
});

test('search: next and previous from a position, labels and endpoints', () => {
  const model = s1Model();
  const all = searchTrace(model, { query: 'restart', limit: 100 });
  assert.ok(all.total >= 1);
  const first = all.seqs[0]!;
  assert.equal(model.trace.get(first).kind, TraceKind.restart);
  const next = searchTrace(model, { query: 'NET_SEND', direction: 'next', fromSeq: first });
  assert.equal(next.seqs.length, 1);
  assert.ok(next.seqs[0]! > first);
  const prev = searchTrace(model, { query: 'NET_SEND', direction: 'previous', fromSeq: next.seqs[0]! });
  assert.ok(prev.seqs[0]! < next.seqs[0]!);
  const between = searchTrace(model, { query: 'NET_SEND', filter: { fromCycles: model.trace.timeAt(prev.seqs[0]! + 1), toCycles: model.trace.timeAt(next.seqs[0]!) } });
  assert.ok([...between.seqs].every((s) => s > prev.seqs[0]! && s < next.seqs[0]!));
  const byLabel = searchTrace(model, { query: 'inet', limit: 10 });
  assert.ok(byLabel.understoodAs.includes('lane inet'));
  assert.ok(byLabel.total > 1000 && byLabel.truncated && byLabel.seqs.length === 10);
  const nothing = searchTrace(model, { query: 'no-such-thing' });
  assert.equal(nothing.total, 0);
  assert.match(nothing.understoodAs[0]!, /nothing known/);
});

test('the chain of a request: nested requests the servers made before replying, in time order', () => {
  const system = bootScenario(builtinScenario('s2'));
  system.run({ untilCycles: secondsToCycles(1, system.clockHz) });
  const model = modelForSystem(system);
  const open = searchTrace(model, { query: 'VFS_OPEN', limit: 1 }).seqs[0]!;
  const chain = traceChain(model, open);
  assert.equal(chain.rootSeq, open);
  const roles = chain.steps.map((s) => `${s.role}:${s.depth}:${s.src.name}>${s.dst.name}`);
  assert.equal(roles[0], 'request:0:cdread>vfs');
  assert.equal(roles[1], 'nestedRequest:1:vfs>isofs');
  assert.ok(roles.includes('nestedRequest:2:isofs>cdrom'));
  assert.ok(roles.includes('nestedReply:2:cdrom>isofs'));
  assert.equal(roles[roles.length - 1], 'reply:0:vfs>cdread');
  for (let k = 1; k < chain.steps.length; k++) assert.ok(chain.steps[k]!.seq > chain.steps[k - 1]!.seq);
  // The corrupted image crashes isofs before it answers vfs: the chain says it is incomplete.
  assert.equal(chain.complete, false);
  // Any message of the exchange leads to the same chain.
  const fromReply = traceChain(model, chain.steps[chain.steps.length - 1]!.seq);
  assert.equal(fromReply.rootSeq, open);
  const notify = searchTrace(model, { query: 'ipcNotify', limit: 1 }).seqs[0]!;
  assert.throws(() => traceChain(model, notify), /no link id/);
});

test('source locations of kernel entries reach the details when the simulator captures them', () => {
  const system = bootScenario(builtinScenario('s1'));
  system.sim.captureSourceLocations = true;
  const locations = attachTraceLocations(system.sim);
  system.run({ untilCycles: secondsToCycles(0.15, system.clockHz) });
  const model = modelForSystem(system);
  const t = model.trace;
  model.refresh();
  const nic = model.laneOfLabel('nic');
  const calls = searchTrace(model, { query: 'kernelCall', filter: { lanes: [nic] }, limit: 1000 }).seqs;
  const call = [...calls].find((s) => model.homeLane[s % t.capacity] === nic)!;
  assert.equal(model.endpointName(t.get(call).src), 'nic');
  const d = eventDetails(model, call, locations);
  assert.ok(d.location !== undefined, 'a location was captured');
  assert.match(d.location.file, /nic\.ts$/);
  assert.ok(d.location.line > 0);
  assert.ok(t.size > 0);
});

test('search by kernel-call name finds exactly the calls of that name, with or without SYS_', () => {
  const model = s1Model();
  const t = model.trace;
  const found = searchTrace(model, { query: 'DEVIO', limit: 1000 });
  assert.deepEqual(found.understoodAs, ['kernel call DEVIO']);
  assert.ok(found.total > 0);
  for (const seq of found.seqs) {
    const e = t.get(seq);
    assert.equal(e.kind, TraceKind.kernelCall);
    assert.equal(model.naming.kernelCallName(e.a), 'DEVIO');
  }
  let expected = 0;
  for (let s = t.firstSeq; s < t.endSeq; s++) {
    const e = t.get(s);
    if (e.kind === TraceKind.kernelCall && model.naming.kernelCallName(e.a) === 'DEVIO') expected++;
  }
  assert.equal(found.total, expected);
  assert.equal(searchTrace(model, { query: 'sys_devio', limit: 1 }).total, expected);
});
