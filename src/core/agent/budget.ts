// Keeps a tool's answer small enough for a language model's context: the report schema's objects,
// with their long parts (series, stacks, paths, lists) cut to the top entries, then cut further until
// the JSON fits a character budget. What was cut is counted in `omitted`, so the model knows there is
// more and can ask for it (a larger `top`), rather than believing it saw everything.
import { fileURLToPath } from 'node:url';
import type { Holder, ReportV1, SourceFrame, Suspect } from '../types';

/** Default size of one tool answer's JSON, in characters (~2,000 tokens). */
export const DEFAULT_BUDGET_CHARS = 8000;

export interface CompactOptions {
  /** Suspects kept (the top ones; they are ranked by growth). */
  suspects?: number;
  /** Frames kept per stack. */
  frames?: number;
  /** Steps kept per retainer path (the ones nearest the kept objects, where the holder is). */
  pathSteps?: number;
}

/** A source position as `path:line:column`, a form chat views turn into a link. */
export function sourceLink(url: string, line: number, column = 0): string {
  let file = url;
  if (url.startsWith('file://')) {
    try {
      file = fileURLToPath(url);
    } catch {
      file = url;
    }
  }
  if (!line) return file;
  return column ? `${file}:${line}:${column}` : `${file}:${line}`;
}

function frameText(frame: SourceFrame): string {
  return `${frame.functionName || '(anonymous)'} ${sourceLink(frame.url, frame.line, frame.column)}`;
}

function lastSteps(steps: readonly string[], keep: number): string[] {
  return steps.length <= keep ? [...steps] : ['…', ...steps.slice(steps.length - keep)];
}

export function compactHolder(holder: Holder, pathSteps = 6): Record<string, unknown> {
  return {
    kind: holder.kind,
    name: holder.name,
    ...(holder.location
      ? { location: sourceLink(holder.location.url, holder.location.line, holder.location.column) }
      : {}),
    ...(holder.count !== undefined ? { count: holder.count } : {}),
    ...(holder.retainedBytes !== undefined ? { retainedBytes: holder.retainedBytes } : {}),
    path: lastSteps(holder.path, pathSteps),
  };
}

export function compactSuspect(suspect: Suspect, options: CompactOptions = {}): Record<string, unknown> {
  const frames = options.frames ?? 3;
  const at = suspect.allocation ?? { line: suspect.line, column: suspect.column };
  return {
    rank: suspect.rank,
    kind: suspect.kind,
    functionName: suspect.functionName,
    location: sourceLink(suspect.url, at.line, at.column),
    ...(suspect.allocation?.callee ? { allocates: suspect.allocation.callee } : {}),
    liveBytes: suspect.liveBytes,
    growthBytesPerMinute: Math.round(suspect.growthBytesPerMinute),
    stack: suspect.stack.slice(0, frames).map(frameText),
    ...(suspect.holder ? { holder: compactHolder(suspect.holder, options.pathSteps) } : {}),
    ...(suspect.note ? { note: suspect.note } : {}),
  };
}

/**
 * The check report (schema 1) with its suspects cut to the top few and their series dropped. The
 * schema, verdict, reason and growth fields are the report's own, so a consumer that knows the report
 * reads this too.
 */
export function compactReport(report: ReportV1, options: CompactOptions = {}): Record<string, unknown> {
  const keep = options.suspects ?? 5;
  const { suspects, lastSample, snapshots, ...rest } = report;
  const compact: Record<string, unknown> = {
    ...rest,
    suspects: suspects.slice(0, keep).map((s) => compactSuspect(s, options)),
  };
  if (lastSample)
    compact.lastSample = {
      heapUsedBytes: lastSample.heapUsedBytes,
      heapTotalBytes: lastSample.heapTotalBytes,
      externalBytes: lastSample.externalBytes,
      rssBytes: lastSample.rssBytes,
    };
  if (snapshots?.length) compact.snapshots = snapshots.length;
  if (suspects.length > keep) compact.omitted = { suspects: suspects.length - keep };
  return compact;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The longest array in a JSON value (by serialised length), with the path to it. */
function longestArray(
  value: Json,
  at: string[] = [],
): { path: string[]; array: Json[]; chars: number } | undefined {
  let best: { path: string[]; array: Json[]; chars: number } | undefined;
  const consider = (candidate: { path: string[]; array: Json[]; chars: number } | undefined) => {
    if (candidate && (!best || candidate.chars > best.chars)) best = candidate;
  };
  if (Array.isArray(value)) {
    if (value.length > 0) consider({ path: at, array: value, chars: JSON.stringify(value).length });
    value.forEach((item, i) => consider(longestArray(item, [...at, String(i)])));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'omitted') continue;
      consider(longestArray(item, [...at, key]));
    }
  }
  return best;
}

/**
 * Cuts the largest lists of `value` (from their ends: lists here are ranked, most important first)
 * until its JSON is at most `budgetChars`, counting what was cut under `omitted` by path. Long
 * strings are shortened last. Returns a new object; `value` is not changed.
 */
export function fitToBudget<T extends object>(
  value: T,
  budgetChars = DEFAULT_BUDGET_CHARS,
): T & { omitted?: Record<string, number> } {
  const copy = JSON.parse(JSON.stringify(value)) as Json & { omitted?: Record<string, number> };
  if (!copy || typeof copy !== 'object' || Array.isArray(copy)) return copy as unknown as T;
  const omitted: Record<string, number> = { ...(copy.omitted ?? {}) };
  const size = () => JSON.stringify({ ...copy, omitted }).length;
  for (let guard = 0; size() > budgetChars && guard < 10_000; guard++) {
    const longest = longestArray(copy);
    if (!longest) break;
    const drop = Math.max(1, Math.ceil(longest.array.length / 4));
    longest.array.splice(longest.array.length - drop, drop);
    const key = longest.path.filter((p) => !/^\d+$/.test(p)).join('.') || 'items';
    omitted[key] = (omitted[key] ?? 0) + drop;
  }
  if (size() > budgetChars) shortenStrings(copy, 200);
  if (Object.keys(omitted).length) (copy as { omitted?: Record<string, number> }).omitted = omitted;
  return copy as unknown as T & { omitted?: Record<string, number> };
}

function shortenStrings(value: Json, max: number): void {
  if (!value || typeof value !== 'object') return;
  const entries: Array<[string | number, Json]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof item === 'string' && item.length > max)
      (value as Record<string | number, Json>)[key] = `${item.slice(0, max - 1)}…`;
    else shortenStrings(item, max);
  }
}
