// The history as text for people (the CLI prints it; the extension shows the same lines).
import { formatBytes } from '../leak';
import type { PromHistory, PromSeries } from '../../shared/prometheusTypes';

function fmtValue(series: PromSeries, value: number): string {
  if (series.unit === 'bytes') return formatBytes(value);
  if (series.unit === 'seconds/second') return `${(value * 1000).toFixed(1)} ms/s`;
  return String(Math.round(value * 100) / 100);
}

function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function formatHistoryText(history: PromHistory): string {
  const c = history.container;
  const lines: string[] = [];
  lines.push(
    `${c.namespace}/${c.pod}/${c.container}${c.podPattern ? ` (pods matching ${c.podPattern})` : ''} at ${history.endpoint}`,
    `window ${iso(history.start)} → ${iso(history.end)}, step ${history.stepSeconds} s, ${history.requests} requests`,
    '',
    `verdict: ${history.verdict.verdict.toUpperCase()} — ${history.verdict.summary}`,
    `  ${history.verdict.reason}`,
    '',
  );
  for (const s of history.series) {
    const values = s.points.map((p) => p[1]);
    // Loops, not Math.min(...values): a long window has more points than a call takes arguments.
    let min = Infinity;
    let max = -Infinity;
    for (const value of values) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    const last = values[values.length - 1];
    lines.push(
      `  ${s.name.padEnd(12)} last ${fmtValue(s, last).padStart(10)}  min ${fmtValue(s, min).padStart(10)}  max ${fmtValue(s, max).padStart(10)}  ${s.points.length} points`,
    );
    lines.push(`    ${s.promql}`);
  }
  if (history.events.length) {
    lines.push('', 'events:');
    for (const e of history.events)
      lines.push(`  ${iso(e.time)}  ${e.kind.padEnd(10)} ${e.pod}  (${e.source})`);
  }
  if (history.warnings.length) {
    lines.push('', 'notes:');
    for (const w of history.warnings) lines.push(`  ${w}`);
  }
  return lines.join('\n');
}
