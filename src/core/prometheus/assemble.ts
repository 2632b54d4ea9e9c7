// From the answers of the planned queries to what a face shows: the chart series, the events read
// from the counters (and from drops no counter reported), the verdict, one working-set line per pod.
// Shared by a single container's history and the namespace scan, so both judge alike.
import type { PromEvent, PromSeries, PromVerdict } from '../../shared/prometheusTypes';
import { counterSteps, dedupeEvents, dropEvents, podChanges } from './events';
import type { SeriesQuery } from './queries';
import type { StitchedSeries } from './range';
import { judgeHistory } from './verdict';

export interface AssembledHistory {
  series: PromSeries[];
  events: PromEvent[];
  verdict: PromVerdict;
  /** Working set per pod name (replicas, pods before and after a restart), when the plan had 'pods'. */
  replicas: PromSeries[];
}

export function assembleHistory(
  results: Array<[SeriesQuery, StitchedSeries[]]>,
  start: number,
  end: number,
  step: number,
  warnings: string[],
): AssembledHistory {
  const series: PromSeries[] = [];
  const raw = new Map<string, StitchedSeries[]>();
  const promqlOf = new Map<string, string>();
  for (const [query, stitched] of results) {
    raw.set(query.name, stitched);
    promqlOf.set(query.name, query.promql);
    if (!query.chart) continue;
    // Queries are aggregated to one series; a custom query may return several: keep the first non-empty.
    const first = stitched.find((s) => s.points.length > 0);
    if (first)
      series.push({ name: query.name, promql: query.promql, unit: query.unit, points: first.points });
    else if (query.name.startsWith('custom:') || ['workingSet', 'heapUsed'].includes(query.name))
      warnings.push(`${query.name}: no data for ${query.promql}`);
  }
  const reported: PromEvent[] = dedupeEvents(
    [
      ...counterSteps(
        raw.get('restarts') ?? [],
        'restart',
        'kube_pod_container_status_restarts_total +1',
        start,
        step,
      ),
      ...counterSteps(raw.get('oomEvents') ?? [], 'oom-kill', 'container_oom_events_total +1', start, step),
      ...counterSteps(
        raw.get('oomReason') ?? [],
        'oom-kill',
        'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}',
        start,
        step,
        true,
      ),
      ...podChanges(raw.get('pods') ?? [], start, step),
    ],
    step,
  );
  const workingSet = series.find((s) => s.name === 'workingSet');
  const events = [...reported, ...dropEvents(workingSet?.points ?? [], reported, step)].sort(
    (a, b) => a.time - b.time,
  );
  const verdict = judgeHistory(series, events, start, end, step);
  const replicas: PromSeries[] = (raw.get('pods') ?? [])
    .filter((s) => s.points.length > 0)
    .map((s) => ({
      name: `pod:${s.metric.pod ?? ''}`,
      promql: promqlOf.get('pods') ?? '',
      unit: 'bytes' as const,
      points: s.points,
    }))
    .sort((a, b) => a.points[0][0] - b.points[0][0] || a.name.localeCompare(b.name));
  return { series, events, verdict, replicas };
}
