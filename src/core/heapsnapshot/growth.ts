// Names what holds the objects that grew between snapshots. Objects new since the first snapshot
// (and, with three or more, already present in the second-to-last: the three-snapshot method) are
// grouped by constructor; each object's retainer chain is walked towards the root and every node
// on it counts the objects it leads to. The holder is the node closest to the objects through
// which most of them pass and that is a container a person would name: an Array, Map or Set, an
// EventEmitter listener list, a closure variable, a timer list, an Error, a promise reaction.
import type { Holder, SourceFrame } from '../types';
import type { IdIndex } from './diff';
import { hasId } from './diff';
import { bestRetainer, describeEdge, describeNode } from './retainers';
import type { HeapSnapshot } from './snapshot';
import { UNREACHABLE } from './snapshot';
import { closureScriptUrl, SourceLocator } from './sourceLocations';

/** Where to look for a holder's declaration (resolved later, outside the worker). */
export interface DeclarationQuery {
  url: string;
  scriptId?: number;
  name: string;
  /** `unnamed-variable`: a context slot the snapshot left unnamed, found from the closure's source. */
  kind: 'variable' | 'property' | 'unnamed-variable';
  fromLine: number;
  /** For an unnamed variable: where the closure that owns the context starts (0-based), the holder's kind. */
  closure?: { line: number; column: number };
  containerKind?: string;
}

export interface GrowthCandidate {
  constructorName: string;
  addedCount: number;
  addedBytes: number;
  holder: Holder;
  declaration?: DeclarationQuery;
}

const MAX_SAMPLED_PER_GROUP = 20_000;
const MAX_CHAIN = 60;

interface Group {
  name: string;
  ordinals: number[];
  count: number;
  bytes: number;
}

/** Node types whose growth is V8 bookkeeping rather than program data. */
function isProgramData(s: HeapSnapshot, o: number): boolean {
  const type = s.raw.nodeTypes[o];
  const t = s.t;
  if (type === t.object) {
    const name = s.nodeName(o);
    return !name.startsWith('system / ');
  }
  return (
    type === t.closure ||
    type === t.string ||
    type === t.consString ||
    type === t.slicedString ||
    type === t.regexp
  );
}

function holderKind(s: HeapSnapshot, o: number): string | undefined {
  const cls = s.className(o);
  const type = s.raw.nodeTypes[o];
  if (type === s.t.object) {
    if (cls === 'Array') return 'Array';
    if (cls === 'Map' || cls === 'Set' || cls === 'WeakMap' || cls === 'WeakSet') return cls;
    if (cls === 'Timeout' || cls === 'TimersList' || cls === 'Immediate') return 'Timeout';
    if (cls === 'Promise') return 'Promise';
    if (cls === 'system / Context') return 'closure';
    if (cls === 'system / PromiseReaction') return 'Promise';
    if (/Error$/.test(cls)) return 'Error';
  }
  if (s.nodeName(o) === 'system / Context') return 'closure';
  return undefined;
}

