import { strict as assert } from 'node:assert';
import { buildReport, validateReport } from '../../../src/core/report';
import type { Suspect } from '../../../src/core/types';

const suspect: Suspect = {
  rank: 9,
  kind: 'heap',
  functionName: 'recordSession',
  url: '/app/server.js',
  line: 10,
  column: 3,
  liveBytes: 1000,
  growthBytesPerMinute: 5000,
  stack: [{ functionName: 'recordSession', url: '/app/server.js', line: 10, column: 3 }],
  holder: { kind: 'Array', name: 'sessionLog', path: ['(global)', 'sessionLog'] },
};

describe('report', () => {
  const base = {
    target: { kind: 'launch' as const, command: ['node', 'x.js'], inspectorUrl: 'ws://u:p@127.0.0.1:1/x' },
    startedAtMs: Date.parse('2026-01-01T00:00:00Z'),
    endedAtMs: Date.parse('2026-01-01T00:01:00Z'),
    samples: [
      {
        timeMs: 1,
        rssBytes: 10,
        heapTotalBytes: 8,
        heapUsedBytes: 5,
        externalBytes: 1,
        arrayBuffersBytes: 0,
        heapLimitBytes: 100,
      },
    ],
    gcEvents: 3,
    suspects: [suspect],
  };

  it('builds schema 1 with ranks from 1, no credentials, and passes its own validator', () => {
    const report = buildReport({
      ...base,
      verdict: {
        verdict: 'leak',
        growth: { heapBytesPerMinute: 1234.6, externalBytesPerMinute: 0, confidence: 0.98765 },
        minutesToHeapLimit: 12.34,
        reason: 'floor rises',
      },
    });
    assert.equal(report.schema, 1);
    assert.equal(report.durationSeconds, 60);
    assert.equal(report.suspects[0].rank, 1);
    assert.equal(report.growth.heapBytesPerMinute, 1235);
    assert.equal(report.growth.confidence, 0.988);
    assert.equal(report.minutesToHeapLimit, 12.3);
    assert.equal(report.heapLimitBytes, 100);
    assert.equal(report.target.inspectorUrl, 'ws://127.0.0.1:1/x');
    assert.deepEqual(validateReport(report), []);
    assert.deepEqual(validateReport(JSON.parse(JSON.stringify(report))), []);
  });

  it('is inconclusive without a verdict, and the validator names each problem', () => {
    const report = buildReport(base);
    assert.equal(report.verdict, 'inconclusive');
    assert.deepEqual(validateReport(report), []);
    const broken = JSON.parse(JSON.stringify(report));
    broken.schema = 2;
    broken.verdict = 'maybe';
    broken.suspects[0].line = -1;
    delete broken.growth.confidence;
    const problems = validateReport(broken);
    assert.ok(problems.includes('report.schema: expected 1'));
    assert.ok(problems.some((p) => p.startsWith('report.verdict')));
    assert.ok(problems.some((p) => p.startsWith('report.suspects[0].line')));
    assert.ok(problems.includes('report.growth.confidence: missing'));
    assert.ok(validateReport('nope').length > 0);
  });

  it('carries the history of the live verdict, and the validator checks each change', () => {
    const verdictHistory = [
      { atSeconds: 1, verdict: 'inconclusive' as const, confidence: 0, reason: 'Not enough data yet.' },
      { atSeconds: 53.2, verdict: 'leak' as const, confidence: 0.97, reason: 'Heap floor rises.' },
    ];
    const report = buildReport({ ...base, verdictHistory });
    assert.deepEqual(report.verdictHistory, verdictHistory);
    assert.notEqual(report.verdictHistory, verdictHistory, 'a copy, not the live array');
    assert.deepEqual(validateReport(report), []);
    assert.equal(buildReport(base).verdictHistory, undefined);
    const broken = JSON.parse(JSON.stringify(report));
    broken.verdictHistory[1].verdict = 'maybe';
    broken.verdictHistory[1].confidence = 2;
    delete broken.verdictHistory[0].atSeconds;
    assert.deepEqual(validateReport(broken), [
      'report.verdictHistory[0].atSeconds: missing',
      'report.verdictHistory[1].verdict: expected one of leak, no-leak, inconclusive',
      'report.verdictHistory[1].confidence: expected 0..1',
    ]);
  });

  it('keeps attributed off-heap growth apart from the sampled figures, and validates both', () => {
    const offHeap = {
      ...suspect,
      kind: 'external' as const,
      holder: undefined,
      offHeap: {
        attributedGrowthBytesPerMinute: 72 * 1024 * 1024,
        share: 1,
        method: 'array-buffers-by-sampled-wrappers' as const,
      },
    };
    const report = buildReport({
      ...base,
      suspects: [offHeap],
      verdict: {
        verdict: 'leak',
        growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 72 * 1024 * 1024, confidence: 0.9 },
        reason: 'off-heap rises',
      },
    });
    assert.deepEqual(report.explained, { externalShare: 1, externalSampledShare: 0 });
    assert.equal(report.suspects[0].growthBytesPerMinute, 5000, 'the sampled figure is unchanged');
    assert.deepEqual(validateReport(report), []);
    const broken = JSON.parse(JSON.stringify(report));
    broken.suspects[0].offHeap.share = 1.5;
    broken.suspects[0].offHeap.method = 'guess';
    broken.explained.externalSampledShare = -1;
    assert.deepEqual(validateReport(broken), [
      'report.suspects[0].offHeap.share: expected 0..1',
      'report.suspects[0].offHeap.method: expected one of array-buffers-by-sampled-wrappers',
      'report.explained.externalSampledShare: expected 0..1',
    ]);
  });
});
