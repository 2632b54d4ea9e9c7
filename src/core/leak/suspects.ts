// Leak suspects: allocation sites ranked by how steadily their LIVE bytes grow across successive
// sampling-profile readings. Size alone says nothing (a big cache built once is not a leak); a site
// whose surviving allocations keep piling up is. Sites are grouped by the user frame a developer
// would change (after source maps, internals folded), so one culprit is one suspect.
import type {
  AllocationProfileReading,
  RawFrame,
  SourceFrame,
  Suspect,
  SuspectKind,
  TrendVerdict,
} from '../types';
import { calleeAboveTop, findAllocationLine } from './allocationLine';
import { displayUrl, foldLabel, foldStack, frameOrigin, isBufferAllocation } from './frames';
import { findInlinedCallees, firstJsFrame, inliningCandidates, userStack } from './inlining';
import { LocationResolver, type ScriptSourceProvider } from './locations';
import { addInto, buildSiteSeries, frameId, growthOf, type SiteSeries } from './siteSeries';

export interface SuspectOptions {
  projectRoot?: string;
  /** How many suspects to return at most. */
  limit?: number;
  /** Reuse a resolver across calls (its source-map cache); one is made when omitted. */
  resolver?: LocationResolver;
  /** Mann–Kendall p-value under which a site's growth counts as consistent. Default 0.05. */
  maxPIncreasing?: number;
  /**
   * The current verdict, when known: if off-heap memory is what grows, Buffer allocation sites
   * (kind 'external') rank first — their JS wrappers are small and rarely sampled, so their own
   * sampled growth understates them.
   */
  trend?: TrendVerdict;
}

interface Group {
  culprit: SourceFrame;
  rawTop: RawFrame;
  kind: SuspectKind;
  bytes: number[];
  /** The biggest contributing site's folded stack, shown to the user. */
  stack: SourceFrame[];
  stackBytes: number;
  /**
   * The biggest contributing site whose top user frame called into builtin / internal code (the
   * outermost folded frame): its callee is what can be found in the culprit's source.
   */
  calleeSite?: { callee: SourceFrame; bytes: number };
  notes: Set<string>;
  internalOnly: boolean;
}

const MAX_STACK = 10;
const MAX_SERIES_POINTS = 120;

