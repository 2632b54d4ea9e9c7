// Backing-store attribution: the off-heap floor's growth given to the Buffer sites that create it.
import { strict as assert } from 'node:assert';
import { attributeOffHeap, backingStoreShare } from '../../../src/core/leak/offHeapAttribution';
import { explainedGrowth } from '../../../src/shared/explained';
import type { MemorySample, Suspect, TrendVerdict } from '../../../src/core/types';

const MiB = 1024 * 1024;

function suspect(kind: Suspect['kind'], growth: number, extra: Partial<Suspect> = {}): Suspect {
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
    series: [[0, 1]],
    ...extra,
  };
}

/** One reading a second for `seconds`; external and arrayBuffers rise at the given rates per minute. */
function samples(seconds: number, externalPerMinute: number, arrayBuffersPerMinute: number): MemorySample[] {
  return Array.from({ length: seconds }, (_, i) => ({
    timeMs: 1_000_000 + i * 1000,
    rssBytes: 100 * MiB,
    heapTotalBytes: 10 * MiB,
    heapUsedBytes: 5 * MiB,
    // A little jitter: the slope must come through it.
    externalBytes: 2 * MiB + (externalPerMinute * i) / 60 + (i % 3) * 1000,
    arrayBuffersBytes: MiB + (arrayBuffersPerMinute * i) / 60 + (i % 2) * 1000,
  }));
}

function verdict(heap: number, external: number): TrendVerdict {
  return {
    verdict: 'leak',
    growth: { heapBytesPerMinute: heap, externalBytesPerMinute: external, confidence: 0.9 },
    reason: 'x',
  };
}

describe('leak/offHeapAttribution: backing stores given to the sites that create them', () => {
  it('one Buffer site seen through its wrappers takes the whole backing-store growth', () => {
    const floor = { externalBytesPerMinute: 75 * MiB, samples: samples(60, 75 * MiB, 75 * MiB) };
    const [site, heap] = attributeOffHeap(
      [suspect('external', 0.2 * MiB), suspect('heap', MiB)],
      () => floor,
    );
    assert.equal(site.growthBytesPerMinute, 0.2 * MiB, 'the sampled figure is kept as it was');
    assert.equal(site.offHeap?.method, 'array-buffers-by-sampled-wrappers');
    assert.equal(site.offHeap?.share, 1);
    assert.ok(Math.abs(site.offHeap!.attributedGrowthBytesPerMinute - 75 * MiB) < 0.02 * 75 * MiB);
    assert.equal(heap.offHeap, undefined, 'heap suspects get nothing');
    const explained = explainedGrowth(verdict(0, 75 * MiB), [site, heap]);
    assert.ok(explained.externalShare! > 0.95, `externalShare ${explained.externalShare}`);
    assert.equal(explained.externalSampledShare, 0.003);
  });

  it('several sites share it in proportion to their sampled wrapper growth', () => {
    const floor = { externalBytesPerMinute: 40 * MiB, samples: samples(60, 40 * MiB, 40 * MiB) };
    const out = attributeOffHeap(
      [suspect('external', 3 * MiB), suspect('external', MiB), suspect('external', -MiB)],
      () => floor,
    );
    assert.equal(out[0].offHeap?.share, 0.75);
    assert.equal(out[1].offHeap?.share, 0.25);
    assert.equal(out[2].offHeap, undefined, 'a shrinking site is given nothing');
    const total =
      out[0].offHeap!.attributedGrowthBytesPerMinute + out[1].offHeap!.attributedGrowthBytesPerMinute;
    assert.ok(Math.abs(total - 40 * MiB) < 0.02 * 40 * MiB);
  });

  it('only the ArrayBuffer part of the off-heap growth is attributed: the rest stays unexplained', () => {
    // External strings or addon memory grow too: only a quarter of `external` is backing stores.
    const floor = { externalBytesPerMinute: 40 * MiB, samples: samples(60, 40 * MiB, 10 * MiB) };
    const [site] = attributeOffHeap([suspect('external', MiB)], () => floor);
    const share = site.offHeap!.attributedGrowthBytesPerMinute / (40 * MiB);
    assert.ok(share > 0.22 && share < 0.28, `attributed share ${share}`);
    assert.ok(explainedGrowth(verdict(0, 40 * MiB), [site]).externalShare! < 0.3);
  });

  it('each isolate gives its own floor to its own sites', () => {
    const floors: Record<string, { externalBytesPerMinute: number; samples: MemorySample[] }> = {
      main: { externalBytesPerMinute: 0, samples: samples(60, 0, 0) },
      '1': { externalBytesPerMinute: 20 * MiB, samples: samples(60, 20 * MiB, 20 * MiB) },
    };
    const out = attributeOffHeap(
      [suspect('external', MiB, { isolate: 'main' }), suspect('external', MiB, { isolate: '1' })],
      (id) => floors[id],
    );
    assert.equal(out[0].offHeap, undefined, 'a flat floor is attributed to no one');
    assert.equal(out[1].offHeap?.share, 1);
    assert.ok(out[1].offHeap!.attributedGrowthBytesPerMinute > 19 * MiB);
  });

  it('attributes nothing without a rising floor, enough readings, or a sampled series', () => {
    const rising = { externalBytesPerMinute: 40 * MiB, samples: samples(60, 40 * MiB, 40 * MiB) };
    assert.equal(attributeOffHeap([suspect('external', MiB)], () => undefined)[0].offHeap, undefined);
    assert.equal(
      attributeOffHeap([suspect('external', MiB)], () => ({
        ...rising,
        samples: rising.samples.slice(0, 3),
      }))[0].offHeap,
      undefined,
    );
    assert.equal(
      attributeOffHeap([suspect('external', MiB, { series: undefined })], () => rising)[0].offHeap,
      undefined,
      'a holder-only suspect already counts the backing stores it retains',
    );
    // A stale attribution is dropped when the floor stops rising.
    const stale = suspect('external', MiB, {
      offHeap: { attributedGrowthBytesPerMinute: MiB, share: 1, method: 'array-buffers-by-sampled-wrappers' },
    });
    const flat = { externalBytesPerMinute: 0, samples: samples(60, 0, 0) };
    assert.equal(attributeOffHeap([stale], () => flat)[0].offHeap, undefined);
    assert.ok(stale.offHeap, 'the input is not changed');
  });

  it('backingStoreShare reads the ArrayBuffer slope against the external slope', () => {
    assert.ok(Math.abs(backingStoreShare(samples(90, 30 * MiB, 15 * MiB))! - 0.5) < 0.02);
    assert.equal(backingStoreShare(samples(90, 30 * MiB, 60 * MiB)), 1, 'capped at 1');
    assert.equal(backingStoreShare(samples(90, -MiB, 0)), undefined, 'no share of a falling floor');
  });
});
