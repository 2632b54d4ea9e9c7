// The verdict fits the heap it watches: a slow leak on a large heap is a leak when it reaches the
// heap limit within the horizon; a large flat heap is never a leak; RSS that grows outside the
// watched heaps is never a no-leak. Series are fed one reading at a time through the live gate, as
// a session does, and the whole history is checked.
import { strict as assert } from 'node:assert';
import {
  analyzeTrendDetail,
  horizonRateBytesPerMinute,
  LiveVerdict,
  parseHorizonMinutes,
} from '../../../src/core/leak';
import type { TrendInput } from '../../../src/core/leak';
import type { VerdictChange } from '../../../src/core/types';
import { synth, type SeriesSpec } from './synthetic';

const MB = 1024 * 1024;
const GB = 1024 * MB;

function watch(spec: SeriesSpec, extra: Partial<TrendInput> = {}): VerdictChange[] {
  const { samples, gcEvents } = synth(spec);
  const live = new LiveVerdict();
  let gcCount = 0;
  for (let i = 0; i < samples.length; i++) {
    while (gcCount < gcEvents.length && gcEvents[gcCount].timeMs <= samples[i].timeMs) gcCount++;
    live.update(
      { samples: samples.slice(0, i + 1), gcEvents: gcEvents.slice(0, gcCount), ...extra },
      samples[0].timeMs,
    );
  }
  return [...live.history];
}

function shape(history: readonly VerdictChange[]): string {
  return history.map((c) => `${c.verdict}@${Math.round(c.atSeconds)}`).join(' → ');
}

const largeHeap = (mbPerMinute: number, seed = 1): SeriesSpec => ({
  seconds: 120,
  floor: (t) => 300 * MB + (mbPerMinute * MB * t) / 60,
  garbagePerSecond: 8 * MB,
  gcEveryBytes: 24 * MB,
  noiseBytes: 1 * MB,
  heapLimitBytes: 4 * GB,
  seed,
});

describe('leak/horizon: a verdict that fits the heap it watches', () => {
  it('the headroom rate: (limit − floor) / horizon, the nearer limit wins', () => {
    assert.equal(horizonRateBytesPerMinute(1 * GB, { heapLimitBytes: 4 * GB }), (3 * GB) / 1440);
    assert.equal(
      horizonRateBytesPerMinute(1 * GB, {
        heapLimitBytes: 4 * GB,
        memoryLimitBytes: 2 * GB,
        horizonMinutes: 60,
      }),
      GB / 60,
    );
    assert.equal(horizonRateBytesPerMinute(5 * GB, { heapLimitBytes: 4 * GB }), 0);
    assert.equal(horizonRateBytesPerMinute(1 * GB, {}), undefined);
  });

  it('parses --horizon: 90m, 24h, 2d, a bare number of hours; refuses the rest', () => {
    assert.equal(parseHorizonMinutes('90m'), 90);
    assert.equal(parseHorizonMinutes('24h'), 1440);
    assert.equal(parseHorizonMinutes('2d'), 2880);
    assert.equal(parseHorizonMinutes('6'), 360);
    for (const bad of ['', '0h', '-3h', 'soon', '24 hours'])
      assert.equal(parseHorizonMinutes(bad), undefined, bad);
  });

  // A major GC every 3 s widens the floor's buckets, so the call comes later than on a small heap.
  it('4 MB/min on 300 MB of stable data with a 4 GB limit: leak (limit in ~15 h), held to the end', () => {
    const history = watch(largeHeap(4));
    assert.deepEqual(
      history.map((c) => c.verdict),
      ['inconclusive', 'leak'],
      shape(history),
    );
    assert.ok(history[1].atSeconds >= 50 && history[1].atSeconds <= 90, shape(history));
    assert.match(history[1].reason, /fast enough to reach its limit within the horizon/);
    const { samples, gcEvents } = synth(largeHeap(4));
    const detail = analyzeTrendDetail({ samples, gcEvents });
    assert.equal(detail.verdict.verdict, 'leak', detail.verdict.reason);
    assert.equal(detail.heap.byHorizon, true);
    assert.match(detail.verdict.reason, /fast enough to reach the limit within the horizon/);
    const hours = (detail.verdict.minutesToHeapLimit ?? 0) / 60;
    assert.ok(hours > 12 && hours < 18, `${hours} h`);
  });

  it('the same leak with a 1 h horizon is not fast enough to be called, and never a no-leak', () => {
    const history = watch(largeHeap(4), { horizonMinutes: 60 });
    assert.ok(!history.some((c) => c.verdict === 'leak'), shape(history));
  });

  it('without a known limit the proportional threshold stands (the old rule), so it is never a leak', () => {
    const spec = { ...largeHeap(4), heapLimitBytes: undefined };
    const history = watch(spec);
    assert.ok(!history.some((c) => c.verdict === 'leak'), shape(history));
  });

  it('20 seeds of a flat 300 MB heap with 4 MB of noise: never a leak', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const history = watch({ ...largeHeap(0, seed), noiseBytes: 4 * MB });
      assert.ok(!history.some((c) => c.verdict === 'leak'), `seed ${seed}: ${shape(history)}`);
    }
  });

  it('a large heap that stays flat ends no-leak', () => {
    const history = watch({ ...largeHeap(0), seconds: 90 });
    assert.equal(history[history.length - 1].verdict, 'no-leak', shape(history));
  });

  it('RSS rising 10 MB/min while the JS heap and Buffers stay flat: inconclusive, says where to look', () => {
    const spec: SeriesSpec = {
      seconds: 120,
      floor: () => 20 * MB,
      garbagePerSecond: 3 * MB,
      noiseBytes: 200_000,
      native: (t) => (10 * MB * t) / 60,
    };
    const history = watch(spec);
    assert.ok(!history.some((c) => c.verdict !== 'inconclusive'), shape(history));
    const { samples, gcEvents } = synth(spec);
    const last = analyzeTrendDetail({ samples, gcEvents }).verdict;
    assert.equal(last.verdict, 'inconclusive');
    assert.match(last.reason, /RSS rises [\d.]+ MiB\/min beyond the JS heap and Buffers/);
    assert.match(last.reason, /native addons/);
    // The same series without the native growth is a no-leak: the guard is what changed it.
    const flat = watch({ ...spec, native: undefined });
    assert.equal(flat[flat.length - 1].verdict, 'no-leak', shape(flat));
  });
});
