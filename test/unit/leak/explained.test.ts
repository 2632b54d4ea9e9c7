// The share of the measured growth that the suspects account for.
import { strict as assert } from 'node:assert';
import { explainedGrowth, explainedSentence } from '../../../src/shared/explained';
import type { Suspect, TrendVerdict } from '../../../src/core/types';

const MiB = 1024 * 1024;

function suspect(kind: Suspect['kind'], growth: number): Suspect {
  return {
    rank: 1,
    kind,
    functionName: 'f',
    url: 'file:///a.js',
    line: 1,
    column: 1,
    liveBytes: 1,
    growthBytesPerMinute: growth,
    stack: [],
  };
}

function verdict(heap: number, external: number): TrendVerdict {
  return {
    verdict: 'leak',
    growth: { heapBytesPerMinute: heap, externalBytesPerMinute: external, confidence: 0.9 },
    reason: 'x',
  };
}

describe('leak/explained: how much of the growth the suspects account for', () => {
  it('a Buffer leak seen through its wrappers explains little of the off-heap growth, and says so', () => {
    const out = explainedGrowth(verdict(0, 739 * MiB), [
      suspect('external', 1.9 * MiB),
      suspect('heap', MiB),
    ]);
    assert.deepEqual(out, { externalShare: 0.003 });
  });

  it('heap suspects against the heap floor, capped at 1, shrinking sites ignored', () => {
    const out = explainedGrowth(verdict(4 * MiB, 0), [
      suspect('heap', 3 * MiB),
      suspect('heap', -2 * MiB),
      suspect('external', MiB),
    ]);
    assert.deepEqual(out, { heapShare: 0.75 });
    assert.deepEqual(explainedGrowth(verdict(MiB, 0), [suspect('heap', 3 * MiB)]), { heapShare: 1 });
  });

  it('no share of a floor that does not rise, nor without a verdict', () => {
    assert.deepEqual(explainedGrowth(verdict(10_000, -MiB), [suspect('heap', MiB)]), {});
    assert.deepEqual(explainedGrowth(undefined, [suspect('heap', MiB)]), {});
  });

  it('reads the same sentence in the CLI and the live view, attributed and sampled apart', () => {
    assert.equal(
      explainedSentence({ heapShare: 0.92, externalShare: 0.88, externalSampledShare: 0.003 }),
      'suspects explain 92 % of the heap growth, 88 % of off-heap (attributed backing stores; sampled wrappers alone: 0.3 %)',
    );
    assert.equal(
      explainedSentence({ externalShare: 0.003 }),
      'suspects explain 0.3 % of off-heap (sampling sees Buffer wrappers, not their backing stores)',
    );
    assert.equal(explainedSentence({ heapShare: 0 }), 'suspects explain 0 % of the heap growth');
    assert.equal(explainedSentence({}), undefined);
    assert.equal(explainedSentence(undefined), undefined);
  });

  it("with worker threads, the process growth is the sum of the isolates' rising floors", () => {
    const isolate = (heap: number) => ({
      growth: { heapBytesPerMinute: heap, externalBytesPerMinute: 0, confidence: 0.9 },
    });
    // The process verdict carries the leaking worker's 3 MiB/min; the main thread rises 1 MiB/min too.
    const out = explainedGrowth(
      verdict(3 * MiB, 0),
      [suspect('heap', 3 * MiB), suspect('heap', MiB / 2)],
      [isolate(MiB), isolate(3 * MiB), isolate(-MiB)],
    );
    assert.deepEqual(out, { heapShare: 0.875 });
    // One isolate: its own verdict's figures.
    assert.deepEqual(explainedGrowth(verdict(4 * MiB, 0), [suspect('heap', MiB)], [isolate(MiB)]), {
      heapShare: 0.25,
    });
  });
});
