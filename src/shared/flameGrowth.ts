// The flame graph's growth colouring, computed in the webview from the graph it already holds and
// the session's growing sites (both sent by the host).
import type { FlameGraph, GrowthSite } from '../core/heapprofile/flameGraph';

/**
 * Growth per frame for the "growth" colouring: a frame that is a growing site gets the site's
 * rate; every frame gets the largest rate below it too, so the stacks leading to a growing site
 * stand out from the root down.
 */
export function frameGrowth(graph: FlameGraph, sites: readonly GrowthSite[]): Float64Array {
  const rates = new Float64Array(graph.frames.length);
  if (sites.length === 0) return rates;
  const byKey = new Map<string, number>();
  const byName = (f: { functionName: string; url: string; line: number }): string =>
    `${f.functionName}\u0000${f.url}\u0000${f.line}`;
  const byPosition = (f: { url: string; line: number; column?: number }): string =>
    `\u0001${f.url}\u0000${f.line}\u0000${f.column}`;
  for (const s of sites) {
    const key = s.column !== undefined && s.url ? byPosition(s) : byName(s);
    byKey.set(key, Math.max(byKey.get(key) ?? 0, s.bytesPerMinute));
  }
  for (const f of graph.frames)
    rates[f.index] = Math.max(byKey.get(byName(f)) ?? 0, f.url ? (byKey.get(byPosition(f)) ?? 0) : 0);
  // Children come after their parents: one backwards pass carries the maxima up.
  for (let i = graph.frames.length - 1; i > 0; i--) {
    const parent = graph.frames[i].parent;
    if (parent >= 0 && rates[i] > rates[parent]) rates[parent] = rates[i];
  }
  return rates;
}
