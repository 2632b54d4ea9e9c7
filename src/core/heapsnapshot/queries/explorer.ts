// The explorer's queries over one analysed snapshot: the class table, a class's objects page by page,
// an object's retainers (one level at a time, as a tree is expanded), its dominator-tree children, id
// and string search, "ignore this retainer", and the comparison with earlier snapshots. Everything is
// derived once from the typed arrays (class of each node, members of each class) so that each answer
// costs the rows it returns, not a pass over the heap.
import { HeapscopeError } from '../../errors';
import type { SourceFrame } from '../../types';
import { allocatedBetween, diffSnapshots, type IdIndex } from '../diff';
import { EDGE_TYPE_MASK } from '../dominators';
import { growthCandidates, resolveDeclarations } from '../growth';
import { chainToRoot, describeEdge, describeNode, retainerPenalty } from '../retainers';
import { UNREACHABLE, type HeapSnapshot } from '../snapshot';
import { SourceLocator } from '../sourceLocations';
import { classRetainedSizes, groupByClass } from '../classes';
import { dominatorChildren, type DominatorTree } from '../dominatorTree';
import { orderClassRows } from '../../../shared/classOrder';
import { propagatedDetachedness } from './detachedness';
import type {
  ClassRow,
  ClassSort,
  Comparison,
  ObjectRow,
  ObjectSort,
  Page,
  RetainerRow,
  RetainerTree,
  SnapshotInfo,
} from './types';

/** Rows per page unless the caller asks for another size (bounded by MAX_PAGE). */
export const DEFAULT_PAGE = 100;
/** How many of a class's largest objects largestHeldVia walks to a root before giving up. */
const LARGEST_HELD_CHECKED = 20_000;
const MAX_PAGE = 5_000;
/** Heaps up to this many nodes get the ignore's pass run once ahead (see prepareIndexes). */
const WARM_PASS_MAX_NODES = 2_000_000;

/** How the earlier snapshots of a comparison are read (a worker parses them; tests pass a loader). */
export type IdIndexLoader = (file: string) => Promise<IdIndex>;

function pageBounds(total: number, offset = 0, limit = DEFAULT_PAGE): [number, number] {
  const start = Math.max(0, Math.min(total, Math.floor(offset)));
  const size = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit)));
  return [start, Math.min(total, start + size)];
}

export class SnapshotExplorer {
  private readonly locator: SourceLocator;
  /** Class of each node + 1 (0: left out of the table, as DevTools leaves out zero-size nodes). */
  private readonly classOf: Uint32Array;
  private readonly classes: ClassRow[];
  /**
   * Members of class c are members[first[c] .. first[c + 1]): built by the first query that pages
   * a class, or right after the first table (see prepareIndexes), not before it.
   */
  private memberIndex: { first: Uint32Array; members: Uint32Array } | undefined;
  /** Members sorted for a given order, kept for the pages that follow. */
  private readonly sortedMembers = new Map<string, Uint32Array>();
  private dominatorTree: DominatorTree | undefined;
  private readonly sortedChildren = new Map<number, Uint32Array>();
  /** Holders the user chose to ignore, and the distances as analysed (restored when none is left). */
  private readonly ignored = new Set<number>();
  private readonly analysedDistances: Uint32Array;
  private readonly detachedness: Uint8Array | undefined;
  /** Closure variables' declarations by script URL and name (declareVariables). */
  private readonly declarations = new Map<string, Promise<SourceFrame | undefined>>();
  /** The breadth-first pass's buffers for "ignore this retainer", made by the first ignore. */
  private bfs: { distances: Uint32Array; queue: Uint32Array; skip: Uint8Array } | undefined;

  constructor(
    private readonly snapshot: HeapSnapshot,
    private readonly source: { file: string; fileBytes: number; parseMs: number; analyseMs: number },
  ) {
    if (!snapshot.retainedSizes || !snapshot.distances)
      throw new HeapscopeError(
        'internal',
        'The explorer needs an analysed snapshot (dominators and distances).',
      );
    this.analysedDistances = snapshot.distances;
    this.locator = new SourceLocator(snapshot);
    const detachedness = propagatedDetachedness(snapshot);
    this.detachedness = detachedness;
    // Keyed like DevTools' aggregates (and summary.ts): two keys may print the same name.
    const grouped = groupByClass(snapshot, detachedness);
    this.classOf = grouped.classOf;
    const { retained } = classRetainedSizes(snapshot, grouped, this.tree());
    this.classes = grouped.names.map((name, c) => ({
      classIndex: c,
      name,
      count: grouped.counts[c],
      shallowBytes: grouped.shallowBytes[c],
      retainedBytes: retained[c],
      distance: grouped.distances[c] === UNREACHABLE ? -1 : grouped.distances[c],
    }));
  }

