// The typed request/reply layer between a webview and its host: a host and a
// page paired over a fake channel that, like postMessage, delivers later and
// by structured clone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostEndpoint, viewEndpoint, RpcError } from '../../../webview/protocol/rpc';
import { channelPair } from './fakeChannel';

interface TestProtocol {
  hostRequests: {
    add: { params: { a: number; b: number }; result: { sum: number } };
    wait: { params: { ms: number; value: string }; result: string };
    fail: { params: Record<string, never>; result: void };
    never: { params: Record<string, never>; result: void };
  };
  viewRequests: {
    screen: { params: Record<string, never>; result: { text: string } };
  };
  hostEvents: { status: { text: string } };
  viewEvents: { clicked: void };
}

function pair(viewTimeoutMs?: number) {
  const channels = channelPair();
  const host = hostEndpoint<TestProtocol>(channels.host, { peerName: 'the test view' });
  const view = viewEndpoint<TestProtocol>(channels.view, { peerName: 'the test host', ...(viewTimeoutMs === undefined ? {} : { timeoutMs: viewTimeoutMs }) });
  return { host, view, channels };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('replies reach the request they answer, whatever order they come back in', async () => {
  const { host, view, channels } = pair();
  host.handle('wait', async ({ ms, value }) => {
    await delay(ms);
    return value;
  });
  host.handle('add', ({ a, b }) => ({ sum: a + b }));
  const slow = view.request('wait', { ms: 30, value: 'slow' });
  const fast = view.request('wait', { ms: 1, value: 'fast' });
  const sum = view.request('add', { a: 2, b: 40 });
  assert.deepEqual(await Promise.all([slow, fast, sum]), ['slow', 'fast', { sum: 42 }]);
  const requests = channels.sent.filter((m) => m.kind === 'request');
  const replies = channels.sent.filter((m) => m.kind === 'reply');
  assert.equal(new Set(requests.map((m) => m.id)).size, 3, 'each request has its own id');
  assert.deepEqual(replies.map((m) => m.inReplyTo).sort(), requests.map((m) => m.id).sort(), 'each reply names the request it answers');
  assert.equal(replies[0]!.inReplyTo, requests[2]!.id, 'the quick answer to the last request came back first');
});

test("a handler's error comes back with its message", async () => {
  const { host, view } = pair();
  host.handle('fail', () => {
    throw new Error('the simulator did not answer: no system is running');
  });
  await assert.rejects(view.request('fail', {}), (e: unknown) => {
    assert.ok(e instanceof RpcError);
    assert.equal(e.message, 'the simulator did not answer: no system is running');
    assert.equal(e.method, 'fail');
    assert.equal(e.reason, 'remote');
    return true;
  });
});

test('a request nobody handles is answered with an error naming it', async () => {
  const { view } = pair();
  await assert.rejects(view.request('add', { a: 1, b: 2 }), { name: 'RpcError', reason: 'remote', message: "unknown request 'add'" });
});

test('a request not answered in time fails with a timeout, and its late answer is dropped', async () => {
  const { host, view } = pair(40);
  let answer: (v: string) => void = () => undefined;
  host.handle('wait', () => new Promise<string>((r) => (answer = r)));
  const started = Date.now();
  await assert.rejects(view.request('wait', { ms: 0, value: '' }), {
    reason: 'timeout',
    message: "the test host did not answer 'wait' within 40 ms",
  });
  assert.ok(Date.now() - started >= 35, 'it waited for the time limit');
  answer('too late');
  await delay(10);
  // The endpoint still works after the dropped answer.
  host.handle('add', ({ a, b }) => ({ sum: a + b }));
  assert.deepEqual(await view.request('add', { a: 1, b: 1 }), { sum: 2 });
  await assert.rejects(view.request('wait', { ms: 0, value: '' }, { timeoutMs: 5 }), { reason: 'timeout', message: /within 5 ms/ });
});

test('after dispose, waiting requests fail, late replies are ignored, and nothing more is sent or heard', async () => {
  const { host, view, channels } = pair();
  let answer: (v: string) => void = () => undefined;
  host.handle('wait', () => new Promise<string>((r) => (answer = r)));
  const statuses: string[] = [];
  view.on('status', (s) => statuses.push(s.text));
  const waiting = view.request('wait', { ms: 0, value: '' });
  await delay(5);
  view.dispose();
  await assert.rejects(waiting, { reason: 'closed', message: "the test host was closed before it answered 'wait'" });
  answer('late');
  host.emit('status', { text: 'after dispose' });
  await delay(10);
  assert.deepEqual(statuses, []);
  const sentBefore = channels.sent.length;
  view.emit('clicked');
  await assert.rejects(view.request('add', { a: 1, b: 2 }), { reason: 'closed' });
  assert.equal(channels.sent.length, sentBefore, 'a closed endpoint posts nothing');
});

test('events go both ways with their bodies; an event without a body takes none', async () => {
  const { host, view } = pair();
  const heard: string[] = [];
  view.on('status', (s) => heard.push(`status ${s.text}`));
  host.on('clicked', () => heard.push('clicked'));
  host.emit('status', { text: 'Opened s1.mktrace' });
  view.emit('clicked');
  await delay(10);
  assert.deepEqual(heard.sort(), ['clicked', 'status Opened s1.mktrace']);
});

test('the host asks the page, and hears when the page (re)loads; a page that reloads does not answer what the old one was asked', async () => {
  const { host, view, channels } = pair();
  let loads = 0;
  host.onPeerReady(() => loads++);
  view.handle('screen', () => ({ text: '# help' }));
  view.announceReady();
  await delay(5);
  assert.equal(loads, 1);
  assert.deepEqual(await host.request('screen', {}), { text: '# help' });

  // The page unloads (a hidden panel's page does), the request to it is lost, and a new page says it is ready.
  view.dispose();
  const lost = host.request('screen', {});
  await delay(5);
  const reloaded = viewEndpoint<TestProtocol>(channels.view, { peerName: 'the test host' });
  reloaded.handle('screen', () => ({ text: 'new page' }));
  reloaded.announceReady();
  await assert.rejects(lost, { reason: 'closed', message: "the test view reloaded before it answered 'screen'" });
  assert.equal(loads, 2);
  assert.deepEqual(await host.request('screen', {}), { text: 'new page' });
});

test('messages that are not envelopes are ignored', async () => {
  const { host, view, channels } = pair();
  host.handle('add', ({ a, b }) => ({ sum: a + b }));
  for (const junk of [null, 'ready', 42, { kind: 'reply' }, { kind: 'request', id: 'x', method: 'add' }, { type: 'ready' }]) channels.inject('host', junk);
  channels.inject('view', { kind: 'reply', inReplyTo: 999, ok: true, result: 1 });
  assert.deepEqual(await view.request('add', { a: 3, b: 4 }), { sum: 7 });
  assert.equal(channels.sent.filter((m) => m.kind === 'reply').length, 1, 'only the real request was answered');
});
