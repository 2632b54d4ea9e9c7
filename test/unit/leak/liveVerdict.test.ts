// The live verdict on synthetic series, fed one reading at a time as a session does. Each test
// asserts the whole history of what was shown (every change, with when), not only the last value:
// a verdict shown for ten seconds and then withdrawn is what this gate exists to prevent.
import { strict as assert } from 'node:assert';
import { DEFAULT_LIVE_OPTIONS, gateVerdict, LiveVerdict } from '../../../src/core/leak';
import type { VerdictChange } from '../../../src/core/types';
import { synth, type SeriesSpec } from './synthetic';

const MB = 1024 * 1024;

/** Feeds the series one reading at a time; returns every change of the shown verdict. */
function watch(spec: SeriesSpec): VerdictChange[] {
  const { samples, gcEvents } = synth(spec);
  const live = new LiveVerdict();
  let gcCount = 0;
  for (let i = 0; i < samples.length; i++) {
    while (gcCount < gcEvents.length && gcEvents[gcCount].timeMs <= samples[i].timeMs) gcCount++;
    live.update(
      { samples: samples.slice(0, i + 1), gcEvents: gcEvents.slice(0, gcCount) },
      samples[0].timeMs,
    );
  }
  return [...live.history];
}

/** `inconclusive@0 → no-leak@49`: the shape of a history, for messages and comparisons. */
function shape(history: readonly VerdictChange[]): string {
  return history.map((c) => `${c.verdict}@${Math.round(c.atSeconds)}`).join(' → ');
}

/** The verdicts in order, and each change's time within [min, max] seconds. */
function assertHistory(
  history: readonly VerdictChange[],
  expected: ReadonlyArray<[VerdictChange['verdict'], number, number]>,
): void {
  assert.deepEqual(
    history.map((c) => c.verdict),
    expected.map(([verdict]) => verdict),
    shape(history),
  );
  expected.forEach(([, min, max], i) => {
    const at = history[i].atSeconds;
    assert.ok(at >= min && at <= max, `change ${i} at ${at} s, expected ${min}..${max}: ${shape(history)}`);
  });
  for (const change of history) {
    if (change.verdict === 'inconclusive') assert.equal(change.confidence, 0, change.reason);
    else assert.ok(change.confidence > 0.5 && change.confidence <= 0.99, `${change.confidence}`);
  }
}

const churn = { garbagePerSecond: 3 * MB, noiseBytes: 200_000 };

