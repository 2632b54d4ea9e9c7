import { strict as assert } from 'node:assert';
import {
  alignWindow,
  chooseStep,
  MAX_POINTS_PER_SERIES,
  splitRange,
  stitch,
} from '../../../src/core/prometheus/range';

describe('prometheus range splitting', () => {
  it('chooses a nice step from the window and the chart width, never below the scrape interval', () => {
    assert.equal(chooseStep(3600, 1200), 15);
    assert.equal(chooseStep(7 * 86400, 1200), 600);
    assert.equal(chooseStep(30 * 86400, 1200), 3600);
    assert.equal(chooseStep(7 * 86400, 100_000, 15), 15);
    assert.equal(chooseStep(3600, 1200, 60), 60);
  });

  it('covers the grid exactly: every point once, no chunk above the limit', () => {
    for (const [points, max] of [
      [40_320, MAX_POINTS_PER_SERIES],
      [11_000, MAX_POINTS_PER_SERIES],
      [11_001, MAX_POINTS_PER_SERIES],
      [1, 10],
      [97, 10],
      [100, 10],
    ]) {
      const step = 15;
      const start = 1_700_000_010;
      const end = start + (points - 1) * step;
      const chunks = splitRange(start, end, step, max);
      const seen: number[] = [];
      for (const c of chunks) {
        const n = (c.end - c.start) / step + 1;
        assert.ok(Number.isInteger(n) && n >= 1 && n <= max, `chunk of ${n} points`);
        for (let t = c.start; t <= c.end; t += step) seen.push(t);
      }
      assert.equal(seen.length, points, `${points} points in ${chunks.length} chunks`);
      for (let i = 0; i < seen.length; i++) assert.equal(seen[i], start + i * step);
      assert.equal(chunks.length, Math.ceil(points / max));
    }
  });

  it('aligns the window to the step grid so that repeated calls ask for the same points', () => {
    assert.deepEqual(alignWindow(1000, 2005, 60), { start: 960, end: 1980 });
  });

  it('stitches chunks per series, in any order, dropping duplicates at the seams', () => {
    const a = {
      metric: { pod: 'a' },
      values: [
        [10, '1'],
        [20, '2'],
      ] as Array<[number, string]>,
    };
    const a2 = {
      metric: { pod: 'a' },
      values: [
        [20, '2'],
        [30, '3'],
      ] as Array<[number, string]>,
    };
    const b = { metric: { pod: 'b' }, values: [[30, '7']] as Array<[number, string]> };
    const out = stitch([[a2, b], [a]]);
    assert.deepEqual(out.find((s) => s.metric.pod === 'a')?.points, [
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    assert.deepEqual(out.find((s) => s.metric.pod === 'b')?.points, [[30, 7]]);
  });
});