export function growthCandidates(
  s: HeapSnapshot,
  first: IdIndex,
  secondToLast: IdIndex | undefined,
  limit = 10,
): GrowthCandidate[] {
  const N = s.nodeCount;
  const ids = s.raw.nodeIds;
  const distances = s.distances!;
  const retained = s.retainedSizes!;
  const dominators = s.dominators!;
  const groups = new Map<number, Group>();
  const growth = new Uint8Array(N);
  for (let o = 0; o < N; o++) {
    if (distances[o] === UNREACHABLE || !isProgramData(s, o)) continue;
    const id = ids[o];
    if (hasId(first, id)) continue;
    if (secondToLast && !hasId(secondToLast, id)) continue;
    growth[o] = 1;
    const key = s.classKey(o);
    let g = groups.get(key);
    if (!g) {
      g = { name: s.className(o), ordinals: [], count: 0, bytes: 0 };
      groups.set(key, g);
    }
    g.ordinals.push(o);
    g.count++;
  }
  // Bytes: retained size of each grown object not dominated by another grown object of its group
  // (so a Buffer counts its backing store once, and nested instances are not counted twice).
  for (const g of groups.values()) {
    const key = s.classKey(g.ordinals[0]);
    for (const o of g.ordinals) {
      let dominated = false;
      for (let d = dominators[o], depth = 0; d !== s.rootOrdinal && depth < 200; d = dominators[d], depth++) {
        if (growth[d] && s.classKey(d) === key) {
          dominated = true;
          break;
        }
      }
      if (!dominated) g.bytes += retained[o];
    }
  }
  const ranked = [...groups.values()].filter((g) => g.count >= 2).sort((a, b) => b.bytes - a.bytes);
  const parentCache = new Map<number, { edge: number; from: number } | null>();
  const parentOf = (o: number) => {
    let p = parentCache.get(o);
    if (p === undefined) {
      p = bestRetainer(s, o) ?? null;
      parentCache.set(o, p);
    }
    return p;
  };
  const out: GrowthCandidate[] = [];
  for (const g of ranked.slice(0, limit)) {
    const sample =
      g.ordinals.length > MAX_SAMPLED_PER_GROUP
        ? g.ordinals.filter((_, i) => i % Math.ceil(g.ordinals.length / MAX_SAMPLED_PER_GROUP) === 0)
        : g.ordinals;
    const scale = g.count / sample.length;
    // Best-retainer tree over the sampled objects' chains; each node counts the objects below it.
    // Shared prefixes are walked once, so long linked lists (timer lists) stay linear.
    const through = new Map<number, number>();
    for (const o of sample) {
      through.set(o, (through.get(o) ?? 0) + 1);
      let current = o;
      for (;;) {
        const p = parentOf(current);
        if (!p) break;
        const seen = through.has(p.from);
        if (!seen) through.set(p.from, 0);
        current = p.from;
        if (seen) break;
      }
    }
    const byDepth = [...through.keys()].sort((a, b) => distances[b] - distances[a]);
    for (const node of byDepth) {
      const p = parentOf(node);
      if (p) through.set(p.from, through.get(p.from)! + through.get(node)!);
    }
    const inGroup = new Set(sample);
    const depthOf = new Map<number, number>();
    for (const node of byDepth) if (!inGroup.has(node)) depthOf.set(node, -distances[node]);
    const threshold = Math.max(2, sample.length * 0.5);
    const candidates = [...through.entries()]
      .filter(([node, c]) => c >= threshold && depthOf.has(node))
      .sort((a, b) => depthOf.get(a[0])! - depthOf.get(b[0])!);
    let holderNode = -1;
    for (const [node] of candidates) {
      if (holderKind(s, node)) {
        holderNode = node;
        break;
      }
    }
    if (holderNode < 0) {
      const firstNamed = candidates.find(
        ([node]) => s.raw.nodeTypes[node] === s.t.object || s.raw.nodeTypes[node] === s.t.closure,
      );
      if (!firstNamed) continue;
      holderNode = firstNamed[0];
    }
    const candidate = describeHolder(s, holderNode, g, parentOf);
    candidate.holder.count = Math.round((through.get(holderNode) ?? 0) * scale);
    candidate.holder.retainedBytes = g.bytes;
    out.push(candidate);
  }
  return out;
}