  /**
   * Builds the indexes the first table does not need (the members of each class, the retainers)
   * now; otherwise the first query that needs one builds it.
   */
  prepareIndexes(): void {
    this.membersByClass();
    this.snapshot.ensureRetainers();
    // The first "ignore this retainer" would run its breadth-first pass as unoptimised code: on a
    // small heap that is most of its time (15–20 ms against 3 ms on 66k nodes, more when the
    // machine is busy). One pass now, nothing ignored, leaves it compiled by then. A big heap's
    // pass is long enough to be optimised while it runs, and its buffers (9 bytes a node) are not
    // held for an ignore that may never come.
    if (this.snapshot.nodeCount <= WARM_PASS_MAX_NODES) this.distancesIgnoring();
  }

  private membersByClass(): { first: Uint32Array; members: Uint32Array } {
    if (this.memberIndex) return this.memberIndex;
    const C = this.classes.length;
    const first = new Uint32Array(C + 1);
    for (let c = 0; c < C; c++) first[c + 1] = first[c] + this.classes[c].count;
    const members = new Uint32Array(first[C]);
    const fill = first.slice(0, C);
    const classOf = this.classOf;
    for (let o = 0, N = this.snapshot.nodeCount; o < N; o++) {
      const c = classOf[o];
      if (c !== 0) members[fill[c - 1]++] = o;
    }
    this.memberIndex = { first, members };
    return this.memberIndex;
  }

  private tree(): DominatorTree {
    this.dominatorTree ??= dominatorChildren(this.snapshot);
    return this.dominatorTree;
  }

  info(): SnapshotInfo {
    const s = this.snapshot;
    return {
      file: this.source.file,
      fileBytes: this.source.fileBytes,
      nodeCount: s.nodeCount,
      edgeCount: s.edgeCount,
      totalBytes: s.totalSelfSize,
      unreachableCount: s.unreachableCount,
      classCount: this.classes.length,
      parseMs: this.source.parseMs,
      analyseMs: this.source.analyseMs,
    };
  }

  /** The class table, filtered by a case-insensitive substring of the name, sorted. */
  classRows(sort: ClassSort = 'retained', descending = sort !== 'name', filter = ''): ClassRow[] {
    return orderClassRows(this.classes, sort, descending, filter);
  }

  /** A page of the objects of one class (largest retained first by default). */
  objects(
    classIndex: number,
    sort: ObjectSort = 'retained',
    offset = 0,
    limit = DEFAULT_PAGE,
  ): Page<ObjectRow> {
    if (!(classIndex >= 0 && classIndex < this.classes.length))
      throw new HeapscopeError('usage', `No class #${classIndex} in this snapshot.`);
    const sorted = this.membersSorted(classIndex, sort);
    const [start, end] = pageBounds(sorted.length, offset, limit);
    const rows: ObjectRow[] = [];
    for (let i = start; i < end; i++) rows.push(this.objectRow(sorted[i]));
    return { total: sorted.length, offset: start, rows };
  }

  private membersSorted(c: number, sort: ObjectSort): Uint32Array {
    const cacheKey = `${c}:${sort}`;
    let sorted = this.sortedMembers.get(cacheKey);
    if (sorted) return sorted;
    const { first, members } = this.membersByClass();
    sorted = members.slice(first[c], first[c + 1]);
    this.sortOrdinals(sorted, sort);
    // Keep a few orders only: a class of millions of objects is 4 bytes per member per order.
    if (this.sortedMembers.size >= 16) this.sortedMembers.delete(this.sortedMembers.keys().next().value!);
    this.sortedMembers.set(cacheKey, sorted);
    return sorted;
  }

