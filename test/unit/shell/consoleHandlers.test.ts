// The worker's console requests over the editor's session: the shell sees the
// session's system, and `service` runs it forward only while the session runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consoleHandlers } from '../../../node/worker/consoleHandlers';
import { Session, type SessionClock } from '../../../node/worker/session';
import type { WorkerToHost } from '../../../simulator/protocol/workerProtocol';
import { stripAnsi } from '../../../simulator/shell/ansi';

/** A clock whose deferred work never runs: the session's own run loop stays still and the test moves the system. */
const stillClock: SessionClock = { nowMs: () => 0, defer: () => () => undefined };

function setUp() {
  const session = new Session(stillClock);
  const posted: WorkerToHost[] = [];
  const handlers = consoleHandlers({ session, post: (m) => posted.push(m) });
  const execute = async (line: string) => stripAnsi((await handlers.consoleExecute({ line, columns: 100 })).output);
  return { session, handlers, execute };
}

function startS1(session: Session): void {
  session.start({ source: { kind: 'builtin', name: 's1' }, speed: 0, trusted: true });
  session.system!.run({ untilCycles: 50_000_000 });
}

describe('console requests', () => {
  it('answer with the no-system message before a system is started', async () => {
    const { execute } = setUp();
    assert.equal(await execute('ps'), 'ps: no system is running: start one with Microkernel Lab: Start System…');
    assert.match(await execute('help'), /service <operation> <label>/);
  });

  it('run ps and service restart over the session\'s running system', async () => {
    const { session, execute } = setUp();
    startS1(session);
    assert.match(await execute('ps'), /\bnic\s+driver\b/);
    const before = session.system!.sim.endpointOf('nic');
    assert.match(await execute('service restart nic'), new RegExp(`nic restarted: endpoint ${before} kept, restarts 0 → 1`));
    assert.equal(session.system!.sim.endpointOf('nic'), before);
    assert.equal(session.system!.serviceStatus('nic')!.restarts, 1);
  });

  it('only send a service request while the session is paused', async () => {
    const { session, execute } = setUp();
    startS1(session);
    session.pause();
    const t = session.system!.nowCycles;
    assert.match(await execute('service restart nic'), /the system is paused: RS acts when it resumes/);
    assert.equal(session.system!.nowCycles, t);
  });

  it('refuse service requests once the session has stopped, but still show ps', async () => {
    const { session, execute } = setUp();
    startS1(session);
    session.stop();
    assert.equal(await execute('service restart nic'), 'service: the system has been stopped: start it again (Microkernel Lab: Start System…)');
    assert.match(await execute('ps'), /\bnic\b/);
  });

  it('complete labels from the session\'s system', async () => {
    const { session, handlers } = setUp();
    startS1(session);
    assert.deepEqual(await handlers.consoleComplete({ line: 'service restart ni', cursor: 18 }), { start: 16, end: 18, candidates: ['nic'] });
  });

  it('answer malformed requests with an error line instead of failing', async () => {
    const { handlers } = setUp();
    const r = await handlers.consoleExecute({ line: 42 as unknown as string, columns: Number.NaN });
    assert.equal(stripAnsi(r.output), 'sh: the line must be text');
    assert.deepEqual(await handlers.consoleComplete({ line: null as unknown as string, cursor: 0 }), { start: 0, end: 0, candidates: [] });
  });
});
