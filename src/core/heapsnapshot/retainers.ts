// Retainer paths: from an object back to a GC root, the way a person reads them in DevTools.
// Each step goes to a retainer strictly closer to the root (so cycles cannot trap the walk), and
// among equally close retainers prefers the informative one: a named property or closure variable
// over V8 internals (hidden objects, maps, descriptor arrays, internalized-string tables).
import type { HeapSnapshot } from './snapshot';
import { UNREACHABLE } from './snapshot';

export interface RetainerStep {
  /** Node holding the reference. */
  fromOrdinal: number;
  fromId: number;
  fromClass: string;
  fromName: string;
  edgeType: string;
  edgeName: string;
  /** Node referenced (the next step's holder, or the target). */
  toOrdinal: number;
}

export interface RetainerPath {
  /** Outermost (GC root side) first. */
  steps: RetainerStep[];
  /** One readable line per step, outermost first. */
  text: string[];
}

const NOISE_NAMES = new Set([
  '(Internalized strings)',
  '(map descriptors)',
  'system / DescriptorArray',
  'system / Map',
  '(Compilation cache)',
  'system / FeedbackVector',
  'system / FeedbackCell',
  'system / ClosureFeedbackCellArray',
  '(Startup object cache)',
  '(Builtins)',
  '(Debugger)',
  'system / WeakArrayList',
  'system / TransitionArray',
  // Handles V8 or Node hold for the moment (a snapshot written from inside the process, by
  // v8.writeHeapSnapshot or a signal, sees the caller's locals here) and V8's own bookkeeping:
  // true, but they name no variable a person could look for.
  '(Handle scope)',
  '(Strong roots)',
]);

/** Lower is more informative. Noise retainers are used only when nothing else is as close. */
export function retainerPenalty(snapshot: HeapSnapshot, edge: number, from: number): number {
  const type = snapshot.edgeType(edge);
  const et = snapshot.et;
  if (type === et.weak) return 1000;
  let penalty = 0;
  const name = snapshot.nodeName(from);
  if (NOISE_NAMES.has(name)) penalty += 100;
  const nodeType = snapshot.raw.nodeTypes[from];
  if (nodeType === snapshot.t.code || snapshot.nodeType(from) === 'object shape') penalty += 50;
  if (nodeType === snapshot.t.hidden) penalty += 3;
  if (type === et.internal || type === et.hidden) penalty += 2;
  if (type === et.shortcut) penalty += 5;
  if (type === et.property && snapshot.edgeName(edge) === '__proto__') penalty += 20;
  return penalty;
}

/**
 * The best retainer one step closer to the root, or undefined (root reached or unreachable).
 * With `sideways` (the nodes of the chain so far), a retainer as far from the root as o may be
 * taken instead of pure noise one step closer: a closure variable or property one level over says
 * more than a V8 handle (say, the locals of an in-process v8.writeHeapSnapshot caller). Without it
 * every step gets closer, which callers that sort by distance rely on (growth.ts).
 */
export function bestRetainer(
  snapshot: HeapSnapshot,
  o: number,
  sideways?: ReadonlySet<number>,
): { edge: number; from: number } | undefined {
  const distances = snapshot.distances!;
  const d = distances[o];
  if (d === 0 || d === UNREACHABLE) return undefined;
  const [start, end] = snapshot.retainerRange(o);
  let best = -1;
  let bestFrom = -1;
  let bestScore = Infinity;
  for (let i = start; i < end; i++) {
    const from = snapshot.retainerNodeAt(i);
    const df = distances[from];
    if (df === UNREACHABLE || df > d) continue;
    if (df === d && (!sideways || sideways.has(from))) continue;
    const edge = snapshot.retainerEdgeAt(i);
    if (snapshot.edgeType(edge) === snapshot.et.weak) continue;
    const penalty = retainerPenalty(snapshot, edge, from);
    if (df === d && penalty >= 100) continue;
    // Distance first, then how informative; a retainer one step further is still preferred over
    // pure noise (penalty >= 100) at the same level, and a sideways one (+5) over noise one step
    // closer (+20).
    const score = df * 10 + Math.min(penalty, 9) + (penalty >= 100 ? 20 : 0) + (df === d ? 5 : 0);
    if (score < bestScore) {
      bestScore = score;
      best = edge;
      bestFrom = from;
    }
  }
  return best < 0 ? undefined : { edge: best, from: bestFrom };
}