function describeHolder(
  s: HeapSnapshot,
  holderNode: number,
  g: Group,
  parentOf: (o: number) => { edge: number; from: number } | null,
): GrowthCandidate {
  let kind = holderKind(s, holderNode) ?? s.className(holderNode);
  // Path from the root down to the holder, then one representative object below it.
  const chain: Array<{ edge: number; from: number; to: number }> = [];
  for (let current = holderNode, depth = 0; depth < 10_000; depth++) {
    const p = parentOf(current);
    if (!p) break;
    chain.push({ edge: p.edge, from: p.from, to: current });
    current = p.from;
  }
  let name = '';
  let declaration: DeclarationQuery | undefined;
  let location: SourceFrame | undefined;
  const locator = new SourceLocator(s);
  const retaining = chain[0];
  // An Array or plain object under `_events` is an EventEmitter's listener list.
  const eventsStep = chain
    .slice(0, 3)
    .findIndex((c) => s.edgeTypeName(c.edge) === 'property' && s.edgeName(c.edge) === '_events');
  if (eventsStep >= 0 || (retaining && s.edgeName(retaining.edge) === '_events')) {
    const below = eventsStep > 0 ? chain[eventsStep - 1] : undefined;
    const eventName = below
      ? s.edgeName(below.edge)
      : retaining && s.edgeName(retaining.edge) === '_events'
        ? ''
        : s.edgeName(retaining?.edge ?? 0);
    kind = 'EventEmitter listeners';
    name = eventName ? `_events.${eventName}` : '_events';
    const emitterStep = chain[eventsStep >= 0 ? eventsStep : 0];
    const emitterHolder = emitterStep ? parentOf(emitterStep.from) : null;
    if (emitterHolder) name = `${s.edgeName(emitterHolder.edge)}.${name}`;
    const listener = firstListener(s, holderNode);
    if (listener >= 0) location = locator.nodeFrame(listener);
    if (emitterHolder && s.edgeTypeName(emitterHolder.edge) === 'context')
      declaration = contextDeclaration(s, locator, emitterHolder.from, s.edgeName(emitterHolder.edge));
  } else if (kind === 'Timeout') {
    // Timers sit in linked lists: name the timers by their callback, not one list node.
    const timeout =
      s.className(holderNode) === 'Timeout' ? holderNode : firstOfClass(s, g, 'Timeout', parentOf);
    const callback = timeout >= 0 ? timerCallback(s, timeout) : -1;
    name = callback >= 0 ? `${s.nodeName(callback) || '(anonymous)'} (timer callback)` : 'timer list';
    if (callback >= 0) location = locator.nodeFrame(callback);
  } else if (kind === 'closure' && holderNode >= 0) {
    // The holder is a Context: name the variable on the path to the objects.
    const down = variableTowards(s, holderNode, g, parentOf);
    name = down ?? '(context)';
    if (down) declaration = contextDeclaration(s, locator, holderNode, down);
  } else if (retaining) {
    const type = s.edgeTypeName(retaining.edge);
    name = s.edgeName(retaining.edge);
    if (type === 'context') declaration = contextDeclaration(s, locator, retaining.from, name);
    else if (type === 'property') {
      const owner = retaining.from;
      const ownerLocation = s.location(owner);
      if (ownerLocation)
        declaration = {
          url: locator.scriptUrl(ownerLocation.scriptId),
          scriptId: ownerLocation.scriptId,
          name,
          kind: 'property',
          fromLine: 0,
        };
    } else if (type === 'hidden' && s.nodeName(retaining.from).startsWith('system / Context')) {
      // A context variable V8 left unnamed (a hidden slot `[0]` of a block context): named later
      // from the source of the closure that owns the context; until then, by that closure.
      const closure = locator.closureOfContext(retaining.from);
      const frame = closure >= 0 ? locator.nodeFrame(closure) : undefined;
      name = `(a variable of ${frame?.functionName || 'a closure'})`;
      if (frame) {
        location = frame;
        const at = s.location(closure);
        if (at)
          declaration = {
            url: frame.url,
            scriptId: at.scriptId,
            name: '',
            kind: 'unnamed-variable',
            fromLine: 0,
            closure: { line: at.line, column: at.column },
            containerKind: kind,
          };
      }
    } else if (type === 'element') name = `[${name}]`;
    else if (type === 'internal' && s.className(retaining.from) === '(system)')
      name = describeNode(s, retaining.from);
  }
  const path = chain
    .slice()
    .reverse()
    .map((c) => `${describeNode(s, c.from)}${describeEdge(s, c.edge)}`);
  path.push(`${describeNode(s, holderNode)} → ${g.count} × ${g.name}`);
  const holder: Holder = { kind, name, path: trimPath(path) };
  if (location) holder.location = location;
  return { constructorName: g.name, addedCount: g.count, addedBytes: g.bytes, holder, declaration };
}

