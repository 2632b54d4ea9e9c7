// Turns a sampling heap profile into allocation sites of user code: each sample is charged to the
// nearest frame of the program's own code (not Node's internals, not node_modules, not this library),
// so `'x'.repeat(…)` inside `remember()` is reported as `remember (cache.js:12)`.
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { HeapProfiler } from 'node:inspector';

export interface AllocationSite {
  functionName: string;
  /** Path of the file (or the script URL as V8 knows it). */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** Sampled live bytes allocated there since sampling started, at the last reading. */
  bytes: number;
  /** Slope of those live bytes over the measured iterations: growth, not size. */
  bytesPerIteration: number;
}

type ProfileNode = HeapProfiler.SamplingHeapProfileNode;

function isUserFrame(url: string, ownFiles: ReadonlySet<string>): boolean {
  if (!url || url.startsWith('node:') || url.startsWith('internal/') || !/[\\/]/.test(url)) return false;
  if (/[\\/]node_modules[\\/]/.test(url)) return false;
  return !ownFiles.has(toPath(url));
}

function toPath(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/**
 * The position in the source the user wrote, for code that was compiled on load (TypeScript through
 * tsx, ts-node or a test runner's transform): Node keeps those source maps when source maps are on
 * (tsx turns them on; `--enable-source-maps` does for the rest). 1-based line and column.
 */
function originalPosition(
  file: string,
  line0: number,
  column0: number,
): { file: string; line: number; column: number } {
  const fallback = { file, line: line0 + 1, column: column0 + 1 };
  if (line0 < 0) return fallback;
  try {
    const entry = findSourceMap(file)?.findEntry(line0, column0) as
      { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined)
      return fallback;
    return {
      file: toPath(entry.originalSource),
      line: entry.originalLine + 1,
      column: entry.originalColumn + 1,
    };
  } catch {
    return fallback;
  }
}

/** Live sampled bytes by site in one profile; `ownFiles` are this library's files (never charged). */
export function allocationSites(
  profile: HeapProfiler.SamplingHeapProfile,
  ownFiles: ReadonlySet<string>,
): Map<string, AllocationSite> {
  const bySite = new Map<string, AllocationSite>();
  const walk = (node: ProfileNode, nearest: ProfileNode['callFrame'] | undefined): void => {
    const frame = isUserFrame(node.callFrame.url, ownFiles) ? node.callFrame : nearest;
    if (node.selfSize > 0 && frame) {
      const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${frame.functionName}`;
      let site = bySite.get(key);
      if (!site) {
        site = {
          functionName: frame.functionName || '(anonymous)',
          ...originalPosition(toPath(frame.url), frame.lineNumber, frame.columnNumber),
          bytes: 0,
          bytesPerIteration: 0,
        };
        bySite.set(key, site);
      }
      site.bytes += node.selfSize;
    }
    for (const child of node.children) walk(child, frame);
  };
  walk(profile.head, undefined);
  return bySite;
}

/**
 * Sites whose live bytes grew across readings (taken after a full GC at `iterationsDone`), by the
 * least-squares slope per iteration, fastest first. A cache that churns keeps a constant amount
 * live at its site and gets a slope near zero; a leak's site grows with every iteration.
 */
export function growingSites(
  readings: ReadonlyArray<Map<string, AllocationSite>>,
  iterationsDone: readonly number[],
  slope: (xs: readonly number[], ys: readonly number[]) => number,
): AllocationSite[] {
  const keys = new Set(readings.flatMap((r) => [...r.keys()]));
  const sites: AllocationSite[] = [];
  for (const key of keys) {
    const series = readings.map((r) => r.get(key)?.bytes ?? 0);
    const last = [...readings]
      .reverse()
      .find((r) => r.has(key))!
      .get(key)!;
    const perIteration = slope(iterationsDone, series);
    if (perIteration > 0)
      sites.push({ ...last, bytes: series[series.length - 1], bytesPerIteration: perIteration });
  }
  return sites.sort((a, b) => b.bytesPerIteration - a.bytesPerIteration);
}
