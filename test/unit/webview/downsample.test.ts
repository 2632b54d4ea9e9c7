import { strict as assert } from 'node:assert';
import { decimateMinMax, lowerBound, type Columns } from '../../../webview/downsample';

function columns(n: number, f: (i: number) => number[], series = 2): Columns {
  const x = Array.from({ length: n }, (_, i) => i * 1000);
  const ys = Array.from({ length: series }, (_, s) => x.map((_, i) => f(i)[s]!));
  return { x, ys, length: n };
}

describe('webview decimation (min/max per pixel column)', () => {
  it('finds the first index at or after a value', () => {
    const x = [0, 10, 10, 20, 30];
    assert.equal(lowerBound(x, 5, -1), 0);
    assert.equal(lowerBound(x, 5, 10), 1);
    assert.equal(lowerBound(x, 5, 11), 3);
    assert.equal(lowerBound(x, 5, 31), 5);
    assert.equal(lowerBound(x, 3, 31), 3);
  });

  it('returns small series unchanged', () => {
    const c = columns(10, (i) => [i, 2 * i]);
    const d = decimateMinMax(c, 0, 9000, 100);
    assert.deepEqual(d.x, c.x);
    assert.deepEqual(d.ys[1], c.ys[1]);
  });

  it('keeps at most two points per bucket on 86,400 points', () => {
    const c = columns(86_400, (i) => [Math.sin(i / 100) * 1000, i], 2);
    const d = decimateMinMax(c, 0, 86_399_000, 800);
    assert.ok(d.x.length <= 2 * 800 + 4, `got ${d.x.length} points`);
    assert.ok(d.x.length >= 800, `got ${d.x.length} points`);
    // x stays sorted, all series stay aligned with it.
    for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i]! >= d.x[i - 1]!);
    assert.equal(d.ys[0]!.length, d.x.length);
    assert.equal(d.ys[1]!.length, d.x.length);
  });

  it('keeps a one-sample spike and a one-sample dip at any zoom', () => {
    const c = columns(86_400, (i) => [i === 43_210 ? 5e9 : i === 50_001 ? -7 : 100 + (i % 7), 1]);
    for (const buckets of [50, 300, 1000]) {
      const d = decimateMinMax(c, 0, 86_399_000, buckets);
      assert.equal(Math.max(...d.ys[0]!), 5e9, `spike lost with ${buckets} buckets`);
      assert.equal(Math.min(...d.ys[0]!), -7, `dip lost with ${buckets} buckets`);
    }
  });

  it('keeps the envelope: per bucket, the min and max of every series', () => {
    const c = columns(10_000, (i) => [(i * 7919) % 1000, 1000 - ((i * 104729) % 997)]);
    const buckets = 100;
    const d = decimateMinMax(c, 0, 9_999_000, buckets);
    for (let s = 0; s < 2; s++) {
      const all = Array.from(c.ys[s]!);
      assert.equal(Math.max(...d.ys[s]!), Math.max(...all));
      assert.equal(Math.min(...d.ys[s]!), Math.min(...all));
    }
  });

  it('orders min and max by time so a rise stays a rise', () => {
    // Rising inside every bucket: each bucket's first point must be its min.
    const c = columns(1000, (i) => [i]);
    const d = decimateMinMax(c, 0, 999_000, 10);
    for (let i = 1; i < d.ys[0]!.length; i++) assert.ok(d.ys[0]![i]! >= d.ys[0]![i - 1]!);
  });

  it('limits work to the visible window, with one point beyond each edge', () => {
    const c = columns(10_000, (i) => [i]);
    const d = decimateMinMax(c, 5_000_000, 5_010_000, 100);
    assert.equal(d.x[0], 4_999_000);
    assert.equal(d.x.at(-1), 5_011_000);
    assert.equal(d.x.length, 13);
  });

  it('handles empty input and an empty window', () => {
    assert.deepEqual(decimateMinMax({ x: [], ys: [[]], length: 0 }, 0, 1, 10), { x: [], ys: [[]] });
    const c = columns(10, (i) => [i]);
    const d = decimateMinMax(c, 100_000, 200_000, 10);
    assert.deepEqual(d.x, [9000]);
  });
});