  private sortOrdinals(ordinals: Uint32Array, sort: ObjectSort): void {
    const s = this.snapshot;
    const retained = s.retainedSizes!;
    const ids = s.raw.nodeIds;
    const distances = s.distances!;
    const sizes = s.selfSizes;
    if (sort === 'id') ordinals.sort((a, b) => ids[a] - ids[b]);
    else if (sort === 'shallow') ordinals.sort((a, b) => sizes[b] - sizes[a] || ids[a] - ids[b]);
    else if (sort === 'distance')
      ordinals.sort((a, b) => distances[a] - distances[b] || retained[b] - retained[a]);
    else ordinals.sort((a, b) => retained[b] - retained[a] || ids[a] - ids[b]);
  }

  private checkOrdinal(o: number): void {
    if (!(Number.isInteger(o) && o >= 0 && o < this.snapshot.nodeCount))
      throw new HeapscopeError('usage', `No object #${o} in this snapshot.`);
  }

  object(o: number): ObjectRow {
    this.checkOrdinal(o);
    return this.objectRow(o);
  }

  objectRow(o: number): ObjectRow {
    const s = this.snapshot;
    const d = s.distances![o];
    const { first } = this.tree();
    const row: ObjectRow = {
      ordinal: o,
      id: s.nodeId(o),
      className: s.className(o),
      label: describeNode(s, o),
      shallowBytes: s.selfSizes[o],
      retainedBytes: s.retainedSizes![o],
      distance: d === UNREACHABLE ? -1 : d,
      dominatedCount: first[o + 1] - first[o],
    };
    const location = this.locationOf(o);
    if (location) row.location = location;
    if (this.detachedness?.[o] === 2) row.detached = true;
    return row;
  }

  /** A closure's function, a context's closure, or an object's constructor. */
  private locationOf(o: number) {
    const s = this.snapshot;
    const frame = this.locator.nodeFrame(o);
    if (frame) return frame;
    if (s.nodeName(o) === 'system / Context') {
      const closure = this.locator.closureOfContext(o);
      if (closure >= 0) return this.locator.nodeFrame(closure);
    }
    return undefined;
  }

  findId(id: number): ObjectRow | null {
    const o = this.snapshot.ordinalOfId(id);
    return o < 0 ? null : this.objectRow(o);
  }

  /** An object by `@id` and the retainers tree the view opens for it, in one answer. */
  find(id: number, limit = DEFAULT_PAGE): { row: ObjectRow; tree: RetainerTree } | null {
    const row = this.findId(id);
    return row ? { row, tree: this.retainerTree(row.ordinal, limit) } : null;
  }

  /** Strings whose value contains `text` (case-sensitive), largest retained first. */
  searchStrings(text: string, limit = DEFAULT_PAGE): Page<ObjectRow> {
    const s = this.snapshot;
    if (!text) return { total: 0, offset: 0, rows: [] };
    const { string, consString, slicedString } = s.t;
    const types = s.raw.nodeTypes;
    const names = s.raw.nodeNames;
    // Decide per string-table entry once: many nodes share a value.
    const verdict = new Map<number, boolean>();
    const hits: number[] = [];
    for (let o = 0; o < s.nodeCount; o++) {
      const type = types[o];
      if (type !== string && type !== consString && type !== slicedString) continue;
      const n = names[o];
      let match = verdict.get(n);
      if (match === undefined) {
        match = s.raw.strings.get(n).includes(text);
        verdict.set(n, match);
      }
      if (match) hits.push(o);
    }
    const sorted = Uint32Array.from(hits);
    this.sortOrdinals(sorted, 'retained');
    const [start, end] = pageBounds(sorted.length, 0, limit);
    const rows: ObjectRow[] = [];
    for (let i = start; i < end; i++) rows.push(this.objectRow(sorted[i]));
    return { total: sorted.length, offset: 0, rows };
  }

