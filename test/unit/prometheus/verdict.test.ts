import { strict as assert } from 'node:assert';
import {
  counterSteps,
  dedupeEvents,
  dropEvents,
  podChanges,
  segmentBounds,
} from '../../../src/core/prometheus/events';
import { dailyFloor, judgeHistory } from '../../../src/core/prometheus/verdict';
import type { PromSeries } from '../../../src/shared/prometheusTypes';

const MiB = 1024 * 1024;
const DAY = 86400;

function gauge(name: string, start: number, end: number, step: number, f: (t: number) => number): PromSeries {
  const points: Array<[number, number]> = [];
  for (let t = start; t <= end; t += step) points.push([t, Math.round(f(t))]);
  return { name, promql: name, unit: 'bytes', points };
}

describe('prometheus events and verdict', () => {
  it('reads restarts and OOM kills from counter steps and new pod names from series starts', () => {
    const restarts = [
      {
        metric: { pod: 'a' },
        points: [
          [0, 0],
          [60, 0],
          [120, 1],
          [180, 1],
          [240, 3],
        ] as Array<[number, number]>,
      },
    ];
    const events = counterSteps(restarts, 'restart', 'restarts', 0, 60);
    assert.deepEqual(
      events.map((e) => e.time),
      [120, 240],
    );
    const reason = [
      {
        metric: { pod: 'a' },
        points: [
          [600, 1],
          [660, 1],
        ] as Array<[number, number]>,
      },
    ];
    assert.equal(counterSteps(reason, 'oom-kill', 'reason', 0, 60, true).length, 1);
    assert.equal(counterSteps(reason, 'oom-kill', 'reason', 0, 60, false).length, 0);
    const pods = [
      { metric: { pod: 'a' }, points: [[0, 1]] as Array<[number, number]> },
      { metric: { pod: 'b' }, points: [[900, 1]] as Array<[number, number]> },
    ];
    assert.deepEqual(
      podChanges(pods, 0, 60).map((e) => [e.kind, e.pod, e.time]),
      [['pod-change', 'b', 900]],
    );
    const merged = dedupeEvents(
      [
        { kind: 'oom-kill', time: 120, pod: 'a', source: 'x' },
        { kind: 'oom-kill', time: 180, pod: 'a', source: 'y' },
        { kind: 'restart', time: 120, pod: 'a', source: 'z' },
      ],
      60,
    );
    assert.equal(merged.length, 2);
    assert.deepEqual(segmentBounds(merged, 0, 1000, 60), [
      { start: 0, end: 60, startedBy: undefined },
      { start: 120, end: 1000, startedBy: 'oom-kill' },
    ]);
  });

  it('assumes a restart where the working set falls by more than half in one step and no metric said so', () => {
    const pts: Array<[number, number]> = [
      [0, 300 * MiB],
      [60, 310 * MiB],
      [120, 100 * MiB],
      [180, 101 * MiB],
      [240, 40 * MiB],
      [300, 10 * MiB],
    ];
    const known = [{ kind: 'oom-kill' as const, time: 660, pod: 'a', source: 'x' }];
    const drops = dropEvents(pts, known, 60);
    assert.deepEqual(
      drops.map((e) => [e.kind, e.time]),
      [
        ['restart', 120],
        ['restart', 240],
      ],
    );
    assert.match(drops[0].source, /fell 68% in one step/);
    assert.equal(
      dropEvents(
        [
          [0, 20 * MiB],
          [60, 5 * MiB],
        ],
        [],
        60,
      ).length,
      0,
      'small containers need a real drop',
    );
  });

  it('takes the trailing 24 h minimum so that a daily cycle is flat and a leak keeps its rate', () => {
    const start = 0;
    const samples = Array.from({ length: 7 * 24 + 1 }, (_, i) => ({
      timeMs: i * 3600_000,
      heapUsedBytes: 100 * MiB + 50 * MiB * ((i % 24) / 24),
      heapTotalBytes: 0,
      rssBytes: 0,
      externalBytes: 0,
      arrayBuffersBytes: 0,
    }));
    const floor = dailyFloor(samples);
    assert.equal(floor[0].timeMs, start + DAY * 1000);
    assert.ok(floor.every((s) => s.heapUsedBytes === 100 * MiB));
  });

  it('two days: a daily cycle is never a leak, and a leak under one is never a no-leak', () => {
    const end = 2 * DAY;
    const step = 300;
    // A fixed pseudo-random wobble: the verdict must not hang on one lucky draw.
    const wobble = (t: number) => Math.sin(t * 12.9898) * 1 * MiB;
    for (let phase = 0; phase < 1; phase += 0.125) {
      const cycle = (t: number) => 40 * MiB * Math.sin(2 * Math.PI * (t / DAY + phase));
      const flat = gauge('workingSet', 0, end, step, (t) => 200 * MiB + cycle(t) + wobble(t));
      const calm = judgeHistory([flat], [], 0, end, step);
      assert.notEqual(calm.verdict, 'leak', `cycle at phase ${phase}: ${calm.reason}`);
      const leaking = gauge(
        'workingSet',
        0,
        end,
        step,
        (t) => 200 * MiB + cycle(t) + (20 * MiB * t) / DAY + wobble(t),
      );
      const leak = judgeHistory([leaking], [], 0, end, step);
      assert.notEqual(leak.verdict, 'no-leak', `leak under a cycle at phase ${phase}: ${leak.reason}`);
    }
  });

  it('judges within segments: a restart drop is not a decline, growth after it is a leak', () => {
    const step = 300;
    const end = 7 * DAY;
    const restartAt = 4 * DAY;
    const ws = gauge('workingSet', 0, end, step, (t) =>
      t < restartAt ? 100 * MiB + (t / DAY) * 60 * MiB : 100 * MiB + ((t - restartAt) / DAY) * 60 * MiB,
    );
    const limit = gauge('limit', 0, end, step, () => 512 * MiB);
    const v = judgeHistory(
      [ws, limit],
      [{ kind: 'restart', time: restartAt, pod: 'a', source: 'test' }],
      0,
      end,
      step,
    );
    assert.equal(v.verdict, 'leak');
    assert.equal(v.basis, 'workingSet');
    assert.equal(v.segments, 2);
    assert.equal(v.segment?.start, restartAt);
    assert.ok(Math.abs(v.bytesPerDay - 60 * MiB) < 2 * MiB, `${v.bytesPerDay}`);
    // 280 MiB now, 232 MiB to go at 60 MiB/day: ~3.9 days.
    assert.ok(v.daysToLimit !== undefined && Math.abs(v.daysToLimit - 232 / 60) < 0.2, `${v.daysToLimit}`);
    assert.match(
      v.summary,
      /^growing 60\.\d MiB\/day since the restart on .*; at this rate it reaches its 512\.0 MiB limit in ~4 days/,
    );
  });

  it('is inconclusive without memory series', () => {
    const v = judgeHistory([], [], 0, DAY, 60);
    assert.equal(v.verdict, 'inconclusive');
    assert.equal(v.basis, 'none');
  });
});
