// A history exported like a recording: CSV (one row per step, one column per series and per replica,
// events as rows of their own kind) for spreadsheets, and the JSON report of `heapscope prom --json`.
import type { PromHistory, PromSeries } from '../../shared/prometheusTypes';
import { historyReport } from './report';

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();

export function historyCsv(history: PromHistory): string {
  const columns: PromSeries[] = [...history.series, ...(history.replicas ?? [])];
  const times = new Set<number>();
  for (const s of columns) for (const [t] of s.points) times.add(t);
  const values = columns.map((s) => new Map(s.points));
  const header = ['time', 'unixSeconds', 'event', ...columns.map((s) => `${s.name} (${s.unit})`)];
  // Events are rows of their own, placed in time order just before the step they fall on.
  const rows: Array<{ t: number; order: number; line: string }> = [];
  for (const t of times) {
    const cells = values.map((m) => {
      const v = m.get(t);
      return v === undefined ? '' : String(v);
    });
    rows.push({ t, order: 1, line: [iso(t), String(t), '', ...cells].join(',') });
  }
  for (const e of history.events)
    rows.push({
      t: e.time,
      order: 0,
      line: [iso(e.time), String(e.time), `${e.kind} ${e.pod} (${e.source})`, ...columns.map(() => '')]
        .map(csvCell)
        .join(','),
    });
  rows.sort((a, b) => a.t - b.t || a.order - b.order);
  return `${[header.map(csvCell).join(','), ...rows.map((r) => r.line)].join('\n')}\n`;
}

export function historyJson(history: PromHistory): string {
  const report = {
    ...historyReport(history),
    replicas: (history.replicas ?? []).map((s) => ({ name: s.name, points: s.points })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
