// The history as the chart draws it: one shared time axis (Unix seconds) and the lines aligned on it,
// either the joined series (the highest replica at each step, what the verdict reads) or one line per
// replica when the user asks to compare them. Pure, so unit-tested without a browser.
import type { PromEvent, PromHistory } from '../../src/shared/prometheusTypes';

export interface ChartLine {
  id: string;
  label: string;
  /** Index into the theme's series colours; -1 for the limit line. */
  colour: number;
  dashed: boolean;
  values: Array<number | null>;
}

export interface ChartModel {
  times: number[];
  lines: ChartLine[];
  events: PromEvent[];
  /** Points drawn (non-null values over all lines). */
  points: number;
}

const LABELS: Record<string, string> = {
  workingSet: 'Working set',
  rss: 'RSS',
  heapUsed: 'JS heap used',
  limit: 'Memory limit',
};

/** The series the view draws, in drawing order; the others stay in the export. */
export const DRAWN = ['workingSet', 'rss', 'heapUsed', 'limit'] as const;

export function buildChartModel(history: PromHistory, compareReplicas: boolean): ChartModel {
  const replicas = history.replicas ?? [];
  const sources: Array<{
    id: string;
    label: string;
    colour: number;
    dashed: boolean;
    points: Array<[number, number]>;
  }> = [];
  for (const name of DRAWN) {
    if (name === 'workingSet' && compareReplicas && replicas.length > 1) {
      replicas.forEach((r, i) =>
        sources.push({
          id: r.name,
          label: `Working set ${r.name.replace(/^pod:/, '')}`,
          colour: i % 5,
          dashed: false,
          points: r.points,
        }),
      );
      continue;
    }
    const series = history.series.find((s) => s.name === name);
    if (!series || series.points.length === 0) continue;
    const colour = name === 'workingSet' ? 0 : name === 'rss' ? 1 : name === 'heapUsed' ? 2 : -1;
    sources.push({ id: name, label: LABELS[name], colour, dashed: name === 'limit', points: series.points });
  }
  const timeSet = new Set<number>();
  for (const s of sources) for (const [t] of s.points) timeSet.add(t);
  const times = [...timeSet].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  let points = 0;
  const lines = sources.map((s) => {
    const values = new Array<number | null>(times.length).fill(null);
    for (const [t, v] of s.points) values[index.get(t)!] = v;
    points += s.points.length;
    return { id: s.id, label: s.label, colour: s.colour, dashed: s.dashed, values };
  });
  return { times, lines, events: history.events, points };
}
