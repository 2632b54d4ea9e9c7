// Names what keeps each suspect's objects alive. Sampled allocation sites say where leaking objects
// were made; only heap snapshots say who holds them (the array, Map, listener list, timer or closure
// a developer must change). Snapshots pause the target, so they are taken only when there is a leak
// to explain, and only a few, close together.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGrowthHolders, type GrowthHolder } from '../heapsnapshot';
import { describeError } from '../errors';
import type { Holder, Suspect, SuspectKind, TrendVerdict } from '../types';
import { frameOrigin } from './frames';
import { findHolderWriter } from './holderWriter';
import type { ScriptSourceProvider } from './locations';

/** What attributeHolders may use of the running session. */
export interface HolderContext {
  /** Takes a snapshot of the target into `file` (the session records the pause in the report). */
  takeHeapSnapshot(file: string, purpose: string): Promise<string>;
  sources: ScriptSourceProvider;
  /** A folder for the snapshot files. */
  workDir: string;
  projectRoot?: string;
  /** How many snapshots to compare (2..3). Default 3. */
  snapshotCount?: number;
  /** Wait between snapshots, so the leak has grown between them. Default 3000 ms. */
  snapshotGapMs?: number;
  /** Where to report what happened (snapshot failures never fail the session). */
  log?: (line: string) => void;
  /** Stops waiting between snapshots (the session is being torn down). */
  signal?: AbortSignal;
}

/** External growth above this (bytes/minute) is worth snapshots even when the verdict is not leak. */
const EXTERNAL_GROWTH_FOR_SNAPSHOTS = 512 * 1024;

const BUFFER_CONSTRUCTORS =
  /^(Buffer|FastBuffer|Uint8Array|ArrayBuffer|SharedArrayBuffer|DataView|system \/ JSArrayBufferData|JSArrayBufferData)$/;

export function isBufferHolder(holder: GrowthHolder): boolean {
  return BUFFER_CONSTRUCTORS.test(holder.constructorName) || /ArrayBuffer|Buffer/.test(holder.holder.kind);
}

/** Whether snapshots are worth their pause for this verdict. */
export function wantsHolders(verdict: TrendVerdict): boolean {
  return verdict.verdict === 'leak' || verdict.growth.externalBytesPerMinute > EXTERNAL_GROWTH_FOR_SNAPSHOTS;
}

export async function attributeHolders(
  suspects: readonly Suspect[],
  verdict: TrendVerdict,
  context: HolderContext,
): Promise<Suspect[]> {
  if (!wantsHolders(verdict)) return [...suspects];
  const count = Math.min(3, Math.max(2, context.snapshotCount ?? 3));
  const gapMs = context.snapshotGapMs ?? 3000;
  const files: string[] = [];
  const takenAt: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      if (i > 0) await delay(gapMs, context.signal);
      const file = join(context.workDir, `holders-${i + 1}.heapsnapshot`);
      files.push(await context.takeHeapSnapshot(file, `holders ${i + 1}/${count}`));
      takenAt.push(Date.now());
    }
  } catch (error) {
    context.log?.(`heapscope: holder snapshots stopped: ${describeError(error)}`);
    // A cancelled run compares nothing: parsing the snapshots already taken would outlast the cancel.
    if (files.length < 2 || context.signal?.aborted) return [...suspects];
  }
  let holders: GrowthHolder[];
  try {
    holders = await findGrowthHolders(files, { getScriptSource: sourceLookup(context), limit: 20 });
  } catch (error) {
    context.log?.(`heapscope: could not compare holder snapshots: ${describeError(error)}`);
    return [...suspects];
  }
  const minutes = Math.max((takenAt[takenAt.length - 1] - takenAt[0]) / 60_000, 1e-6);
  return nameHolderWriters(mergeHolders(suspects, holders, verdict, minutes), sourceLookup(context));
}

/**
 * A holder-only suspect is named by its variable (`seenClients`); where one function of the holder's
 * file adds to it, the suspect is that function, holder kept (holderWriter.ts).
 */
