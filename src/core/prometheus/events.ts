// Restarts, OOM kills and new pod names, read from per-pod series. They split the history into
// segments: memory drops at a restart, and a trend must not be drawn across that drop.
import type { PromEvent } from '../../shared/prometheusTypes';
import type { StitchedSeries } from './range';

/**
 * Steps up of a counter (or a 0→1 state gauge) per pod. With `countAppearance`, a series that first
 * appears after the window's start already above 0 counts too (kube-state-metrics only exports the
 * last termination reason once a container has terminated).
 */
export function counterSteps(
  series: StitchedSeries[],
  kind: PromEvent['kind'],
  source: string,
  windowStart: number,
  stepSeconds: number,
  countAppearance = false,
): PromEvent[] {
  const events: PromEvent[] = [];
  for (const s of series) {
    const pod = s.metric.pod ?? '';
    const pts = s.points;
    for (let i = 0; i < pts.length; i++) {
      const [t, v] = pts[i];
      const stepped = i > 0 ? v > pts[i - 1][1] : countAppearance && v > 0 && t > windowStart + stepSeconds;
      if (stepped) events.push({ kind, time: t, pod, source });
    }
  }
  return events;
}

/** A pod name that appears after the window's start: a rollout or a replaced pod. */
export function podChanges(series: StitchedSeries[], windowStart: number, stepSeconds: number): PromEvent[] {
  const firsts = series
    .filter((s) => s.points.length > 0)
    .map((s) => ({ pod: s.metric.pod ?? '', first: s.points[0][0] }))
    .sort((a, b) => a.first - b.first);
  return firsts
    .filter((f) => f.first > windowStart + stepSeconds)
    .map((f) => ({ kind: 'pod-change' as const, time: f.first, pod: f.pod, source: `new pod ${f.pod}` }));
}

/** Same kind, same pod, within two steps: one event (the OOM counter and the termination reason agree). */
export function dedupeEvents(events: PromEvent[], stepSeconds: number): PromEvent[] {
  const sorted = [...events].sort((a, b) => a.time - b.time || a.kind.localeCompare(b.kind));
  const out: PromEvent[] = [];
  for (const e of sorted) {
    const dup = out.find(
      (o) =>
        o.kind === e.kind &&
        Math.abs(o.time - e.time) <= 2 * stepSeconds &&
        (o.pod === e.pod || e.kind === 'oom-kill'),
    );
    if (!dup) out.push(e);
  }
  return out;
}

/** Segment boundaries (Unix seconds): each event starts a new segment; events within two steps merge. */
export function segmentBounds(
  events: PromEvent[],
  start: number,
  end: number,
  stepSeconds: number,
): Array<{ start: number; end: number; startedBy?: PromEvent['kind'] }> {
  const cuts: Array<{ time: number; kind: PromEvent['kind'] }> = [];
  for (const e of [...events].sort((a, b) => a.time - b.time)) {
    if (e.time <= start || e.time > end) continue;
    const last = cuts[cuts.length - 1];
    if (last && e.time - last.time <= 2 * stepSeconds) {
      // An OOM kill followed by a new pod: the segment was started by the OOM kill.
      if (e.kind === 'oom-kill') last.kind = 'oom-kill';
      continue;
    }
    cuts.push({ time: e.time, kind: e.kind });
  }
  const segments: Array<{ start: number; end: number; startedBy?: PromEvent['kind'] }> = [];
  let s = start;
  let by: PromEvent['kind'] | undefined;
  for (const c of cuts) {
    segments.push({ start: s, end: c.time - stepSeconds, startedBy: by });
    s = c.time;
    by = c.kind;
  }
  segments.push({ start: s, end, startedBy: by });
  return segments.filter((g) => g.end >= g.start);
}

/**
 * Restarts no metric reported (no kube-state-metrics, no cAdvisor OOM counter): the working set
 * falling by more than half, and by at least `minDropBytes`, from one step to the next. A process's
 * own GC does not give its pages back that fast; a new process does start that low.
 */
export function dropEvents(
  points: Array<[number, number]>,
  known: PromEvent[],
  stepSeconds: number,
  minDropBytes = 16 * 1024 * 1024,
): PromEvent[] {
  const events: PromEvent[] = [];
  for (let i = 1; i < points.length; i++) {
    const [t, v] = points[i];
    const prev = points[i - 1][1];
    if (!(v < prev / 2 && prev - v >= minDropBytes)) continue;
    // A replaced pod's last value stays visible for Prometheus's 5-minute lookback after a reported
    // event, so its drop can come that much later.
    if (known.some((e) => Math.abs(e.time - t) <= Math.max(2 * stepSeconds, 300 + stepSeconds))) continue;
    const percent = Math.round((1 - v / prev) * 100);
    events.push({
      kind: 'restart',
      time: t,
      pod: '',
      source: `working set fell ${percent}% in one step (restart assumed)`,
    });
  }
  return events;
}
