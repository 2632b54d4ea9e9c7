// Backing-store attribution: how much of the off-heap floor's rise each Buffer site accounts for.
// The sampling heap profiler samples the JS heap only, so a 64 KiB Buffer is seen as its ~150-byte
// wrapper (Uint8Array + JSArrayBuffer) and its backing store, allocated by the ArrayBuffer allocator,
// is never sampled. What can be measured: the isolate's `arrayBuffers` figure (the backing stores
// alone, inside `external`) and, per site, the sampled growth of the wrappers. Each growing off-heap
// site gets the part of the backing stores' growth that matches its share of the sampled wrapper
// growth. It is an estimate, kept apart from the sampled figures (Suspect.offHeap); the method and
// its limits are in docs/leak-method.md §2 "Backing stores".
import type { MemorySample, Suspect } from '../types';
import { theilSen } from './stats';

/** What is known of one isolate's off-heap memory. */
export interface OffHeapFloor {
  /** Growth of the isolate's off-heap floor (its verdict's growth.externalBytesPerMinute). */
  externalBytesPerMinute: number;
  /** The isolate's readings: the backing stores' part of the off-heap growth is read from them. */
  samples: readonly MemorySample[];
}

export const OFF_HEAP_METHOD = 'array-buffers-by-sampled-wrappers' as const;

/** Below this the off-heap floor's growth is noise (the same cut as the explained share). */
const MIN_EXTERNAL_GROWTH_PER_MINUTE = 64 * 1024;
/** Readings used for the backing stores' share: enough for a slope, bounded for O(n²) Theil–Sen. */
const MAX_POINTS = 120;
const MIN_POINTS = 5;

/**
 * Sets `offHeap` on each sampled off-heap suspect, per isolate (`suspect.isolate`, `main` when
 * absent), and removes a stale one from the others. Suspects are copied, never changed in place.
 */
export function attributeOffHeap(
  suspects: readonly Suspect[],
  floorOf: (isolate: string) => OffHeapFloor | undefined,
): Suspect[] {
  const out = suspects.map((s) => {
    const copy = { ...s };
    delete copy.offHeap;
    return copy;
  });
  const byIsolate = new Map<string, Suspect[]>();
  for (const s of out) {
    // Holder-only suspects carry no sampled series: their growth is already the snapshots'
    // retained bytes, backing stores included.
    if (s.kind !== 'external' || !s.series || s.growthBytesPerMinute <= 0) continue;
    const key = s.isolate ?? 'main';
    byIsolate.set(key, [...(byIsolate.get(key) ?? []), s]);
  }
  for (const [isolate, sites] of byIsolate) {
    const floor = floorOf(isolate);
    if (!floor || floor.externalBytesPerMinute <= MIN_EXTERNAL_GROWTH_PER_MINUTE) continue;
    const share = backingStoreShare(floor.samples);
    if (share === undefined || share <= 0) continue;
    const pool = floor.externalBytesPerMinute * share;
    const sampled = sites.reduce((a, s) => a + s.growthBytesPerMinute, 0);
    for (const s of sites) {
      const weight = s.growthBytesPerMinute / sampled;
      s.offHeap = {
        attributedGrowthBytesPerMinute: Math.round(pool * weight),
        share: Math.round(weight * 1000) / 1000,
        method: OFF_HEAP_METHOD,
      };
    }
  }
  return out;
}

/**
 * The part (0..1) of the off-heap growth that is ArrayBuffer backing stores: the slope of
 * `arrayBuffers` over the slope of `external`, on the same readings. The rest of `external`
 * (external strings, addon memory reported to V8) has no sampled site to go to.
 */
export function backingStoreShare(samples: readonly MemorySample[]): number | undefined {
  if (samples.length < MIN_POINTS) return undefined;
  const stride = Math.max(1, Math.ceil(samples.length / MAX_POINTS));
  const picked: MemorySample[] = [];
  for (let i = (samples.length - 1) % stride; i < samples.length; i += stride) picked.push(samples[i]);
  const t0 = picked[0].timeMs;
  const minutes = picked.map((s) => (s.timeMs - t0) / 60_000);
  const external = theilSen(
    minutes,
    picked.map((s) => s.externalBytes),
  ).slope;
  if (!(external > 0)) return undefined;
  const arrayBuffers = theilSen(
    minutes,
    picked.map((s) => s.arrayBuffersBytes),
  ).slope;
  return Math.max(0, Math.min(1, arrayBuffers / external));
}
