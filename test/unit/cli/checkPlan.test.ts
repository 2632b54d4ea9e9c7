import { DEFAULT_HOLDERS_BUDGET_MS } from '../../../src/core/session/holderSnapshots';
import { strict as assert } from 'node:assert';
import { isHeapscopeError } from '../../../src/core/errors';
import { planCheck } from '../../../src/cli/check';
import { progressLine, summaryText } from '../../../src/cli/checkFormat';
import { buildReport } from '../../../src/core/report';

const opts = (extra: Record<string, unknown> = {}) => ({ duration: '60', holders: true, ...extra });

describe('check options', () => {
  it('picks exactly one target', () => {
    assert.deepEqual(planCheck(['node', 'a.js'], opts()).target, {
      kind: 'launch',
      command: 'node',
      args: ['a.js'],
      cwd: process.cwd(),
    });
    assert.deepEqual(planCheck([], opts({ attach: '9229' })).target, { kind: 'attach', address: '9229' });
    assert.deepEqual(planCheck([], opts({ pid: '42' })).target, { kind: 'pid', pid: 42 });
    assert.deepEqual(planCheck([], opts({ k8s: 'ns/pod/app', context: 'c' })).target, {
      kind: 'k8s',
      namespace: 'ns',
      pod: 'pod',
      container: 'app',
      context: 'c',
      kubeconfig: undefined,
    });
    for (const bad of [
      [[], opts()],
      [['node'], opts({ attach: '1' })],
      [[], opts({ pid: 'x' })],
      [[], opts({ k8s: 'pod' })],
      [[], opts({ attach: '1', duration: '0' })],
      [[], opts({ attach: '1', metricsInterval: '10' })],
      [[], opts({ attach: '1', holdersMaxHeap: '-1' })],
      [[], opts({ attach: '1', holdersMaxHeap: 'big' })],
      [[], opts({ attach: '1', holdersBudget: '0' })],
      [[], opts({ attach: '1', holdersBudget: 'soon' })],
    ] as const) {
      assert.throws(
        () => planCheck([...bad[0]], bad[1] as never),
        (e: unknown) => isHeapscopeError(e, 'usage'),
      );
    }
  });

  it('takes the holder snapshots heap limit in MiB (0: no limit; default left to the session)', () => {
    assert.equal(
      planCheck([], opts({ attach: '1', holdersMaxHeap: '64' })).holdersMaxHeapBytes,
      64 * 1048576,
    );
    assert.equal(planCheck([], opts({ attach: '1', holdersMaxHeap: '0' })).holdersMaxHeapBytes, 0);
    assert.equal(planCheck([], opts({ attach: '1' })).holdersMaxHeapBytes, undefined);
  });

  it('takes the holder snapshots time budget in seconds (default one minute)', () => {
    assert.equal(planCheck([], opts({ attach: '1', holdersBudget: '90' })).holdersBudgetMs, 90_000);
    assert.equal(planCheck([], opts({ attach: '1' })).holdersBudgetMs, DEFAULT_HOLDERS_BUDGET_MS);
  });

  it('takes the horizon as 90m, 24h, 7d (a bare number is hours) and refuses the rest', () => {
    assert.equal(planCheck([], opts({ attach: '1', horizon: '90m' })).horizonMinutes, 90);
    assert.equal(planCheck([], opts({ attach: '1', horizon: '7d' })).horizonMinutes, 7 * 1440);
    assert.equal(planCheck([], opts({ attach: '1' })).horizonMinutes, undefined);
    assert.throws(() => planCheck([], opts({ attach: '1', horizon: 'soon' })), /--horizon needs a time/);
  });

  it('summarises a report with file:line and holder, relative to the project root', () => {
    const report = buildReport({
      target: { kind: 'attach' },
      startedAtMs: 0,
      endedAtMs: 60_000,
      samples: [],
      gcEvents: 0,
      verdict: {
        verdict: 'leak',
        growth: { heapBytesPerMinute: 2 * 1048576, externalBytesPerMinute: 0, confidence: 0.9 },
        reason: 'floor rises',
      },
      suspects: [
        {
          rank: 1,
          kind: 'heap',
          functionName: 'recordSession',
          url: '/proj/src/server.js',
          line: 11,
          column: 5,
          liveBytes: 1048576,
          growthBytesPerMinute: 1048576,
          stack: [],
          allocation: { line: 16, column: 18, callee: "'x'.repeat", how: 'callee-in-source' },
          holder: {
            kind: 'Array',
            name: 'sessionLog',
            path: [],
            location: { functionName: '', url: '/proj/src/server.js', line: 8, column: 7 },
          },
        },
      ],
    });
    const text = summaryText(report, '/proj');
    assert.match(text, /LEAK after 60 s/);
    assert.match(text, /1\. recordSession {2}src\/server\.js:11:5/);
    assert.match(text, /\n {7}allocates at src\/server\.js:16 \('x'\.repeat\)\n {7}held by/);
    assert.match(text, /held by Array sessionLog at src\/server\.js:8:7/);
    assert.match(text, /confidence 90%/);
  });

  it('progress: a decided verdict with its confidence, an undecided one with what it waits for', () => {
    const growth = { heapBytesPerMinute: 37 * 1024 * 1024, externalBytesPerMinute: 0 };
    const common = { elapsedSeconds: 22.4, durationSeconds: 60, gcCount: 12, state: 'observing' };
    assert.equal(
      progressLine({
        ...common,
        verdict: {
          verdict: 'inconclusive',
          growth: { ...growth, confidence: 0 },
          reason: 'Heap floor rising 37.0 MiB/min for 20 s; waiting to see whether it levels off.',
        },
      }),
      'observing 22/60 s · floor +37.0 MiB/min · inconclusive: heap floor rising 37.0 MiB/min for 20 s; ' +
        'waiting to see whether it levels off · 12 GCs',
    );
    assert.equal(
      progressLine({
        ...common,
        verdict: {
          verdict: 'leak',
          growth: { ...growth, confidence: 0.973 },
          reason: 'JS heap post-GC floor rises.',
        },
      }),
      'observing 22/60 s · floor +37.0 MiB/min · leak (97%) · 12 GCs',
    );
  });

  it('summary: an inconclusive verdict carries its reason, not a confidence', () => {
    const report = buildReport({
      target: { kind: 'attach' },
      startedAtMs: 0,
      endedAtMs: 30_000,
      samples: [],
      gcEvents: 0,
      verdict: {
        verdict: 'inconclusive',
        growth: { heapBytesPerMinute: 2 * 1048576, externalBytesPerMinute: 0, confidence: 0 },
        reason: 'Heap floor rising 2.0 MiB/min for 28 s; waiting to see whether it levels off.',
      },
      suspects: [],
    });
    const text = summaryText(report, '/proj');
    assert.match(text, /^heapscope: inconclusive after 30 s/);
    assert.match(
      text,
      /^ {2}Heap floor rising 2\.0 MiB\/min for 28 s; waiting to see whether it levels off\.$/m,
    );
    assert.match(text, /^ {2}growth: heap floor \+2\.0 MiB\/min, external \+0 B\/min$/m);
  });
});
