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
  for (const s of sites) {
    const key = `${s.functionName}\u0000${s.url}\u0000${s.line}`;
    byKey.set(key, Math.max(byKey.get(key) ?? 0, s.bytesPerMinute));
  }
  for (const f of graph.frames)
    rates[f.index] = byKey.get(`${f.functionName}\u0000${f.url}\u0000${f.line}`) ?? 0;
  // Children come after their parents: one backwards pass carries the maxima up.
  for (let i = graph.frames.length - 1; i > 0; i--) {
    const parent = graph.frames[i].parent;
    if (parent >= 0 && rates[i] > rates[parent]) rates[parent] = rates[i];
  }
  return rates;
}
