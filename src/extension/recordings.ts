// Where recordings go, how long they stay, and the CSV/JSON exports. The recording format itself is the
// engine's (MemorySession appends to `recordingDir`); this module only names folders, prunes old ones
// and writes exports from data a session already holds.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { GcEvent, MemorySample, ReportV1 } from '../core/types';

/** A folder name that sorts by time and says what was observed: 2026-11-24T10-15-03_api-server. */
export function recordingFolderName(name: string, startedAt: Date = new Date()): string {
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/:/g, '-');
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'session';
  return `${stamp}_${slug}`;
}

/**
 * Deletes recording folders under `root` last changed more than `retentionDays` ago, except `keep`
 * (sessions still recording). retentionDays <= 0 keeps everything. Returns the folders removed.
 */
export async function pruneRecordings(
  root: string,
  retentionDays: number,
  keep: ReadonlySet<string>,
  nowMs = Date.now(),
): Promise<string[]> {
  if (!(retentionDays > 0)) return [];
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return [];
  }
  const cutoffMs = nowMs - retentionDays * 24 * 60 * 60 * 1000;
  const removed: string[] = [];
  for (const name of names) {
    // Only folders this extension named: never delete something a user put in a chosen folder.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}_/.test(name)) continue;
    const dir = path.join(root, name);
    if (keep.has(path.resolve(dir))) continue;
    try {
      const stat = await fs.stat(dir);
      if (!stat.isDirectory()) continue;
      // A folder's mtime moves only when files are added; appends move the files' own mtimes.
      const inner = await fs.readdir(dir);
      const times = await Promise.all(
        inner.map((f) =>
          fs.stat(path.join(dir, f)).then(
            (s) => s.mtimeMs,
            () => 0,
          ),
        ),
      );
      if (Math.max(stat.mtimeMs, ...times) >= cutoffMs) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

const CSV_COLUMNS = [
  'time_iso',
  'time_ms',
  'heap_used_bytes',
  'heap_total_bytes',
  'rss_bytes',
  'external_bytes',
  'array_buffers_bytes',
  'gc_kind',
  'gc_duration_ms',
  'heap_used_after_gc_bytes',
] as const;

/**
 * One row per memory sample and one per GC event, in time order; a GC row leaves the sample columns
 * empty (and the reverse), so spreadsheet tools chart either without joins.
 */
export function samplesToCsv(samples: readonly MemorySample[], gcEvents: readonly GcEvent[]): string {
  type Row = { t: number; cells: Array<string | number> };
  const rows: Row[] = [];
  for (const s of samples) {
    rows.push({
      t: s.timeMs,
      cells: [
        s.heapUsedBytes,
        s.heapTotalBytes,
        s.rssBytes,
        s.externalBytes,
        s.arrayBuffersBytes,
        '',
        '',
        '',
      ],
    });
  }
  for (const g of gcEvents) {
    rows.push({ t: g.timeMs, cells: ['', '', '', '', '', g.kind, g.durationMs, g.heapUsedAfterBytes] });
  }
  rows.sort((a, b) => a.t - b.t);
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push([new Date(row.t).toISOString(), row.t, ...row.cells].join(','));
  return `${lines.join('\n')}\n`;
}

export interface JsonExport {
  schema: 1;
  kind: 'heapscope-recording-export';
  report: ReportV1;
  samples: readonly MemorySample[];
  gcEvents: readonly GcEvent[];
}

export function recordingToJson(
  report: ReportV1,
  samples: readonly MemorySample[],
  gcEvents: readonly GcEvent[],
): string {
  const data: JsonExport = { schema: 1, kind: 'heapscope-recording-export', report, samples, gcEvents };
  return JSON.stringify(data);
}