  /**
   * The references to an object, shortest way to a GC root first (the holder's distance), then the
   * most informative (a named property or closure variable before V8 internals); weak references
   * last, marked as such.
   */
  retainers(o: number, offset = 0, limit = DEFAULT_PAGE): Page<RetainerRow> {
    this.checkOrdinal(o);
    const s = this.snapshot;
    const distances = s.distances!;
    const [start, end] = s.retainerRange(o);
    const entries: Array<{ edge: number; from: number; score: number }> = [];
    for (let i = start; i < end; i++) {
      const edge = s.retainerEdgeAt(i);
      const from = s.retainerNodeAt(i);
      const weak = s.edgeType(edge) === s.et.weak;
      const d = distances[from];
      // Unreachable holders after every reachable one, weak references after both.
      const distance = d === UNREACHABLE ? 1e6 : d;
      const score = (weak ? 2 ** 40 : 0) + distance * 1000 + Math.min(retainerPenalty(s, edge, from), 999);
      entries.push({ edge, from, score });
    }
    entries.sort((a, b) => a.score - b.score || a.edge - b.edge);
    const [first, last] = pageBounds(entries.length, offset, limit);
    const rows = entries.slice(first, last).map(({ edge, from }) => this.retainerRow(edge, from));
    return { total: entries.length, offset: first, rows };
  }

  private retainerRow(edge: number, from: number): RetainerRow {
    const s = this.snapshot;
    return {
      holder: this.objectRow(from),
      edgeType: s.edgeTypeName(edge),
      edgeName: s.edgeName(edge),
      edgeLabel: describeEdge(s, edge),
      weak: (s.raw.edgeTypes[edge] & EDGE_TYPE_MASK) === s.et.weak,
      ignored: this.ignored.has(from),
    };
  }

  /**
   * The largest object of `className` (by retained size) whose retainer path goes through a
   * variable or property named `via`: the object a holder's CodeLens means, where the class's
   * largest object overall is often held by something else (Node's own `Object`s dwarf a leak's).
   * Looks at the `maxChecked` largest objects of the class at most; null when none matches.
   */
  largestHeldVia(className: string, via: string, maxChecked = LARGEST_HELD_CHECKED): ObjectRow | null {
    const s = this.snapshot;
    const { context, property } = s.et;
    for (const c of this.classes) {
      if (c.name !== className) continue;
      const sorted = this.membersSorted(c.classIndex, 'retained');
      for (let i = 0; i < Math.min(sorted.length, maxChecked); i++) {
        const through = chainToRoot(s, sorted[i]).some(({ edge }) => {
          const type = s.edgeType(edge);
          return (type === context || type === property) && s.edgeName(edge) === via;
        });
        if (through) return this.objectRow(sorted[i]);
      }
    }
    return null;
  }

  /**
   * Adds the declaration of each closure variable among `rows` (see RetainerRow.declaration): the
   * script's source is read once (from the file its URL names) and each name searched once.
   */
  async declareVariables(rows: readonly RetainerRow[]): Promise<void> {
    for (const row of rows) {
      const url = row.holder.location?.url;
      if (row.edgeType !== 'context' || !url) continue;
      const key = `${url}\0${row.edgeName}`;
      let found = this.declarations.get(key);
      if (!found) {
        found = this.locator.declaration(url, row.edgeName, 'variable').catch(() => undefined);
        this.declarations.set(key, found);
      }
      const frame = await found;
      if (frame) row.declaration = frame;
    }
  }

  /** The path the retainers tree opens by default: the best retainer at each step, up to a root. */
  retainerPath(o: number): RetainerRow[] {
    this.checkOrdinal(o);
    return chainToRoot(this.snapshot, o).map(({ edge, from }) => this.retainerRow(edge, from));
  }

  /**
   * What the retainers view shows first, in one answer (one round trip through the host instead of
   * one per level of the path): the retainers, the default path, and each opened level.
   */
  retainerTree(o: number, limit = DEFAULT_PAGE): RetainerTree {
    const top = this.retainers(o, 0, limit);
    const path = this.retainerPath(o);
    const children = path.map((step) =>
      step.holder.distance > 0 && !step.ignored ? this.retainers(step.holder.ordinal, 0, limit) : null,
    );
    return { top, path, children };
  }

  /** What this object keeps alive on its own: its children in the dominator tree, largest first. */
  dominated(o: number, offset = 0, limit = DEFAULT_PAGE): Page<ObjectRow> {
    this.checkOrdinal(o);
    let sorted = this.sortedChildren.get(o);
    if (!sorted) {
      const { first, children } = this.tree();
      sorted = children.slice(first[o], first[o + 1]);
      this.sortOrdinals(sorted, 'retained');
      if (this.sortedChildren.size >= 256)
        this.sortedChildren.delete(this.sortedChildren.keys().next().value!);
      this.sortedChildren.set(o, sorted);
    }
    const [start, end] = pageBounds(sorted.length, offset, limit);
    const rows: ObjectRow[] = [];
    for (let i = start; i < end; i++) rows.push(this.objectRow(sorted[i]));
    return { total: sorted.length, offset: start, rows };
  }

