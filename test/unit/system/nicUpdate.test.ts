// Live updates of the NIC driver behind the IOMMU: each new instance maps the
// device's rings and its packet buffers again, and traffic goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OK } from '../../../simulator/sdk';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import type { RunningSystem } from '../../../simulator/system/boot';

function update(system: RunningSystem, untilCycles: number): number {
  const utility = system.service('update', 'nic');
  let answer: number | undefined;
  const off = system.sim.on('processEnded', (e) => {
    if (e.endpoint === utility) answer = e.reason.kind === 'exit' ? e.reason.status : Number.NaN;
  });
  system.run({ untilCycles });
  off();
  return answer ?? Number.NaN;
}

for (const configuration of ['microkernel-iommu', 'microkernel-iommu-lazy', 'microkernel-iommu-dev', 'microkernel'] as const) {
  test(`${configuration}: the NIC driver is live-updated twice and the packet stream goes on`, () => {
    const s1 = builtinScenario('s1');
    const system = bootScenario({ ...s1, faults: [], configuration }, {});
    const second = system.clockHz;
    system.run({ untilCycles: second });
    assert.equal(update(system, 2 * second), OK, 'first update');
    assert.equal(update(system, 3 * second), OK, 'second update');
    const nic = system.serviceStatus('nic')!;
    assert.equal(nic.updates, 2);
    assert.equal(nic.state, 'running');
    const delivered = system.network.deliveredToPeer;
    system.run({ untilCycles: 4 * second });
    assert.ok(system.network.deliveredToPeer > delivered, 'packets still reach the peer after the updates');
  });
}
