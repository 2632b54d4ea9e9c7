// Per-allocation-site series of live bytes across successive sampling-profile readings. A site
// absent from a reading had no live sample then: 0 bytes, not "unknown" (the profile lists every
// site that still has a live sample).
import type { AllocationProfileReading, RawFrame } from '../types';
import { mannKendall, theilSen } from './stats';

export interface SiteSeries {
  key: string;
  stack: RawFrame[];
  /** One value per reading, in reading order. */
  bytes: number[];
  /** Live samples per reading. */
  samples: number[];
}

export interface SiteGrowth {
  bytesPerMinute: number;
  /** One-sided p-value that the series does not increase (small: consistent growth). */
  pIncreasing: number;
  /** Fraction of reading-to-reading steps that did not go down. */
  monotoneFraction: number;
}

export function frameId(frame: RawFrame): string {
  return `${frame.functionName}@${frame.scriptId || frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
}

export function buildSiteSeries(readings: readonly AllocationProfileReading[]): {
  times: number[];
  sites: SiteSeries[];
} {
  const times = readings.map((r) => r.timeMs);
  const sites = new Map<string, SiteSeries>();
  readings.forEach((reading, index) => {
    for (const site of reading.sites) {
      let series = sites.get(site.key);
      if (!series) {
        series = {
          key: site.key,
          stack: site.stack,
          bytes: new Array<number>(readings.length).fill(0),
          samples: new Array<number>(readings.length).fill(0),
        };
        sites.set(site.key, series);
      }
      series.bytes[index] += site.liveBytes;
      series.samples[index] += site.sampleCount;
    }
  });
  return { times, sites: [...sites.values()] };
}

export function growthOf(times: readonly number[], bytes: readonly number[]): SiteGrowth {
  const n = Math.min(times.length, bytes.length);
  if (n < 2) return { bytesPerMinute: 0, pIncreasing: 1, monotoneFraction: 0 };
  const xs = times.slice(0, n).map((t) => (t - times[0]) / 60_000);
  let notDown = 0;
  for (let i = 1; i < n; i++) if (bytes[i] >= bytes[i - 1]) notDown++;
  const monotoneFraction = notDown / (n - 1);
  if (n < 4) {
    const minutes = Math.max(xs[n - 1], 1e-9);
    return {
      bytesPerMinute: (bytes[n - 1] - bytes[0]) / minutes,
      pIncreasing: bytes[n - 1] > bytes[0] ? 0.2 : 1,
      monotoneFraction,
    };
  }
  // Thin long runs: the pairwise statistics are O(n²) and 200 readings are plenty for a slope.
  const stride = Math.max(1, Math.ceil(n / 200));
  const tx: number[] = [];
  const ty: number[] = [];
  for (let i = (n - 1) % stride; i < n; i += stride) {
    tx.push(xs[i]);
    ty.push(bytes[i]);
  }
  return {
    bytesPerMinute: theilSen(tx, ty).slope,
    pIncreasing: mannKendall(ty).pIncreasing,
    monotoneFraction,
  };
}

/** Adds b into a, element-wise (series of equal length). */
export function addInto(a: number[], b: readonly number[]): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i] ?? 0;
}