describe('leak/liveVerdict: the verdict shown while observing', () => {
  describe('warm-ups (a rise that stops) never show a leak', () => {
    const linear: Array<[seconds: number, mbPerSecond: number, noLeakFrom: number, noLeakBy: number]> = [
      [10, 2, 30, 45],
      [20, 0.6, 30, 50],
      [30, 0.6, 40, 60],
      [30, 2, 40, 60],
      [35, 2, 45, 65],
      [40, 0.6, 50, 75],
    ];
    for (const [length, rate, from, by] of linear) {
      it(`tables filled at ${rate} MB/s for ${length} s, then flat: inconclusive, then no-leak`, () => {
        const history = watch({
          seconds: 120,
          floor: (t) => 20 * MB + Math.min(t, length) * rate * MB,
          ...churn,
        });
        assertHistory(history, [
          ['inconclusive', 0, 0],
          ['no-leak', from, by],
        ]);
      });
    }

    const saturating: Array<[tau: number, totalMb: number, noLeakFrom: number, noLeakBy: number]> = [
      [5, 40, 30, 75],
      [10, 10, 40, 65],
      [20, 40, 100, 160],
    ];
    for (const [tau, total, from, by] of saturating) {
      it(`a cache approaching ${total} MB (time constant ${tau} s): inconclusive, then no-leak`, () => {
        const history = watch({
          seconds: 180,
          floor: (t) => 20 * MB + total * MB * (1 - Math.exp(-t / tau)),
          ...churn,
        });
        assertHistory(history, [
          ['inconclusive', 0, 0],
          ['no-leak', from, by],
        ]);
      });
    }

    it('a slow saturation (time constant 45 s) stays inconclusive for three minutes', () => {
      const history = watch({
        seconds: 180,
        floor: (t) => 20 * MB + 40 * MB * (1 - Math.exp(-t / 45)),
        ...churn,
      });
      assertHistory(history, [['inconclusive', 0, 0]]);
    });

    it('says what it waits for while the rise is young', () => {
      const { samples, gcEvents } = synth({ seconds: 25, floor: (t) => 20 * MB + t * 0.6 * MB, ...churn });
      const { verdict, raw } = gateVerdict({ samples, gcEvents });
      assert.equal(raw.verdict, 'leak', 'the ungated analysis calls this window a leak');
      assert.equal(verdict.verdict, 'inconclusive');
      assert.equal(verdict.growth.confidence, 0);
      assert.match(
        verdict.reason,
        /^Heap floor rising [\d.]+ MiB\/min for 2\d s; waiting to see whether it levels off/,
      );
    });
  });

  describe('a step, saw-tooths and noise', () => {
    it('a step up at 20 s, then flat: inconclusive, then no-leak', () => {
      const history = watch({ seconds: 120, floor: (t) => 20 * MB + (t >= 20 ? 15 * MB : 0), ...churn });
      assertHistory(history, [
        ['inconclusive', 0, 0],
        ['no-leak', 45, 65],
      ]);
    });

    for (const period of [30, 40, 50]) {
      it(`a saw-tooth of the floor (8 MB, ${period} s period, cleared each time) never shows a leak`, () => {
        const history = watch({
          seconds: 180,
          floor: (t) => 20 * MB + 8 * MB * ((t % period) / period),
          ...churn,
        });
        assert.ok(
          history.every((c) => c.verdict !== 'leak'),
          shape(history),
        );
      });
    }

    it('a saw-tooth whose rise outlasts the minimum span (90 s period): one leak call, withdrawn after the fall, never repeated', () => {
      // The limit of any live verdict: 90 s of steady rise is a leak until it falls. After the
      // first fall the rise is not sustained any more, and the verdict says so.
      const history = watch({ seconds: 180, floor: (t) => 20 * MB + 8 * MB * ((t % 90) / 90), ...churn });
      assertHistory(history, [
        ['inconclusive', 0, 0],
        ['leak', 50, 60],
        ['no-leak', 100, 120],
        ['inconclusive', 125, 150],
      ]);
    });

    it('20 seeds of pure noise (4 MB on a 20 MB floor): never a leak, and no-leak by 100 s', () => {
      for (let seed = 1; seed <= 20; seed++) {
        const history = watch({
          seconds: 120,
          floor: () => 20 * MB,
          garbagePerSecond: 3 * MB,
          noiseBytes: 4 * MB,
          seed,
        });
        assert.ok(
          history.every((c) => c.verdict !== 'leak'),
          `seed ${seed}: ${shape(history)}`,
        );
        const noLeak = history.find((c) => c.verdict === 'no-leak');
        assert.ok(noLeak && noLeak.atSeconds <= 100, `seed ${seed}: ${shape(history)}`);
        assert.equal(history[history.length - 1].verdict, 'no-leak', `seed ${seed}: ${shape(history)}`);
      }
    });
  });

  describe('leaks are called once the rise is sustained, and the call lasts', () => {
    const leaks: Array<[mbPerMinute: number, from: number, by: number]> = [
      [12, 50, 58],
      [6, 50, 58],
      [3, 50, 70],
      [1.5, 50, 75],
    ];
    for (const [rate, from, by] of leaks) {
      it(`${rate} MB/min: inconclusive, then leak by ${by} s, to the end`, () => {
        const history = watch({
          seconds: 120,
          floor: (t) => 20 * MB + (rate * MB * t) / 60,
          garbagePerSecond: 3 * MB,
          noiseBytes: 300_000,
        });
        assertHistory(history, [
          ['inconclusive', 0, 0],
          ['leak', from, by],
        ]);
        assert.match(
          history[1].reason,
          /rises [\d.]+ [KM]iB\/min over \d+ s and still rises over the newest \d+ s/,
        );
      });
    }

    it('a slow leak (1.5 MB/min) under heavy churn and 2 MB of noise: leak within three minutes, to the end', () => {
      const history = watch({
        seconds: 180,
        floor: (t) => 20 * MB + (1.5 * MB * t) / 60,
        garbagePerSecond: 20 * MB,
        gcEveryBytes: 30 * MB,
        noiseBytes: 2 * MB,
      });
      assertHistory(history, [
        ['inconclusive', 0, 0],
        ['leak', 60, 150],
      ]);
    });

    for (const every of [10, 20]) {
      it(`a leak that climbs in steps every ${every} s (1.5 MB/min): never a no-leak on a step's flat top`, () => {
        const history = watch({
          seconds: 180,
          floor: (t) => 20 * MB + Math.floor(t / every) * ((1.5 * MB * every) / 60),
          ...churn,
        });
        assertHistory(history, [
          ['inconclusive', 0, 0],
          ['leak', 50, 75],
        ]);
      });
    }

    it('an off-heap leak (Buffers) under a flat JS heap: leak, from the external floor', () => {
      const history = watch({
        seconds: 70,
        floor: () => 20 * MB,
        external: (t) => 5 * MB + (8 * MB * t) / 60,
        ...churn,
      });
      assertHistory(history, [
        ['inconclusive', 0, 0],
        ['leak', 50, 60],
      ]);
      assert.match(history[1].reason, /^Off-heap memory/);
    });
  });

  describe('the tracker', () => {
    it('states its minimum span in the waiting reason', () => {
      assert.equal(DEFAULT_LIVE_OPTIONS.minLeakSpanMs, 50_000);
      const { samples, gcEvents } = synth({ seconds: 30, floor: (t) => 20 * MB + t * 0.5 * MB, ...churn });
      assert.match(
        gateVerdict({ samples, gcEvents }).verdict.reason,
        /a leak is called after 50 s of steady rise/,
      );
    });

    it('keeps the first change and the newest ones when the history is capped', () => {
      const live = new LiveVerdict({ maxHistory: 3, holdMs: 0, releaseMs: 0, minNoLeakSpanMs: 0 });
      const flat = synth({ seconds: 40, floor: () => 20 * MB, ...churn });
      const t0 = flat.samples[0].timeMs;
      // Alternate a flat window (no-leak) and a too-short one (inconclusive).
      for (let i = 0; i < 6; i++) {
        live.update({ samples: flat.samples.slice(0, 2), gcEvents: [] }, t0, t0 + i * 2000);
        live.update(flat, t0, t0 + i * 2000 + 1000);
      }
      assert.equal(live.history.length, 3);
      assert.equal(live.history[0].atSeconds, 0);
      assert.equal(live.history[2].atSeconds, 11);
    });
  });
});
