// The live view's lines under the verdict: the explained share and one line per isolate.
import { strict as assert } from 'node:assert';
import { isHostMessage } from '../../../src/shared/protocol';
import type { IsolateReport, Suspect, TrendVerdict } from '../../../src/shared/protocol';
import { explainedText, growthCell, isolateLines } from '../../../webview/summary';

const MiB = 1024 * 1024;

function isolate(
  id: string,
  verdict: IsolateReport['verdict'],
  heap: number,
  extra: Partial<IsolateReport> = {},
) {
  const report: IsolateReport = {
    id,
    kind: id === 'main' ? 'main' : 'worker',
    name: id === 'main' ? 'main' : `pool-${id}`,
    verdict,
    reason: 'r',
    growth: { heapBytesPerMinute: heap, externalBytesPerMinute: 0, confidence: 0.9 },
    samples: 60,
    ...extra,
  };
  return report;
}

const offHeapSuspect: Suspect = {
  rank: 1,
  kind: 'external',
  functionName: 'keepForReplay',
  url: 'file:///app/buffers.js',
  line: 8,
  column: 1,
  liveBytes: 256 * 1024,
  growthBytesPerMinute: 218 * 1024,
  stack: [],
  offHeap: {
    attributedGrowthBytesPerMinute: 72.6 * MiB,
    share: 1,
    method: 'array-buffers-by-sampled-wrappers',
  },
};

function verdict(kind: TrendVerdict['verdict'], heap: number, external: number): TrendVerdict {
  return {
    verdict: kind,
    growth: { heapBytesPerMinute: heap, externalBytesPerMinute: external, confidence: 0.9 },
    reason: 'r',
  };
}

describe('webview summary lines: explained share and isolates', () => {
  it('one line per isolate, main first; a leaking worker says so with its file', () => {
    const lines = isolateLines([
      isolate('main', 'no-leak', 0),
      isolate('2', 'leak', 3.2 * MiB, { url: 'file:///app/worker.js' }),
      isolate('3', 'inconclusive', 0, { ended: true }),
    ]);
    assert.deepEqual(
      lines.map((l) => [l.id, l.label, l.verdict, l.text]),
      [
        ['main', 'main thread', 'no-leak', 'no leak · heap ±0 B/min · external ±0 B/min'],
        ['2', 'worker pool-2 (worker.js)', 'leak', 'LEAK · heap +3.2 MiB/min · external ±0 B/min'],
        ['3', 'worker pool-3, ended', 'inconclusive', 'watching… · heap ±0 B/min · external ±0 B/min'],
      ],
    );
  });

  it('no isolate lines for a process without workers', () => {
    assert.deepEqual(isolateLines(undefined), []);
    assert.deepEqual(isolateLines([isolate('main', 'leak', MiB)]), []);
  });

  it('the explained share is shown for a rising floor, never for a no-leak', () => {
    assert.equal(
      explainedText(verdict('leak', 0, 72.6 * MiB), [offHeapSuspect]),
      'suspects explain 100 % of off-heap (attributed backing stores; sampled wrappers alone: 0.3 %)',
    );
    assert.equal(explainedText(verdict('no-leak', 0, 72.6 * MiB), [offHeapSuspect]), '');
    assert.equal(explainedText(null, [offHeapSuspect]), '');
    assert.equal(explainedText(verdict('inconclusive', 0, 0), []), '');
    // With workers, against the sum of the isolates' rising floors, not the strongest one alone.
    const heapSuspect = {
      ...offHeapSuspect,
      kind: 'heap' as const,
      offHeap: undefined,
      growthBytesPerMinute: MiB,
    };
    assert.equal(
      explainedText(
        verdict('leak', 2 * MiB, 0),
        [heapSuspect],
        [isolate('main', 'leak', 2 * MiB), isolate('2', 'leak', 2 * MiB)],
      ),
      'suspects explain 25 % of the heap growth',
    );
  });

  it('an off-heap suspect shows its sampled growth and, apart, the attributed backing stores', () => {
    const cell = growthCell(offHeapSuspect);
    assert.equal(cell.text, '+218 KiB/min');
    assert.equal(cell.detail, '≈ +72.6 MiB/min backing stores');
    assert.match(cell.title ?? '', /^Sampled: \+218 KiB\/min of JS wrappers.*Attributed \(estimate\)/);
    assert.deepEqual(growthCell({ ...offHeapSuspect, offHeap: undefined }), { text: '+218 KiB/min' });
  });

  it('the host may send the isolates; malformed ones are refused', () => {
    const isolates = [isolate('main', 'no-leak', 0), isolate('2', 'leak', MiB)];
    assert.ok(isHostMessage({ type: 'isolates', sessionId: 's', isolates }));
    assert.ok(!isHostMessage({ type: 'isolates', sessionId: 's', isolates: [{ id: 'main' }] }));
    assert.ok(!isHostMessage({ type: 'isolates', isolates }));
  });
});