/** Keeps the readable end of long paths (the root side is mostly V8 plumbing). */
function trimPath(path: string[], max = 12): string[] {
  if (path.length <= max) return path;
  return [path[0], `… ${path.length - max + 1} more steps …`, ...path.slice(path.length - max + 2)];
}

function contextDeclaration(
  s: HeapSnapshot,
  locator: SourceLocator,
  context: number,
  variable: string,
): DeclarationQuery | undefined {
  const closure = locator.closureOfContext(context);
  if (closure < 0) return undefined;
  const url = closureScriptUrl(s, closure);
  const location = s.location(closure);
  // Closures sharing this context are defined inside its owner, which starts before them; the
  // owner's own start is not in the snapshot, so the whole script is searched (unique match only).
  return { url, scriptId: location?.scriptId, name: variable, kind: 'variable', fromLine: 0 };
}

function variableTowards(
  s: HeapSnapshot,
  context: number,
  g: Group,
  parentOf: (o: number) => { edge: number; from: number } | null,
): string | undefined {
  for (const o of g.ordinals.slice(0, 50)) {
    let current = o;
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      const p = parentOf(current);
      if (!p) break;
      if (p.from === context) return s.edgeTypeName(p.edge) === 'context' ? s.edgeName(p.edge) : undefined;
      current = p.from;
    }
  }
  return undefined;
}

function firstListener(s: HeapSnapshot, holder: number): number {
  const queue = [holder];
  for (let k = 0; k < queue.length && k < 64; k++) {
    const [start, end] = s.edgesOf(queue[k]);
    for (let e = start; e < end; e++) {
      const to = s.raw.edgeTo[e];
      if (s.raw.nodeTypes[to] === s.t.closure) return to;
      const type = s.edgeType(e);
      if (type === s.et.element || (type === s.et.internal && s.edgeName(e) === 'elements')) queue.push(to);
    }
  }
  return -1;
}

/** A Timeout on the way from one of the group's objects to the holder. */
function firstOfClass(
  s: HeapSnapshot,
  g: Group,
  cls: string,
  parentOf: (o: number) => { edge: number; from: number } | null,
): number {
  for (const o of g.ordinals.slice(0, 20)) {
    if (s.className(o) === cls) return o;
    let current = o;
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      const p = parentOf(current);
      if (!p) break;
      if (s.className(p.from) === cls) return p.from;
      current = p.from;
    }
  }
  return -1;
}

function timerCallback(s: HeapSnapshot, timeout: number): number {
  const [start, end] = s.edgesOf(timeout);
  for (let e = start; e < end; e++)
    if (s.edgeName(e) === '_onTimeout' && s.raw.nodeTypes[s.raw.edgeTo[e]] === s.t.closure)
      return s.raw.edgeTo[e];
  return -1;
}

/** Fills in declaration lines (script source from the callback or the file on disk). */
export async function resolveDeclarations(
  candidates: GrowthCandidate[],
  getScriptSource?: (scriptIdOrUrl: string) => Promise<string | undefined>,
): Promise<void> {
  const locator = new SourceLocator(undefined as unknown as HeapSnapshot, getScriptSource);
  for (const c of candidates) {
    const q = c.declaration;
    if (!q || (!q.url && q.scriptId === undefined)) continue;
    if (q.kind === 'unnamed-variable') {
      const frame = q.closure
        ? await locator.unnamedVariable(q.url, q.scriptId, q.closure, q.containerKind ?? '')
        : undefined;
      if (frame) {
        c.holder.name = frame.functionName;
        c.holder.location = frame;
      }
      continue;
    }
    const frame = await locator.declaration(q.url, q.name, q.kind, q.fromLine, q.scriptId);
    if (frame) c.holder.location = frame;
  }
}
