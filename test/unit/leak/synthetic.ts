// Synthetic memory series for the trend tests: a deterministic PRNG so a failure reproduces.
import type { GcEvent, MemorySample } from '../../../src/core/types';

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeriesSpec {
  seconds: number;
  stepMs?: number;
  /** Live bytes (the true floor) at time t seconds. */
  floor: (tSeconds: number) => number;
  /** Garbage allocated per second (saw-tooth height). */
  garbagePerSecond?: number;
  /** Heap used at which a major GC happens, above the floor. */
  gcEveryBytes?: number;
  /** Uniform noise added to every reading, bytes. */
  noiseBytes?: number;
  external?: (tSeconds: number) => number;
  withGc?: boolean;
  heapLimitBytes?: number;
  /** Memory outside the JS heap and Buffers (a native addon), added to RSS, bytes at t seconds. */
  native?: (tSeconds: number) => number;
  seed?: number;
}

export function synth(spec: SeriesSpec): { samples: MemorySample[]; gcEvents: GcEvent[] } {
  const random = prng(spec.seed ?? 1);
  const stepMs = spec.stepMs ?? 1000;
  const t0 = 1_700_000_000_000;
  const samples: MemorySample[] = [];
  const gcEvents: GcEvent[] = [];
  let garbage = 0;
  const garbagePerStep = ((spec.garbagePerSecond ?? 2_000_000) * stepMs) / 1000;
  const gcEvery = spec.gcEveryBytes ?? 8_000_000;
  for (let ms = 0; ms <= spec.seconds * 1000; ms += stepMs) {
    const t = ms / 1000;
    const noise = (random() - 0.5) * (spec.noiseBytes ?? 0);
    garbage += garbagePerStep * (0.5 + random());
    if (garbage >= gcEvery) {
      garbage = garbage * 0.05 * random();
      if (spec.withGc !== false) {
        gcEvents.push({
          timeMs: t0 + ms - stepMs / 2,
          kind: 'major',
          durationMs: 3,
          heapUsedAfterBytes: Math.round(spec.floor(t) + garbage + Math.abs(noise)),
          externalAfterBytes: spec.external ? Math.round(spec.external(t)) : undefined,
        });
      }
    }
    const ext = spec.external ? spec.external(t) + (random() - 0.5) * 200_000 : 1_000_000;
    samples.push({
      timeMs: t0 + ms,
      // RSS: the committed heap plus the runtime's own ~30 MB, plus any native growth.
      rssBytes: Math.round(spec.floor(t) + gcEvery + 31_000_000 + (spec.native?.(t) ?? 0)),
      heapTotalBytes: Math.round(spec.floor(t) + gcEvery + 1_000_000),
      heapUsedBytes: Math.round(spec.floor(t) + garbage + Math.abs(noise)),
      externalBytes: Math.round(ext),
      arrayBuffersBytes: Math.round(ext * 0.9),
      heapLimitBytes: spec.heapLimitBytes,
    });
  }
  return { samples, gcEvents };
}
