// The JSON of `heapscope prom --json`: the check report's schema/verdict/growth fields, plus the
// series and events. Never carries credentials (the endpoint is the base URL only).
import { HEAPSCOPE_VERSION } from '../version';
import type { Growth, TargetInfo, Verdict } from '../types';
import type { PromEvent, PromHistory, PromSeries, PromVerdict } from '../../shared/prometheusTypes';

export interface PromReportV1 {
  schema: 1;
  tool: { name: 'heapscope'; version: string };
  target: TargetInfo;
  endpoint: string;
  startedAt: string;
  durationSeconds: number;
  stepSeconds: number;
  verdict: Verdict;
  reason: string;
  summary: string;
  growth: Growth;
  /** Which series the verdict was computed on. */
  basis: PromVerdict['basis'];
  bytesPerDay: number;
  limitBytes?: number;
  daysToLimit?: number;
  segment?: PromVerdict['segment'];
  segments: number;
  series: Array<{ name: string; promql: string; unit: PromSeries['unit']; points: Array<[number, number]> }>;
  events: PromEvent[];
  requests: number;
  warnings: string[];
}

export function historyReport(history: PromHistory): PromReportV1 {
  const c = history.container;
  const v = history.verdict;
  const report: PromReportV1 = {
    schema: 1,
    tool: { name: 'heapscope', version: HEAPSCOPE_VERSION },
    target: {
      kind: 'prometheus',
      pod: `${c.namespace}/${c.pod}/${c.container}`,
      title: c.podPattern ? `pods matching ${c.podPattern}` : undefined,
    },
    endpoint: history.endpoint,
    startedAt: new Date(history.start * 1000).toISOString(),
    durationSeconds: history.end - history.start,
    stepSeconds: history.stepSeconds,
    verdict: v.verdict,
    reason: v.reason,
    summary: v.summary,
    growth: v.growth,
    basis: v.basis,
    bytesPerDay: v.bytesPerDay,
    segments: v.segments,
    series: history.series.map((s) => ({ name: s.name, promql: s.promql, unit: s.unit, points: s.points })),
    events: history.events,
    requests: history.requests,
    warnings: history.warnings,
  };
  if (!report.target.title) delete report.target.title;
  if (v.limitBytes !== undefined) report.limitBytes = v.limitBytes;
  if (v.daysToLimit !== undefined) report.daysToLimit = v.daysToLimit;
  if (v.segment) report.segment = v.segment;
  return report;
}