  /** "What does this object keep alive": the object and its first dominator-tree children. */
  subtree(o: number, limit = DEFAULT_PAGE): { root: ObjectRow; children: Page<ObjectRow> } {
    return { root: this.object(o), children: this.dominated(o, 0, limit) };
  }

  /**
   * "Ignore this retainer": the holder's references stop counting for distances, so the retainers
   * tree shows the next-shortest way to a root (DevTools' rule). Distances are recomputed (one
   * breadth-first pass); with nothing ignored the analysed ones come back.
   */
  setIgnored(o: number, ignored: boolean): { ignored: number[] } {
    this.checkOrdinal(o);
    if (ignored) this.ignored.add(o);
    else this.ignored.delete(o);
    this.snapshot.distances = this.ignored.size ? this.distancesIgnoring() : this.analysedDistances;
    return { ignored: [...this.ignored] };
  }

  private distancesIgnoring(): Uint32Array {
    const s = this.snapshot;
    const N = s.nodeCount;
    const { firstEdge, edgeTo, edgeTypes } = s.raw;
    const weak = s.et.weak;
    // A byte per node rather than a Set lookup per visited node; the buffers are kept for the next
    // ignore (the pass is what the user waits for).
    this.bfs ??= { distances: new Uint32Array(N), queue: new Uint32Array(N), skip: new Uint8Array(N) };
    const { distances, queue, skip } = this.bfs;
    distances.fill(UNREACHABLE);
    skip.fill(0);
    for (const o of this.ignored) skip[o] = 1;
    let head = 0;
    let tail = 0;
    distances[s.rootOrdinal] = 0;
    queue[tail++] = s.rootOrdinal;
    while (head < tail) {
      const u = queue[head++];
      if (skip[u]) continue;
      const d = distances[u] + 1;
      for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
        const v = edgeTo[e];
        if (distances[v] !== UNREACHABLE || (edgeTypes[e] & EDGE_TYPE_MASK) === weak) continue;
        distances[v] = d;
        queue[tail++] = v;
      }
    }
    return distances;
  }

  /**
   * Comparison with earlier snapshots of the same process, by object id: new, deleted and surviving
   * objects per constructor; with a middle file, the three-snapshot method (allocated between base
   * and middle, still alive here); and, when asked, what holds the new objects.
   */
  async compare(
    load: IdIndexLoader,
    baseFile: string,
    middleFile: string | undefined,
    holders: number,
  ): Promise<Comparison> {
    const base = await load(baseFile);
    const middle = middleFile ? await load(middleFile) : undefined;
    const diff = diffSnapshots(middle ?? base, this.snapshot);
    const result: Comparison = {
      baseFile,
      newCount: diff.newCount,
      newBytes: diff.newBytes,
      deletedCount: diff.freedCount,
      deletedBytes: diff.freedBytes,
      rows: diff.constructors.map((c) => ({
        name: c.name,
        newCount: c.newCount,
        newBytes: c.newBytes,
        deletedCount: c.freedCount,
        deletedBytes: c.freedBytes,
        survivingCount: c.survivingCount,
        survivingBytes: c.survivingBytes,
        countDelta: c.countDelta,
        bytesDelta: c.bytesDelta,
      })),
    };
    if (middleFile) result.middleFile = middleFile;
    if (middle) {
      const between = allocatedBetween(base, middle, this.snapshot, 0);
      result.between = {
        total: between.total,
        bytes: between.bytes,
        rows: between.constructors.map(({ name, count, bytes }) => ({ name, count, bytes })),
      };
    }
    if (holders > 0) {
      const candidates = growthCandidates(this.snapshot, base, middle, holders);
      await resolveDeclarations(candidates);
      result.holders = candidates.map((c) => ({
        constructorName: c.constructorName,
        addedCount: c.addedCount,
        addedBytes: c.addedBytes,
        retainedBytes: c.holder.retainedBytes ?? 0,
        path: c.holder.path,
        ...(c.holder.location ? { location: c.holder.location } : {}),
      }));
    }
    return result;
  }
}