export async function nameHolderWriters(
  suspects: Suspect[],
  source: (url: string) => Promise<string | undefined>,
): Promise<Suspect[]> {
  const out: Suspect[] = [];
  for (const suspect of suspects) {
    const holder = suspect.holder;
    if (!holder || !suspect.url || suspect.functionName !== holder.name) {
      out.push(suspect);
      continue;
    }
    const text = await source(suspect.url).catch(() => undefined);
    const writer = text ? findHolderWriter(text, holder.name) : undefined;
    if (!writer) {
      out.push(suspect);
      continue;
    }
    const frame = {
      functionName: writer.functionName,
      url: suspect.url,
      line: writer.line,
      column: writer.column,
    };
    out.push({
      ...suspect,
      functionName: writer.functionName,
      line: writer.line,
      column: writer.column,
      stack: [frame, ...suspect.stack.filter((f) => f.functionName !== holder.name)],
      note: `${writer.functionName} adds to ${holder.name} at line ${writer.writeLine}. ${suspect.note ?? ''}`.trim(),
    });
  }
  return out;
}

function sourceLookup(context: HolderContext): (scriptIdOrUrl: string) => Promise<string | undefined> {
  return async (scriptIdOrUrl) => {
    const isId = /^\d+$/.test(scriptIdOrUrl);
    const fromTarget = await context.sources
      .getScriptSource(isId ? scriptIdOrUrl : '', isId ? '' : scriptIdOrUrl)
      .catch(() => undefined);
    if (fromTarget !== undefined || isId) return fromTarget;
    const path = scriptIdOrUrl.startsWith('file://') ? fileURLToPath(scriptIdOrUrl) : scriptIdOrUrl;
    return path.startsWith('/') ? readFile(path, 'utf8').catch(() => undefined) : undefined;
  };
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function sameFile(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const norm = (u: string): string => (u.startsWith('file://') ? fileURLToPath(u) : u);
  return norm(a) === norm(b);
}

/**
 * Pure part of attributeHolders (tested without a target): attaches each growth holder to the suspect
 * it explains, adds holder-only suspects, and re-ranks so the culprit comes first.
 */
export function mergeHolders(
  suspects: readonly Suspect[],
  holders: readonly GrowthHolder[],
  verdict: TrendVerdict,
  snapshotMinutes: number,
): Suspect[] {
  const out = suspects.map((s) => ({ ...s }));
  const extra: Suspect[] = [];
  const attached = new Set(out.filter((s) => s.holder).map((s) => holderKey(s.holder!)));
  const sorted = [...holders]
    .filter((h) => h.addedBytes > 0 || h.addedCount > 0)
    .sort((a, b) => b.addedBytes - a.addedBytes);
  for (const growth of sorted) {
    const buffer = isBufferHolder(growth);
    const location = growth.holder.location;
    const free = out.filter((s) => !s.holder);
    const match =
      (buffer ? free.find((s) => s.kind === 'external') : undefined) ??
      free.find((s) => s.functionName === growth.constructorName) ??
      // Across files the relation is unknown: the holder then stands as its own suspect.
      (location ? free.find((s) => sameFile(s.url, location.url)) : undefined);
    const holder: Holder = {
      ...growth.holder,
      count: growth.holder.count ?? growth.addedCount,
      retainedBytes: growth.holder.retainedBytes ?? growth.addedBytes,
    };
    const key = holderKey(holder);
    if (match) {
      match.holder = holder;
      attached.add(key);
      continue;
    }
    // The same holder seen through another constructor (a Buffer and its ArrayBuffer, a listener
    // array and its closures) is one culprit, not two.
    if (attached.has(key)) continue;
    attached.add(key);
    // Only holders big enough to matter become suspects of their own.
    if (extra.length >= 5 || growth.addedBytes < 64 * 1024) continue;
    const kind: SuspectKind = buffer ? 'external' : 'heap';
    // A slot number (`0`, `[3]`) names nothing a person wrote: never a suspect's name.
    const holderName = /^\[?\d+\]?$/.test(growth.holder.name) ? '' : growth.holder.name;
    const keptBy = holderName || `an unnamed ${growth.holder.kind}`;
    extra.push({
      rank: 0,
      kind,
      functionName: location?.functionName || holderName || growth.constructorName,
      url: location?.url ?? '',
      line: location?.line ?? 0,
      column: location?.column ?? 0,
      liveBytes: Math.round(growth.addedBytes),
      growthBytesPerMinute: Math.round(growth.addedBytes / snapshotMinutes),
      stack: location ? [location] : [],
      holder,
      note: buffer
        ? `${growth.addedCount} ${growth.constructorName} objects kept by ${keptBy}; their allocation was never sampled (off-heap memory).`
        : `${growth.addedCount} ${growth.constructorName} objects kept by ${keptBy}; no sampled allocation site explains them.`,
    });
  }
  const externalFirst =
    verdict.growth.externalBytesPerMinute >
    Math.max(EXTERNAL_GROWTH_FOR_SNAPSHOTS, verdict.growth.heapBytesPerMinute);
  const all = [...out, ...extra];
  // A holder no sampled site explains, growing about as fast as the top sampled site, is better
  // evidence than a site the snapshots could not confirm: the sampled top frame may be a
  // framework or driver callback that V8 inlined the real allocator into.
  const topSampledGrowth = out.find((s) => !s.holder)?.growthBytesPerMinute ?? 0;
  const strongHolders = extra.filter(
    (s) => frameOrigin(s) === 'user' && s.growthBytesPerMinute >= 0.25 * topSampledGrowth,
  );
  const score = (s: Suspect): number => {
    // External leaks are explained by external suspects: a sampled Buffer site, or a holder of Buffers.
    if (externalFirst && s.kind !== 'external') return 4;
    if (s.holder && !extra.includes(s)) return 0;
    if (strongHolders.includes(s)) return 1;
    // A sampled site with no user frame tells a developer nothing to change; a user holder does.
    if (isInternalOnly(s) && !s.holder) return 3;
    return extra.includes(s) ? 2.5 : 2;
  };
  const ordered = all
    .map((s, index) => ({ s, index }))
    .sort((a, b) => score(a.s) - score(b.s) || rankOrder(a, b, out.length))
    .map(({ s }, i) => ({ ...s, rank: i + 1 }));
  return ordered;
}

/**
 * Keeps the holders that snapshots named across the rankings that follow (one per profile read): a
 * fresh ranking knows sampled sites only, and without this the holders (and the CodeLens over them)
 * were gone within seconds of being named. A site of the named ranking gets its holder back, and the
 * order the naming settled is kept; holder-only suspects stay; sites new since come after.
 */
export function carryHolders(fresh: readonly Suspect[], named: readonly Suspect[]): Suspect[] {
  if (!named.some((s) => s.holder)) return [...fresh];
  const siteKey = (s: Suspect): string => `${s.kind}|${s.functionName}|${s.url}|${s.line}|${s.column}`;
  const namedAt = new Map(named.map((s, i) => [siteKey(s), i]));
  const freshKeys = new Set(fresh.map(siteKey));
  const carried = fresh.map((s) => {
    const at = namedAt.get(siteKey(s));
    const holder = s.holder ?? (at === undefined ? undefined : named[at].holder);
    return { s: holder ? { ...s, holder } : { ...s }, order: at ?? named.length };
  });
  const kept = named
    .map((s, i) => ({ s: { ...s }, order: i }))
    .filter(({ s }) => s.holder && !freshKeys.has(siteKey(s)));
  return [...carried, ...kept]
    .map((x, index) => ({ ...x, index }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map(({ s }, i) => ({ ...s, rank: i + 1 }));
}

function holderKey(holder: Holder): string {
  return `${holder.name}|${holder.location?.url ?? ''}|${holder.location?.line ?? 0}`;
}

function isInternalOnly(suspect: Suspect): boolean {
  const frames =
    suspect.stack.length > 0 ? suspect.stack : [{ functionName: suspect.functionName, url: suspect.url }];
  return frames.every((f) => frameOrigin(f) !== 'user');
}

/** Sampled suspects keep their order; holder-only suspects come after them unless none was sampled. */
function rankOrder(
  a: { s: Suspect; index: number },
  b: { s: Suspect; index: number },
  sampled: number,
): number {
  const aExtra = a.index >= sampled;
  const bExtra = b.index >= sampled;
  if (aExtra !== bExtra) return aExtra ? 1 : -1;
  return a.index - b.index;
}
