// The live view's lines for a launched process tree, the chart's gaps at a change of process, and the
// message that carries them.
import { strict as assert } from 'node:assert';
import { isHostMessage } from '../../../src/shared/protocol';
import type { FollowChange, ProcessReport } from '../../../src/shared/protocol';
import { decimateApart } from '../../../webview/downsample';
import { SampleStore } from '../../../webview/store';
import { processLines } from '../../../webview/summary';

const MiB = 1024 * 1024;

function proc(pid: number, extra: Partial<ProcessReport> = {}): ProcessReport {
  return {
    pid,
    ppid: 1,
    command: ['/usr/bin/node', '/app/server.js'],
    role: 'app',
    verdict: 'no-leak',
    reason: 'r',
    growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 1 },
    samples: 30,
    startedAtSeconds: 0,
    suspects: 0,
    ...extra,
  };
}

const tree: ProcessReport[] = [
  proc(100, {
    command: ['/usr/bin/node', '/usr/lib/npm/bin/npm-cli.js', 'run', 'start'],
    role: 'wrapper',
    wrapper: 'npm',
    verdict: undefined,
    reason: undefined,
    growth: undefined,
    samples: 0,
  }),
  proc(101, { command: ['/usr/bin/node', '/app/cluster.js'], role: 'supervisor' }),
  proc(102, {
    command: ['/usr/bin/node', '/app/cluster.js', '--port', '3000', '--extra'],
    verdict: 'leak',
    growth: { heapBytesPerMinute: 3.2 * MiB, externalBytesPerMinute: 0, confidence: 0.98 },
    suspects: 2,
  }),
  proc(103, { verdict: 'inconclusive', endedAtSeconds: 41.5 }),
];

describe('webview process lines of a launched tree', () => {
  it('one line per process: pid, script, role, verdict and heap rate; a wrapper is not observed', () => {
    assert.deepEqual(
      processLines(tree, 102).map((l) => [l.pid, l.label, l.verdict, l.text]),
      [
        [100, 'pid 100 npm-cli.js run start (wrapper)', 'wrapper', 'wrapper (npm), not observed'],
        [101, 'pid 101 cluster.js (supervisor)', 'no-leak', 'no leak · heap ±0 B/min'],
        [102, 'pid 102 cluster.js --port 3000 (app, chart)', 'leak', 'LEAK · heap +3.2 MiB/min'],
        [103, 'pid 103 server.js (app, ended at 41.5 s)', 'inconclusive', 'watching… · heap ±0 B/min'],
      ],
    );
  });

  it('no lines for a single process', () => {
    assert.deepEqual(processLines(undefined), []);
    assert.deepEqual(processLines([proc(7)], 7), []);
  });

  it('the host may send the processes; malformed ones are refused', () => {
    const changes: FollowChange[] = [{ timeMs: 5000, fromPid: 103, toPid: 104, restart: true }];
    const message = { type: 'processes', sessionId: 's', processes: tree, followedPid: 102, changes };
    assert.ok(isHostMessage(message));
    assert.ok(!isHostMessage({ ...message, processes: [{ pid: 1 }] }));
    assert.ok(!isHostMessage({ ...message, changes: [{ timeMs: 1, fromPid: 1 }] }));
    assert.ok(!isHostMessage({ ...message, sessionId: undefined }));
    const init = {
      type: 'init',
      sessionId: 's',
      name: 'n',
      readOnly: false,
      status: { state: 'observing' },
      samples: [],
      gcEvents: [],
      verdict: null,
      suspects: [],
      allocationSampling: true,
    };
    assert.ok(isHostMessage({ ...init, processes: { processes: tree, changes } }));
    assert.ok(!isHostMessage({ ...init, processes: { processes: tree } }));
  });
});

describe('webview chart gaps at a change of process', () => {
  function columns(times: number[], values: number[]) {
    return { x: times, ys: [values], length: times.length };
  }

  it('a null row between the old process and the new one, never a line across', () => {
    // pid A read 0..4 s, pid B from 7 s on; the chart changed process at 6 s.
    const c = columns([0, 1000, 2000, 3000, 4000, 7000, 8000, 9000], [10, 11, 12, 13, 14, 50, 51, 52]);
    const d = decimateApart(c, [6000], 0, 9000, 100);
    assert.deepEqual(d.x, [0, 1000, 2000, 3000, 4000, 5500, 7000, 8000, 9000]);
    assert.deepEqual(d.ys[0], [10, 11, 12, 13, 14, null, 50, 51, 52]);
  });

  it('decimates each stretch apart: no bucket mixes two processes', () => {
    const times = Array.from({ length: 2000 }, (_, i) => i * 1000);
    // The first process climbs to 999; the second starts back at 0.
    const values = times.map((_, i) => (i < 1000 ? i : i - 1000));
    const d = decimateApart(columns(times, values), [1_000_000], 0, 1_999_000, 50);
    const gap = d.ys[0]!.indexOf(null);
    assert.ok(gap > 0, 'a gap');
    assert.equal(d.ys[0]!.filter((v) => v === null).length, 1);
    assert.ok(d.x[gap - 1]! < 1_000_000 && d.x[gap + 1]! >= 1_000_000);
    assert.equal(d.ys[0]![gap - 1], 999, 'the old process ends on its own last reading');
    assert.equal(d.ys[0]![gap + 1], 0, 'the new one starts on its own first reading');
    assert.ok(d.x.length <= 2 * 50 + 4, `decimated: ${d.x.length}`);
  });

  it('a window on one side of the change shows one stretch, without a gap', () => {
    const c = columns([0, 1000, 2000, 7000, 8000], [1, 2, 3, 4, 5]);
    assert.deepEqual(decimateApart(c, [6000], 7000, 8000, 10), { x: [7000, 8000], ys: [[4, 5]] });
    assert.deepEqual(decimateApart(c, [], 0, 8000, 10).ys[0], [1, 2, 3, 4, 5]);
  });

  it('the store keeps the changes in time order and says when they changed', () => {
    const store = new SampleStore();
    const a = { timeMs: 9000, fromPid: 2, toPid: 3, restart: true };
    const b = { timeMs: 4000, fromPid: 1, toPid: 2, restart: false };
    assert.equal(store.setBreaks([a, b]), true);
    assert.deepEqual(
      store.breaks.map((c) => c.timeMs),
      [4000, 9000],
    );
    assert.equal(store.setBreaks([b, a]), false);
    store.clear();
    assert.deepEqual(store.breaks, []);
  });
});