export async function rankSuspects(
  readings: readonly AllocationProfileReading[],
  sources: ScriptSourceProvider,
  options: SuspectOptions = {},
): Promise<Suspect[]> {
  const limit = options.limit ?? 10;
  const maxP = options.maxPIncreasing ?? 0.05;
  const ordered = [...readings].sort((a, b) => a.timeMs - b.timeMs);
  if (ordered.length < 2) return [];
  const { times, sites } = buildSiteSeries(ordered);
  const resolver = options.resolver ?? new LocationResolver(sources, { projectRoot: options.projectRoot });

  const siteGrowth = new Map<string, ReturnType<typeof growthOf>>();
  const growthOfSite = (site: SiteSeries): ReturnType<typeof growthOf> => {
    let growth = siteGrowth.get(site.key);
    if (!growth) {
      growth = growthOf(times, site.bytes);
      siteGrowth.set(site.key, growth);
    }
    return growth;
  };
  const isGrowing = (site: SiteSeries): boolean => {
    // Cheap pre-check first: real profiles hold thousands of sites, most of them flat churn, and
    // the trend statistics are O(readings²) per site.
    const n = site.bytes.length;
    if (n < 2 || site.bytes[n - 1] <= 0 || site.bytes[n - 1] <= site.bytes[0]) return false;
    const g = growthOfSite(site);
    return g.bytesPerMinute > 0 && (g.pIncreasing < maxP || (times.length < 6 && g.monotoneFraction === 1));
  };
  // Only sites that grow at all are worth the source-map work; the inlined-callee sites are kept
  // because they carry the real culprit's name.
  const callees = findInlinedCallees(sites, isGrowing);
  // The same optimised caller often shows under several parent stacks (timers, emitters): once one
  // of them proved what it inlined, its other growing sites are that callee's too.
  const calleeByTopFrame = new Map<string, SiteSeries>();
  for (const [parentKey, callee] of callees) {
    const parent = sites.find((s) => s.key === parentKey);
    if (!parent) continue;
    const top = firstJsFrame(parent.stack);
    if (!top) continue;
    const id = frameId(top);
    const current = calleeByTopFrame.get(id);
    if (!current || last(callee.bytes) > last(current.bytes)) calleeByTopFrame.set(id, callee);
  }
  for (const site of sites) {
    const top = firstJsFrame(site.stack);
    if (!top || callees.has(site.key) || !isGrowing(site)) continue;
    const callee = calleeByTopFrame.get(frameId(top));
    if (callee && callee !== site) callees.set(site.key, callee);
  }
  const calleeKeys = new Set([...callees.values()].map((s) => s.key));
  const relevant = sites.filter((s) => isGrowing(s) || calleeKeys.has(s.key) || isKeptBufferSite(s));

  const frameCache = new Map<string, Promise<SourceFrame>>();
  const resolveFrame = (frame: RawFrame): Promise<SourceFrame> => {
    const id = frameId(frame);
    let resolved = frameCache.get(id);
    if (!resolved) {
      resolved = resolver.resolve(frame);
      frameCache.set(id, resolved);
    }
    return resolved;
  };

  const groups = new Map<string, Group>();
  for (const site of relevant) {
    const callee = callees.get(site.key);
    const effectiveStack = callee ? callee.stack : site.stack;
    const mapped = await Promise.all(effectiveStack.map(resolveFrame));
    const folded = foldStack(mapped);
    if (folded.frames.length === 0) continue;
    const top = folded.frames[0];
    const rawTop = effectiveStack.find((f) => frameOrigin(f) === 'user') ?? effectiveStack[0];
    const kind: SuspectKind = isBufferAllocation(folded.foldedAboveTop) ? 'external' : 'heap';
    const groupKey = `${kind}|${top.url}|${top.line}|${top.column}|${top.functionName}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = {
        culprit: top,
        rawTop,
        kind,
        bytes: new Array<number>(times.length).fill(0),
        stack: folded.frames.slice(0, MAX_STACK),
        stackBytes: -1,
        notes: new Set(),
        internalOnly: folded.internalOnly,
      };
      groups.set(groupKey, group);
    }
    addInto(group.bytes, site.bytes);
    const lastBytes = site.bytes[site.bytes.length - 1];
    if (lastBytes > group.stackBytes) {
      group.stack = folded.frames.slice(0, MAX_STACK);
      group.stackBytes = lastBytes;
    }
    const calledAboveTop = folded.internalOnly ? undefined : calleeAboveTop(mapped);
    if (calledAboveTop && lastBytes > (group.calleeSite?.bytes ?? 0))
      group.calleeSite = { callee: calledAboveTop, bytes: lastBytes };
    if (callee) {
      const caller = await resolveFrame(userStack(site.stack)[0]);
      group.notes.add(
        `Allocated in ${top.functionName || '(anonymous)'}, which V8 inlined into ${caller.functionName || '(anonymous)'} ` +
          `(${shortUrl(caller.url)}:${caller.line}); recovered from samples taken before it was inlined.`,
      );
    }
    if (folded.internalOnly)
      group.notes.add('No user code on this stack: allocated by Node.js internals or a dependency.');
  }

  const externalFirst =
    options.trend !== undefined &&
    options.trend.growth.externalBytesPerMinute >
      Math.max(512 * 1024, options.trend.growth.heapBytesPerMinute);
  const ranked: Array<{ group: Group; growth: ReturnType<typeof growthOf> }> = [];
  for (const group of groups.values()) {
    let growth = growthOf(times, group.bytes);
    // A Buffer's wrapper is sampled about once per 400 Buffers of 64 KiB: a site first sampled late
    // is one step, whose Theil–Sen slope (a median of pairwise slopes) is 0. While off-heap memory
    // is what grows, such a kept site's rate is its rise over the readings.
    if (growth.bytesPerMinute <= 0 && group.kind === 'external' && externalFirst && neverShrinks(group.bytes))
      growth = { ...growth, bytesPerMinute: endpointRate(times, group.bytes) };
    const lastBytes = group.bytes[group.bytes.length - 1];
    if (growth.bytesPerMinute <= 0 || lastBytes <= 0) continue;
    const consistent = growth.pIncreasing < maxP || (times.length < 6 && growth.monotoneFraction === 1);
    // A Buffer site with a handful of samples that never went away is kept off-heap memory.
    if (!consistent && !(group.kind === 'external' && neverShrinks(group.bytes))) continue;
    ranked.push({ group, growth });
  }
  // User code first (a developer can act on it), then by growth rate.
  const externalOrder = (g: Group): number => (externalFirst && g.kind !== 'external' ? 1 : 0);
  ranked.sort(
    (a, b) =>
      Number(a.group.internalOnly) - Number(b.group.internalOnly) ||
      externalOrder(a.group) - externalOrder(b.group) ||
      b.growth.bytesPerMinute - a.growth.bytesPerMinute,
  );

  const suspects: Suspect[] = [];
  for (const { group, growth } of ranked.slice(0, limit)) {
    const hasRecovery = group.notes.size > 0;
    if (!hasRecovery && !group.internalOnly) {
      const note = await inliningNote(resolver, group);
      if (note) group.notes.add(note);
    }
    const allocation = await allocationOf(resolver, group);
    const suspect: Suspect = {
      rank: suspects.length + 1,
      kind: group.kind,
      functionName: group.culprit.functionName || '(anonymous)',
      url: group.culprit.url,
      line: group.culprit.line,
      column: group.culprit.column,
      ...(allocation ? { allocation } : {}),
      liveBytes: Math.round(group.bytes[group.bytes.length - 1]),
      growthBytesPerMinute: Math.round(growth.bytesPerMinute),
      stack: group.stack,
      series: thinSeries(times, group.bytes),
    };
    if (group.notes.size > 0) suspect.note = [...group.notes].join(' ');
    suspects.push(suspect);
  }
  return suspects;
}

/**
 * Share of the group's live bytes the callee's site must hold to stand for the group's allocations.
 * Sampled sites of one function are often close (the example: 50 % from `'x'.repeat`, 43 % from the
 * object literal, which has no callee to find): requiring the very biggest would flip between runs.
 */
const MIN_CALLEE_SHARE = 0.3;

/**
 * The line inside the culprit where its biggest identifiable allocation happens: the call to the
 * builtin / internal code of its biggest folded site (see allocationLine.ts), searched in the source
 * of the file being reported: the running script, or for a source-mapped frame the original text the
 * map carries.
 */
async function allocationOf(
  resolver: LocationResolver,
  group: Group,
): Promise<Suspect['allocation'] | undefined> {
  const site = group.calleeSite;
  const groupBytes = group.bytes[group.bytes.length - 1];
  if (!site || site.bytes < MIN_CALLEE_SHARE * groupBytes) return undefined;
  const callee = site.callee;
  if (group.internalOnly || group.culprit.line <= 0) return undefined;
  const { culprit, rawTop } = group;
  const unmapped =
    culprit.url === displayUrl(rawTop.url) &&
    culprit.line === rawTop.lineNumber + 1 &&
    culprit.column === rawTop.columnNumber + 1;
  const source = await (
    unmapped ? resolver.source(rawTop) : resolver.originalSource(rawTop, culprit.url)
  ).catch(() => undefined);
  if (!source) return undefined;
  const found = findAllocationLine(source, culprit.line, culprit.column, callee.functionName);
  return found ? { ...found, how: 'callee-in-source' } : undefined;
}

async function inliningNote(resolver: LocationResolver, group: Group): Promise<string | undefined> {
  const source = await resolver.source(group.rawTop).catch(() => undefined);
  if (!source) return undefined;
  const candidates = inliningCandidates(
    source,
    group.rawTop.lineNumber,
    group.rawTop.columnNumber,
    group.rawTop.functionName,
  );
  if (candidates.length === 0) return undefined;
  const list = candidates.join(', ');
  return (
    `V8 may have inlined ${list} into ${group.culprit.functionName || '(anonymous)'}; sampled stacks lose inlined ` +
    `frames, so the allocation may be in ${candidates.length > 1 ? 'one of them' : 'it'}.`
  );
}

/** Sampled Buffer allocations (by the frames above the first user frame) that are still alive. */
function isKeptBufferSite(site: SiteSeries): boolean {
  const first = site.stack.findIndex((f) => frameOrigin(f) === 'user');
  if (first <= 0) return false;
  const labels = site.stack
    .slice(0, first)
    .filter((f) => frameOrigin(f) !== 'meta')
    .map(foldLabel);
  return isBufferAllocation(labels) && neverShrinks(site.bytes);
}

function neverShrinks(bytes: readonly number[]): boolean {
  if (bytes.length < 2 || bytes[bytes.length - 1] <= 0) return false;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] < bytes[i - 1] * 0.98) return false;
  return true;
}

function endpointRate(times: readonly number[], bytes: readonly number[]): number {
  const minutes = (times[times.length - 1] - times[0]) / 60_000;
  return minutes > 0 ? (bytes[bytes.length - 1] - bytes[0]) / minutes : 0;
}

function last(values: readonly number[]): number {
  return values.length ? values[values.length - 1] : 0;
}

function shortUrl(url: string): string {
  const slash = url.lastIndexOf('/');
  return slash >= 0 ? url.slice(slash + 1) : url;
}

function thinSeries(times: readonly number[], bytes: readonly number[]): Array<[number, number]> {
  const stride = Math.max(1, Math.ceil(times.length / MAX_SERIES_POINTS));
  const out: Array<[number, number]> = [];
  for (let i = (times.length - 1) % stride; i < times.length; i += stride)
    out.push([times[i], Math.round(bytes[i])]);
  return out;
}
