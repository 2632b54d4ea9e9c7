// The view's copy of a session's readings, as growable typed columns so 24 h at 1 Hz (86,400 points ×
// 5 series) costs ~4 MB and appends are amortised O(1). Readings arriving out of order (a batch
// replayed after a reconnect) are dropped rather than breaking the sorted x the decimation relies on.
import type { FollowChange, GcEvent, MemorySample } from '../src/shared/protocol';
import type { Columns } from './downsample';

/** The charted series, in drawing order. */
export const SERIES = [
  { key: 'heapUsedBytes', label: 'heap used' },
  { key: 'heapTotalBytes', label: 'heap total' },
  { key: 'rssBytes', label: 'RSS' },
  { key: 'externalBytes', label: 'external' },
  { key: 'arrayBuffersBytes', label: 'array buffers' },
] as const;

export type SeriesKey = (typeof SERIES)[number]['key'];

export class SampleStore implements Columns {
  x: Float64Array = new Float64Array(1024);
  ys: Float64Array[] = SERIES.map(() => new Float64Array(1024));
  length = 0;
  /** Major GCs (the ones worth a marker), time and heap after. */
  gcTimesMs: number[] = [];
  gcHeapAfterBytes: number[] = [];
  gcCount = 0;
  last: MemorySample | undefined;
  /** Where the series changed process (a restart): times, ascending; the line is not drawn across. */
  breaks: FollowChange[] = [];

  clear(): void {
    this.length = 0;
    this.breaks = [];
    this.gcTimesMs = [];
    this.gcHeapAfterBytes = [];
    this.gcCount = 0;
    this.last = undefined;
  }

  private grow(): void {
    const capacity = this.x.length * 2;
    const nx = new Float64Array(capacity);
    nx.set(this.x);
    this.x = nx;
    this.ys = this.ys.map((col) => {
      const n = new Float64Array(capacity);
      n.set(col);
      return n;
    });
  }

  /** Appends readings; returns how many were taken. */
  append(samples: readonly MemorySample[]): number {
    let taken = 0;
    for (const s of samples) {
      if (this.length > 0 && s.timeMs <= this.x[this.length - 1]!) continue;
      if (this.length === this.x.length) this.grow();
      const i = this.length++;
      this.x[i] = s.timeMs;
      for (let k = 0; k < SERIES.length; k++) this.ys[k]![i] = s[SERIES[k]!.key];
      this.last = s;
      taken++;
    }
    return taken;
  }

  appendGc(events: readonly GcEvent[]): void {
    for (const e of events) {
      this.gcCount++;
      // Minor (scavenge) GCs happen many times a second under load: marking them would be noise.
      if (e.kind !== 'major' && e.kind !== 'incremental') continue;
      this.gcTimesMs.push(e.timeMs);
      this.gcHeapAfterBytes.push(e.heapUsedAfterBytes);
    }
  }

  /** The changes of process so far (the host sends them all each time); true when they changed. */
  setBreaks(changes: readonly FollowChange[]): boolean {
    const sorted = [...changes].sort((a, b) => a.timeMs - b.timeMs);
    if (sorted.length === this.breaks.length && sorted.every((c, i) => c.timeMs === this.breaks[i]!.timeMs))
      return false;
    this.breaks = sorted;
    return true;
  }

  get firstTimeMs(): number | undefined {
    return this.length > 0 ? this.x[0] : undefined;
  }

  get lastTimeMs(): number | undefined {
    return this.length > 0 ? this.x[this.length - 1] : undefined;
  }
}
