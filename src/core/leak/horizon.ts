// How fast a floor must rise to matter. A threshold proportional to the heap (5 % of the floor over
// the window) keeps noise on small heaps from reading as a leak, but on a large heap it hides a
// leak that fills the remaining headroom in hours: 300 MB of stable data and +4 MB/min is under
// 5 % a minute, yet reaches a 4 GB limit in 15 h. So the rate that counts is also bounded by the
// headroom: a floor that reaches the limit within the horizon at this rate is fast enough.

/** Default horizon: a leak that exhausts the limit within a day is a leak. */
export const DEFAULT_HORIZON_MINUTES = 24 * 60;

export interface HorizonLimits {
  /** v8 heap_size_limit of the isolate, when known. */
  heapLimitBytes?: number;
  /** The container's memory limit (pods), when known: RSS must stay under it. */
  memoryLimitBytes?: number;
  /** Minutes within which reaching the limit counts as a leak. */
  horizonMinutes?: number;
}

/**
 * The growth rate that reaches the nearest known limit from `lastFloorBytes` within the horizon,
 * bytes/minute; undefined when no limit is known (the proportional threshold then stands alone).
 */
export function horizonRateBytesPerMinute(lastFloorBytes: number, limits: HorizonLimits): number | undefined {
  const candidates = [limits.heapLimitBytes, limits.memoryLimitBytes].filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
  );
  if (candidates.length === 0) return undefined;
  const horizon = limits.horizonMinutes ?? DEFAULT_HORIZON_MINUTES;
  if (!(horizon > 0)) return undefined;
  const headroom = Math.min(...candidates) - lastFloorBytes;
  // Already at the limit: any significant rise is a leak; the absolute floor still applies.
  return Math.max(0, headroom) / horizon;
}

/** Parses a horizon such as `24h`, `90m`, `2d` or a bare number of hours; undefined when invalid. */
export function parseHorizonMinutes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 'h').toLowerCase();
  const minutes = unit === 'd' ? value * 1440 : unit === 'h' ? value * 60 : value;
  return minutes > 0 && Number.isFinite(minutes) ? minutes : undefined;
}
