// The namespace scan for people (a ranked table) and for programs (`heapscope prom --namespace
// --json`, schema 1). Never carries credentials: the endpoint is the base URL only.
import { formatBytes } from '../leak';
import { HEAPSCOPE_VERSION } from '../version';
import type { Verdict } from '../types';
import type { FleetContainer, FleetScan } from '../../shared/fleetTypes';
import type { PromVerdict } from '../../shared/prometheusTypes';

export interface FleetContainerReport {
  namespace: string;
  workload: string;
  pods: string[];
  container: string;
  verdict: Verdict;
  growth: {
    bytesPerDay: number;
    heapBytesPerMinute: number;
    externalBytesPerMinute: number;
    confidence: number;
    /** Which series was judged. */
    basis: PromVerdict['basis'];
  };
  /** null when the container does not grow or has no known limit. */
  minutesToLimit: number | null;
  limitBytes: number | null;
  restarts: number;
  oomKills: number;
  summary: string;
  reason: string;
}

export interface FleetReportV1 {
  schema: 1;
  tool: { name: 'heapscope'; version: string };
  endpoint: string;
  namespace: string;
  selector?: string;
  window: { start: string; end: string; stepSeconds: number };
  verdict: Verdict;
  requests: number;
  containers: FleetContainerReport[];
  warnings: string[];
}

export function minutesToLimit(v: PromVerdict): number | null {
  return v.verdict === 'leak' && v.daysToLimit !== undefined ? Math.round(v.daysToLimit * 1440) : null;
}

export function fleetContainerReport(c: FleetContainer): FleetContainerReport {
  const v = c.verdict;
  return {
    namespace: c.namespace,
    workload: c.workload,
    pods: c.pods,
    container: c.container,
    verdict: v.verdict,
    growth: {
      bytesPerDay: v.bytesPerDay,
      heapBytesPerMinute: v.growth.heapBytesPerMinute,
      externalBytesPerMinute: v.growth.externalBytesPerMinute,
      confidence: v.growth.confidence,
      basis: v.basis,
    },
    minutesToLimit: minutesToLimit(v),
    limitBytes: v.limitBytes ?? null,
    restarts: c.restarts,
    oomKills: c.oomKills,
    summary: v.summary,
    reason: v.reason,
  };
}

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');

export function fleetReport(scan: FleetScan): FleetReportV1 {
  const report: FleetReportV1 = {
    schema: 1,
    tool: { name: 'heapscope', version: HEAPSCOPE_VERSION },
    endpoint: scan.endpoint,
    namespace: scan.namespace,
    window: { start: iso(scan.start), end: iso(scan.end), stepSeconds: scan.stepSeconds },
    verdict: scan.verdict,
    requests: scan.requests,
    containers: scan.containers.map(fleetContainerReport),
    warnings: scan.warnings,
  };
  if (scan.selector) report.selector = scan.selector;
  return report;
}

/** "+38.0 MiB/day", or "flat" when the verdict is not a leak. */
export function growthLabel(v: PromVerdict): string {
  if (v.verdict !== 'leak') return v.verdict === 'no-leak' ? 'flat' : '–';
  return `+${formatBytes(v.bytesPerDay)}/day`;
}

/** "~31 hours", "at limit", or "–". */
export function timeToLimitLabel(v: PromVerdict): string {
  const minutes = minutesToLimit(v);
  if (minutes === null) return '–';
  if (minutes === 0) return 'at limit';
  if (minutes < 120) return `~${minutes} min`;
  if (minutes < 2 * 1440) return `~${Math.round(minutes / 60)} hours`;
  return `~${Math.round(minutes / 1440)} days`;
}

export function formatFleetText(scan: FleetScan): string {
  const rows = scan.containers.map((c) => [
    c.verdict.verdict.toUpperCase(),
    growthLabel(c.verdict),
    timeToLimitLabel(c.verdict),
    String(c.restarts),
    String(c.oomKills),
    `${c.workload}/${c.container}`,
    c.pods.length > 1 ? `${c.pods.length} pods` : (c.pods[0] ?? ''),
  ]);
  const head = ['VERDICT', 'GROWTH', 'TO LIMIT', 'RESTARTS', 'OOM', 'WORKLOAD/CONTAINER', 'PODS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 3 || i === 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const leaks = scan.containers.filter((c) => c.verdict.verdict === 'leak').length;
  const out = [
    `namespace ${scan.namespace}${scan.selector ? ` {${scan.selector}}` : ''} at ${scan.endpoint}`,
    `window ${iso(scan.start)} → ${iso(scan.end)}, step ${scan.stepSeconds} s, ${scan.requests} requests`,
    `${scan.containers.length} containers, ${leaks} leaking: ${scan.verdict.toUpperCase()}`,
    '',
    line(head),
    ...rows.map(line),
  ];
  if (scan.warnings.length) out.push('', 'notes:', ...scan.warnings.map((w) => `  ${w}`));
  return out.join('\n');
}
