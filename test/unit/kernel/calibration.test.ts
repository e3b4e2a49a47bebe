// Calibration: the simulator, run as the published benchmarks run, gives the
// published figures of each cost profile within their bands.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measureIpcOneWayCycles, measureNullSyscallCycles } from '../../../simulator/bench/calibrate';
import { costProfiles } from '../../../simulator/kernel/costs/costProfiles';
import { PUBLISHED_FIGURES, bandLimits, withinBand } from '../../../simulator/kernel/costs/publishedFigures';

describe('calibration against published figures', () => {
  for (const profile of Object.values(costProfiles)) {
    it(`${profile.name}: half a SENDREC/reply round trip is the published one-way IPC`, () => {
      const figure = PUBLISHED_FIGURES.find((f) => f.measure.kind === 'ipc-one-way' && f.measure.profile === profile.name);
      assert.ok(figure !== undefined, `${profile.name} has a published one-way IPC figure`);
      const simulated = measureIpcOneWayCycles(profile.name);
      const { low, high } = bandLimits(figure);
      assert.ok(withinBand(figure, simulated), `${profile.name}: measured ${simulated} cycles, published ${figure.published} (band ${low}..${high})`);
    });
  }

  for (const figure of PUBLISHED_FIGURES) {
    const m = figure.measure;
    if (m.kind !== 'null-syscall') continue;
    it(`${m.profile}: a null system call is the published ${figure.published} cycles within its band`, () => {
      const simulated = measureNullSyscallCycles(m.profile);
      const { low, high } = bandLimits(figure);
      assert.ok(withinBand(figure, simulated), `${m.profile}: measured ${simulated} cycles, published ${figure.published} (band ${low}..${high})`);
    });
  }

  it('a round trip counts what the costs charge: a dearer context switch makes the measured IPC dearer', () => {
    const base = costProfiles['sel4-skylake']!;
    const dearer = { ...base, name: 'dearer', contextSwitchCycles: base.contextSwitchCycles + 100 };
    assert.equal(measureIpcOneWayCycles(dearer) - measureIpcOneWayCycles(base), 100);
  });

  it('a band is a share of the figure or a number of points, and a missing value is outside it', () => {
    assert.deepEqual(bandLimits({ published: 200, band: { relative: 0.1 } }), { low: 180, high: 220 });
    assert.deepEqual(bandLimits({ published: 43, band: { absolute: 10 } }), { low: 33, high: 53 });
    assert.equal(withinBand({ published: 43, band: { absolute: 10 } }, 53), true);
    assert.equal(withinBand({ published: 43, band: { absolute: 10 } }, 53.5), false);
    assert.equal(withinBand({ published: 43, band: { absolute: 10 } }, null), false);
  });
});