export function describeNode(snapshot: HeapSnapshot, o: number): string {
  if (o === snapshot.rootOrdinal) return '(root)';
  const cls = snapshot.className(o);
  const type = snapshot.nodeType(o);
  const name = snapshot.nodeName(o);
  if (type === 'closure') return `${name || '(anonymous)'}()`;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    return `"${shown}"`;
  }
  if (type === 'synthetic') return name;
  if (cls !== name && name && type !== 'hidden' && type !== 'array') return `${cls} ${name}`;
  return name || cls;
}

export function describeEdge(snapshot: HeapSnapshot, edge: number): string {
  const type = snapshot.edgeTypeName(edge);
  const name = snapshot.edgeName(edge);
  switch (type) {
    case 'element':
      return `[${name}]`;
    case 'context':
      return `.${name} (closure variable)`;
    case 'property':
      return `.${name}`;
    case 'hidden':
      return `[${name}] (hidden)`;
    default:
      return `.${name} (${type})`;
  }
}

function stepsToPath(
  snapshot: HeapSnapshot,
  chain: Array<{ edge: number; from: number; to: number }>,
): RetainerPath {
  const steps: RetainerStep[] = chain
    .slice()
    .reverse()
    .map(({ edge, from, to }) => ({
      fromOrdinal: from,
      fromId: snapshot.nodeId(from),
      fromClass: snapshot.className(from),
      fromName: snapshot.nodeName(from),
      edgeType: snapshot.edgeTypeName(edge),
      edgeName: snapshot.edgeName(edge),
      toOrdinal: to,
    }));
  const text = steps.map((s, i) => {
    const edge = chain[chain.length - 1 - i].edge;
    return `${describeNode(snapshot, s.fromOrdinal)} @${s.fromId} ${describeEdge(snapshot, edge)}`;
  });
  const target = chain[0]?.to;
  if (target !== undefined) text.push(`${describeNode(snapshot, target)} @${snapshot.nodeId(target)}`);
  return { steps, text };
}

/** Greedy chain from o towards the root: [{edge, from, to}] innermost first. */
export function chainToRoot(
  snapshot: HeapSnapshot,
  o: number,
  maxDepth = 100,
): Array<{ edge: number; from: number; to: number }> {
  const chain: Array<{ edge: number; from: number; to: number }> = [];
  // The chain's nodes: a sideways step never goes back to one (no cycles).
  const onChain = new Set<number>([o]);
  let current = o;
  for (let depth = 0; depth < maxDepth; depth++) {
    const step = bestRetainer(snapshot, current, onChain);
    if (!step) break;
    chain.push({ edge: step.edge, from: step.from, to: current });
    onChain.add(step.from);
    current = step.from;
  }
  return chain;
}

/**
 * Up to `maxPaths` retainer paths of node o, shortest and most informative first. The first path
 * follows the best retainer at every step; further paths start from the target's other retainers.
 */
export function retainerPaths(snapshot: HeapSnapshot, o: number, maxPaths = 3): RetainerPath[] {
  const distances = snapshot.distances!;
  if (distances[o] === UNREACHABLE) return [];
  const [start, end] = snapshot.retainerRange(o);
  const firsts: Array<{ edge: number; from: number; score: number }> = [];
  for (let i = start; i < end; i++) {
    const from = snapshot.retainerNodeAt(i);
    const edge = snapshot.retainerEdgeAt(i);
    if (distances[from] === UNREACHABLE || snapshot.edgeType(edge) === snapshot.et.weak || from === o)
      continue;
    const penalty = retainerPenalty(snapshot, edge, from);
    if (penalty >= 100) continue;
    firsts.push({ edge, from, score: distances[from] * 10 + Math.min(penalty, 9) });
  }
  firsts.sort((a, b) => a.score - b.score);
  const paths: RetainerPath[] = [];
  const seen = new Set<string>();
  for (const first of firsts) {
    if (paths.length >= maxPaths) break;
    const rest = chainToRoot(snapshot, first.from);
    // A first hop that leads back through the target is a cycle, not a retainer path.
    if (rest.some((s) => s.from === o)) continue;
    const chain = [{ edge: first.edge, from: first.from, to: o }, ...rest];
    const key = chain.map((c) => c.from).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    paths.push(stepsToPath(snapshot, chain));
  }
  return paths;
}
