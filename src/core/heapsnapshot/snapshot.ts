// A parsed snapshot plus what is derived from it: DevTools' edge rules (essential edges, shallow
// sizes of owned internals), dominators, retained sizes and distances. Everything is typed arrays
// indexed by node ordinal; strings are decoded only when a name is printed.
import { availableParallelism } from 'node:os';
import { classCapacity, classTally, type ClassKeyJob } from './classKeys';
import { hugePageBytes } from './hugePageSize';
import { bfsDistances, type DistanceJob } from './distances';
import { computeDominators, EDGE_TYPE_MASK, layOutPredecessors } from './dominators';
import { findOwners, foldSizes, type SizeFold } from './folding';
import {
  canShare,
  countEdges,
  searchPageAndMarkRest,
  startPageSearchHelper,
  takeHelperFor,
  type MarkJob,
  type PageSearch,
} from './markEdges';
import type { ParsedSnapshot } from './model';

export const UNREACHABLE = 0xffffffff;

const WEAKMAP_EDGE =
  /^\d+(?<pair> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<tableId>\d+)\))$/;

export interface AnalyseOptions {
  /** Compute distances from the GC roots (needed for retainer paths and holders). Default true. */
  distances?: boolean;
  onPhase?: (phase: string) => void;
  /**
   * Mark the edges on two threads ('auto': snapshots of PARALLEL_MARK_EDGES edges or more, parsed
   * into shared arrays, on a machine with two cores or more).
   */
  parallel?: boolean | 'auto';
  /**
   * Group the nodes by class too (a summary follows): on the helper thread, while this one
   * finishes the dominators; groupByClass then takes them (classKeysFromHelper).
   */
  classes?: boolean;
}

/** Below this many edges a second thread costs more to start than it saves. */
export const PARALLEL_MARK_EDGES = 2_000_000;
/**
 * Share of the edges this thread marks and counts beside the helper's page search (the rest the
 * search does as it walks). All of them: the helper starts ~30 ms later (its start-up) and then
 * folds the shallow sizes, so walking alone evens the two threads out (on the bench heap 0.4 left
 * this thread waiting ~180 ms for the search; 0.8 and 0.9 measured no better than all).
 */
const COUNTED_HERE = 1;

export class HeapSnapshot {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly rootOrdinal = 0;
  readonly t: {
    hidden: number;
    array: number;
    string: number;
    object: number;
    code: number;
    closure: number;
    regexp: number;
    number: number;
    native: number;
    synthetic: number;
    consString: number;
    slicedString: number;
  };
  readonly et: {
    context: number;
    element: number;
    property: number;
    internal: number;
    hidden: number;
    shortcut: number;
    weak: number;
  };
  dominators: Uint32Array | undefined;
  retainedSizes: Float64Array | undefined;
  distances: Uint32Array | undefined;
  unreachableCount = 0;
  /** Sum of every node's self size (set by analyse). */
  totalSelfSize = 0;
  /** Shallow sizes as DevTools shows them (internals folded into their single owner). */
  readonly selfSizes: Uint32Array | Float64Array;
  /** Original self sizes, kept only when folding changed them. */
  private rawSelfSizes: Uint32Array | Float64Array | undefined;
  private firstRetainer: Uint32Array | undefined;
  private retainerEdges: Uint32Array | undefined;
  private locationIndex: Int32Array | undefined;
  private classNameCache = new Map<number, string>();
  /** Arrays of nodeCount + 1 entries that a finished phase hands to the next one. */
  private scratch: Uint32Array[] = [];
  private predCounts: Uint32Array | undefined;
  /** The dominators' predecessor layout, made with the counts (see markNonEssentialEdges). */
  private predLayout: Uint32Array | undefined;
  private predsForDominators: Uint32Array | undefined;
  private lastPreds: Uint32Array | undefined;
  /** Set while the helper thread computes the distances: waits for them and keeps them. */
  private finishDistances: (() => void) | undefined;
  private finishClassKeys: (() => ClassKeyJob) | undefined;
  /** Whether the helper thread computed the distances (see markNonEssentialEdges). */
  distancesOnHelper = false;
  /** Whether the helper thread grouped the nodes by class (tests). */
  classKeysOnHelper = false;
  /** Set while the helper thread folds the shallow sizes: waits for it and keeps its result. */
  private finishFold: (() => void) | undefined;

  constructor(readonly raw: ParsedSnapshot) {
    this.nodeCount = raw.nodeCount;
    this.edgeCount = raw.edgeCount;
    const nt = raw.meta.nodeTypes;
    const et = raw.meta.edgeTypes;
    this.t = {
      hidden: nt.indexOf('hidden'),
      array: nt.indexOf('array'),
      string: nt.indexOf('string'),
      object: nt.indexOf('object'),
      code: nt.indexOf('code'),
      closure: nt.indexOf('closure'),
      regexp: nt.indexOf('regexp'),
      number: nt.indexOf('number'),
      native: nt.indexOf('native'),
      synthetic: nt.indexOf('synthetic'),
      consString: nt.indexOf('concatenated string'),
      slicedString: nt.indexOf('sliced string'),
    };
    this.et = {
      context: et.indexOf('context'),
      element: et.indexOf('element'),
      property: et.indexOf('property'),
      internal: et.indexOf('internal'),
      hidden: et.indexOf('hidden'),
      shortcut: et.indexOf('shortcut'),
      weak: et.indexOf('weak'),
    };
    this.selfSizes = raw.nodeSelfSizes;
  }

  // ---- accessors -------------------------------------------------------------------------
  nodeType(o: number): string {
    return this.raw.meta.nodeTypes[this.raw.nodeTypes[o]] ?? 'unknown';
  }
  nodeName(o: number): string {
    return this.raw.strings.get(this.raw.nodeNames[o]);
  }
  nodeId(o: number): number {
    return this.raw.nodeIds[o];
  }
  edgeType(e: number): number {
    return this.raw.edgeTypes[e] & EDGE_TYPE_MASK;
  }
  edgeTypeName(e: number): string {
    return this.raw.meta.edgeTypes[this.edgeType(e)] ?? 'unknown';
  }
  /** Property / variable name, or the index for element and hidden edges. */
  edgeName(e: number): string {
    const type = this.edgeType(e);
    const name = this.raw.edgeNames[e];
    if (type === this.et.element || type === this.et.hidden) return String(name);
    return this.raw.strings.get(name);
  }
  /** Shallow size as V8 reported it. */
  originalSelfSize(o: number): number {
    return (this.rawSelfSizes ?? this.selfSizes)[o];
  }

  /** DevTools' class name: '(system)', '(compiled code)', 'Function', 'RegExp', '(string)', or the constructor name. */
  className(o: number): string {
    const type = this.raw.nodeTypes[o];
    if (type === this.t.object || type === this.t.native) {
      const nameIndex = this.raw.nodeNames[o];
      let name = this.classNameCache.get(nameIndex);
      if (name === undefined) {
        name = this.raw.strings.get(nameIndex);
        if (name.startsWith('<') || name.startsWith('Detached <')) {
          const space = name.indexOf(' ', name.startsWith('<') ? 0 : 10);
          if (space !== -1) name = name.slice(0, space) + '>';
        }
        this.classNameCache.set(nameIndex, name);
      }
      return name;
    }
    if (type === this.t.hidden) return '(system)';
    if (type === this.t.code) return '(compiled code)';
    if (type === this.t.closure) return 'Function';
    if (type === this.t.regexp) return 'RegExp';
    return `(${this.nodeType(o)})`;
  }

  /** A grouping key equal for nodes of the same class name (cheap: no string decoding). */
  classKey(o: number): number {
    const type = this.raw.nodeTypes[o];
    if (type === this.t.object || type === this.t.native) return this.raw.nodeNames[o] + 256;
    return type;
  }

  /** Function location of a closure, or the constructor location of an object (0-based line/column). */
  location(o: number): { scriptId: number; line: number; column: number } | undefined {
    const l = this.raw.locations;
    // One slot per node (4 bytes each): built in one pass, where a Map of the millions of
    // locations of a big heap took seconds and hundreds of MB. V8 does not write them in node
    // order, so a binary search would not do. A node listed twice keeps its last location.
    if (!this.locationIndex) {
      const index = new Int32Array(this.nodeCount).fill(-1);
      for (let i = 0; i < l.length; i += 4) if (l[i] < index.length) index[l[i]] = i;
      this.locationIndex = index;
    }
    const at = this.locationIndex[o];
    if (at === undefined || at < 0) return undefined;
    return { scriptId: l[at + 1], line: l[at + 2], column: l[at + 3] };
  }

  /** Edges of node o as [start, end) edge indexes. */
  edgesOf(o: number): [number, number] {
    return [this.raw.firstEdge[o], this.raw.firstEdge[o + 1]];
  }

  // ---- analysis --------------------------------------------------------------------------
  analyse(options: AnalyseOptions = {}): this {
    options.onPhase?.('edges');
    const distances = options.distances !== false;
    this.markNonEssentialEdges(options.parallel ?? 'auto', distances, options.classes === true);
    options.onPhase?.('dominators');
    const result = computeDominators({
      nodeCount: this.nodeCount,
      rootOrdinal: this.rootOrdinal,
      firstEdge: this.raw.firstEdge,
      edgeTo: this.raw.edgeTo,
      edgeTypes: this.raw.edgeTypes,
      selfSizes: this.selfSizes,
      scratch: this.scratch.splice(0),
      predCounts: this.predCounts,
      layout: this.predLayout,
      lastPreds: this.lastPreds,
      preds: this.predsForDominators,
      // The helper thread may still be folding the shallow sizes: needed only for the sums.
      beforeSizes: () => this.finishFold?.(),
    });
    this.finishFold = undefined;
    this.predCounts = undefined;
    this.predLayout = undefined;
    this.predsForDominators = undefined;
    this.lastPreds = undefined;
    this.scratch.push(...result.spare);
    this.dominators = result.dominators;
    this.retainedSizes = result.retainedSizes;
    this.unreachableCount = result.unreachableCount;
    this.totalSelfSize = result.totalSelfSize;
    if (distances) {
      options.onPhase?.('distances');
      if (this.finishDistances) this.finishDistances();
      else this.computeDistances();
    }
    return this;
  }

  /**
   * Marks edges DevTools ignores for dominators: weak edges, self edges, shortcuts (except from
   * the root), the table side of WeakMap ephemerons, and edges from non-page objects into page
   * objects (objects reachable from the root's user-root shortcuts). The page search marks the
   * edges it walks and counts essential predecessors (for the dominators) as it goes; on big
   * snapshots parsed into shared arrays a helper thread searches while this thread marks and
   * counts the edges itself (markEdges.ts). The counts are then laid out for the dominators'
   * predecessor lists. The shallow-size folding needs neither marks nor counts: the helper does
   * it last, while this thread starts the dominators (or this thread does it, without a helper).
   */
  private markNonEssentialEdges(parallel: boolean | 'auto', distances: boolean, classes: boolean): void {
    const { nodeCount: N, rootOrdinal: root } = this;
    const { firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds, nodeTypes } = this.raw;
    const { weak, shortcut, internal } = this.et;
    this.hasUserRoots = false;
    for (let e = firstEdge[root]; e < firstEdge[root + 1]; e++) {
      if (nodeTypes[edgeTo[e]] !== this.t.synthetic) this.hasUserRoots = true;
    }
    const twoThreads =
      (parallel === true ||
        (parallel === 'auto' && this.edgeCount >= PARALLEL_MARK_EDGES && availableParallelism() >= 2)) &&
      canShare([firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds]);
    const shared = (bytes: number): ArrayBufferLike =>
      twoThreads ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    // Large word arrays sized for huge pages (hugePageSize.ts), of exactly `count` entries.
    const words = (count: number): Uint32Array => new Uint32Array(shared(hugePageBytes(count * 4)), 0, count);
    // The parse's own helper thread when it is still there (no start-up to wait for).
    const kept = takeHelperFor(this.raw);
    if (!twoThreads) kept?.stop();
    this.helperFromParse = twoThreads && kept !== undefined;
    const helper = twoThreads ? (kept ?? startPageSearchHelper()) : undefined;
    try {
      // The ephemeron rule needs the WeakMap edge names before the search starts.
      const { nameFlags, tableIds, externalDataNames } = this.nameRules();
      const job: MarkJob = {
        firstEdge,
        edgeTo,
        edgeTypes,
        edgeNames,
        nodeIds,
        nameFlags,
        tableIds,
        root,
        weak,
        shortcut,
        internal,
      };
      // With a helper, this thread also marks and counts the edges of the first nodes (a share
      // of the edges that evens out the two threads' work), into counts of its own.
      const countFrom = helper ? this.nodeHoldingEdge(Math.floor(this.edgeCount * COUNTED_HERE)) : 0;
      const search: PageSearch = {
        // Page-owned: reachable (non-weak) from the root's shortcut edges (user roots) and from
        // its '(Document DOM trees)' element.
        starts: this.pageSearchStarts(),
        page: words((N + 31) >>> 5),
        stack: words(N + 2),
        predCounts: words(N + 2),
        nodeCount: N,
        countFrom,
      };
      // Laid out at the end, by this thread, into pages the helper faults in once it is done.
      const layout = words((N + 2) * 2);
      // Once the helper is done searching it faults in the pages this thread writes next: the
      // layout, the helper's counts (only corrections are written there while the search merely
      // walks: read first, its pages would fault as zero pages now and again when the dominators
      // write into it), the search's stack (a dominators' working array next).
      const faultedLater = [layout, search.predCounts, search.stack].map((a) => new Int32Array(a.buffer));
      helper?.start(job, search, faultedLater);
      // The folding needs no marks and no counts: the helper does it last, while this thread
      // starts the dominators (which need the sizes only for their sums), or this thread does it
      // now.
      const fold = this.hasUserRoots ? this.sizeFold(externalDataNames, shared) : undefined;
      const foldOnHelper = fold && helper && canShare([fold.nodeTypes, fold.nodeNames, fold.selfSizes]);
      if (fold && !foldOnHelper) this.foldHere(fold);
      // Written through first: counting reads each entry before writing it, and a fresh page read
      // first faults twice (in as the shared zero page, then copied on write): 8k faults, not 4k.
      const countedHere =
        countFrom > 0
          ? new Uint32Array(new ArrayBuffer(hugePageBytes((N + 2) * 4)), 0, N + 2).fill(0)
          : undefined;
      if (countedHere) countEdges(job, 0, countFrom, countedHere);
      // While it waits for the search, this thread faults those pages in itself, 1 MB at a time
      // (on the bench heap the wait is 0-65 ms). Compare-and-swap of 0 with 0: the helper may be
      // writing the counts.
      let array = 0;
      let at = 0;
      const faultInMeanwhile = (): boolean => {
        const pages = faultedLater[array];
        if (!pages) return false;
        const end = Math.min(pages.length, at + (1 << 18));
        for (; at < end; at += 1024) Atomics.compareExchange(pages, at, 0, 0);
        if (at >= pages.length) {
          array++;
          at = 0;
        }
        return true;
      };
      if (helper) this.pageSearchOnHelper = helper.finish(job, search, parallel === true, faultInMeanwhile);
      else searchPageAndMarkRest(job, search);
      this.markThreads = this.pageSearchOnHelper ? 2 : 1;
      // The dominators' predecessor lists are laid out from both count arrays, summed as read.
      this.lastPreds = layOutPredecessors(search.predCounts, N, layout, countedHere);
      this.predCounts = search.predCounts;
      this.predLayout = layout;
      // The search's stack and this thread's counts are free again (for the dominators).
      this.scratch.push(search.stack);
      if (countedHere) this.scratch.push(countedHere);
      if (helper) {
        // The dominators' new array, whose pages the helper faults in while this thread starts
        // them (~10k page faults on the 4M-node bench heap, ~2 µs each under a memory cgroup).
        this.predsForDominators = words(layout[2 * N + 1]);
        helper.prefault([new Int32Array(this.predsForDominators.buffer)]);
      }
      if (fold && foldOnHelper) {
        helper.fold(fold);
        this.finishFold = () => {
          const { changed, onHelper } = helper.finishFold(fold, parallel === true);
          if (changed) this.rawSelfSizes = fold.rawSelfSizes;
          this.foldOnHelper = onHelper;
          this.finishFold = undefined;
        };
      }
      // The distances read only the edges (their types' weak bit, not the marks): the helper
      // computes them after the folding, while this thread computes the dominators.
      let distanceJob: DistanceJob | undefined;
      if (helper && distances) {
        const job: DistanceJob = (distanceJob = {
          firstEdge,
          edgeTo,
          edgeTypes,
          weak,
          root,
          distances: words(N),
          // No queue: the helper's folding leaves it an array of its own to queue in (one
          // nodeCount-long array of fresh pages less); this thread, if it takes the distances
          // back, allocates one.
        });
        helper.distances(job);
        this.finishDistances = () => {
          this.distancesOnHelper = helper.finishDistances(job, parallel === true);
          this.distances = job.distances;
          this.finishDistances = undefined;
        };
      }
      // The class keys read the folded sizes, types and names: the helper groups them last.
      if (helper && classes && canShare([nodeTypes, this.raw.nodeNames, this.selfSizes])) {
        const job: ClassKeyJob = {
          nodeCount: N,
          nodeTypes,
          nodeNames: this.raw.nodeNames,
          selfSizes: this.selfSizes,
          object: this.t.object,
          native: this.t.native,
          stringCount: this.raw.strings.count,
          classOf: words(N),
          classCount: new Uint32Array(shared(8)),
          tally: classTally(classCapacity(this.raw.strings.count, false), shared),
          distances: distanceJob?.distances,
        };
        helper.classKeys(job, fold !== undefined && foldOnHelper === true);
        this.finishClassKeys = () => {
          this.finishFold?.();
          // Grouped here, the classes' distances are tallied too once the distances are done.
          this.finishDistances?.();
          this.classKeysOnHelper = helper.finishClassKeys(job, parallel === true);
          return job;
        };
      }
    } finally {
      // After what was asked for: the helper ends once done.
      helper?.stop();
    }
  }

  /** Where the page search starts: the user roots, and the DOM trees of a browser heap. */
  private pageSearchStarts(): Uint32Array {
    const { firstEdge, edgeTo, edgeTypes, nodeTypes } = this.raw;
    const { element, shortcut } = this.et;
    const root = this.rootOrdinal;
    const starts: number[] = [];
    for (let e = firstEdge[root]; e < firstEdge[root + 1]; e++) {
      const type = edgeTypes[e] & EDGE_TYPE_MASK;
      const target = edgeTo[e];
      if (
        type === shortcut ||
        (type === element &&
          nodeTypes[target] === this.t.synthetic &&
          this.nodeName(target) === '(Document DOM trees)')
      )
        starts.push(target);
    }
    return Uint32Array.from(starts);
  }

  /** The first node whose edges reach past edge index `e` (nodes are in edge order). */
  private nodeHoldingEdge(e: number): number {
    const firstEdge = this.raw.firstEdge;
    let lo = 0;
    let hi = this.nodeCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (firstEdge[mid + 1] <= e) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The names DevTools' rules look for. Which strings are WeakMap ephemeron edge names, and their
   * table ids: `<n> / part of key (… @k) -> value (… @v) pair in WeakMap (table @t)` (byte checks
   * the string table made as the strings arrived, a digit first and ')' last, leave the pattern
   * for a few strings); and which are the name of external string data (native nodes that can be
   * owned).
   */
  private nameRules(): { nameFlags: Uint8Array; tableIds: Float64Array; externalDataNames: Uint32Array } {
    const strings = this.raw.strings;
    const count = strings.count;
    const nameFlags = new Uint8Array(count);
    let tableIds = new Float64Array(0);
    const { digitLedParen, externalData } = strings.nameRuleCandidates();
    for (const i of digitLedParen) {
      const match = WEAKMAP_EDGE.exec(strings.get(i));
      if (!match?.groups) continue;
      if (tableIds.length === 0) tableIds = new Float64Array(count);
      nameFlags[i] = 2;
      tableIds[i] = Number(match.groups.tableId);
    }
    return { nameFlags, tableIds, externalDataNames: Uint32Array.from(externalData) };
  }

  private hasUserRoots = false;
  /** Threads that marked the edges (2 when the page search ran on the helper). */
  markThreads = 0;
  /** Whether the helper thread did the page search (see markNonEssentialEdges). */
  pageSearchOnHelper = false;
  /** Whether the helper thread folded the shallow sizes (see markNonEssentialEdges). */
  foldOnHelper = false;
  /** Whether the helper thread was the two-thread parse's own, kept for the analysis. */
  helperFromParse = false;

  /**
   * What folding the shallow size of internal arrays, hidden objects and external string data
   * into the single object that owns them (as DevTools does, folding.ts) works on.
   */
  private sizeFold(externalDataNames: Uint32Array, shared: (bytes: number) => ArrayBufferLike): SizeFold {
    const { firstEdge, edgeTo, edgeTypes, nodeTypes, nodeNames } = this.raw;
    const { hidden, array, native, synthetic } = this.t;
    const ownableTypes = new Uint8Array(256);
    ownableTypes[hidden] = 1;
    ownableTypes[array] = 1;
    ownableTypes[native] = 2;
    const sizes = this.selfSizes;
    // Touched only when folding changes a size: its pages cost nothing otherwise.
    const rawBuffer = shared(sizes.byteLength);
    return {
      nodeCount: this.nodeCount,
      firstEdge,
      edgeTo,
      edgeTypes,
      nodeTypes,
      nodeNames,
      weak: this.et.weak,
      ownableTypes,
      ownableNames: externalDataNames,
      selfSizes: sizes,
      rawSelfSizes: sizes instanceof Float64Array ? new Float64Array(rawBuffer) : new Uint32Array(rawBuffer),
      root: this.rootOrdinal,
      synthetic,
    };
  }

  /** Folds on this thread (a fold the helper failed to start, or no helper). */
  private foldHere(fold: SizeFold): void {
    const owners = findOwners(fold);
    if (foldSizes(fold, owners)) this.rawSelfSizes = fold.rawSelfSizes;
    this.scratch.push(new Uint32Array(owners.buffer, owners.byteOffset, owners.length));
  }

  /**
   * An array of `length` entries (any content) left over by the analysis, whose pages are already
   * faulted in; undefined when none is left (the caller allocates one).
   */
  takeScratch(length: number): Uint32Array | undefined {
    const i = this.scratch.findIndex((a) => a.length >= length);
    return i < 0 ? undefined : this.scratch.splice(i, 1)[0]!.subarray(0, length);
  }

  /**
   * The class keys the helper grouped, when analyse was asked for them (once; undefined after, and
   * without a helper): waits for the helper, or groups them here if it did not.
   */
  classKeysFromHelper(): ClassKeyJob | undefined {
    const finish = this.finishClassKeys;
    this.finishClassKeys = undefined;
    return finish?.();
  }

  /** Breadth-first distances from the root over non-weak edges (DevTools' descriptor rule applied). */
  computeDistances(): Uint32Array {
    const N = this.nodeCount;
    const { firstEdge, edgeTo, edgeTypes } = this.raw;
    const distances = new Uint32Array(N);
    const queue = this.takeScratch(N) ?? new Uint32Array(N);
    bfsDistances({
      firstEdge,
      edgeTo,
      edgeTypes,
      weak: this.et.weak,
      root: this.rootOrdinal,
      distances,
      queue,
    });
    this.scratch.push(queue);
    this.distances = distances;
    return distances;
  }

  /**
   * Retainers (reverse edges) of every node, built once on first use by counting sort. Only the
   * edges are kept: the node holding an edge is found by a binary search over firstEdge when
   * asked (retainerNodeAt), which saves 4 bytes per edge (265 MB on a 66M-edge heap) and one of
   * the three scattered writes per edge of the build.
   */
  ensureRetainers(): void {
    if (this.firstRetainer) return;
    const N = this.nodeCount;
    const { edgeTo } = this.raw;
    // An array the analysis left over when there is one (its pages are faulted in already).
    const first = this.takeScratch(N + 1)?.fill(0) ?? new Uint32Array(N + 1);
    for (let e = 0; e < this.edgeCount; e++) first[edgeTo[e]]++;
    let total = 0;
    for (let v = 0; v < N; v++) {
      total += first[v];
      first[v] = total;
    }
    first[N] = total;
    // Filled backwards so that each node's retainers end up in edge order.
    const edges = new Uint32Array(total);
    for (let e = this.edgeCount - 1; e >= 0; e--) edges[--first[edgeTo[e]]] = e;
    this.firstRetainer = first;
    this.retainerEdges = edges;
  }

  /** Retaining [edge, node] pairs of node o. */
  retainersOf(o: number): Array<{ edge: number; from: number }> {
    this.ensureRetainers();
    const out: Array<{ edge: number; from: number }> = [];
    for (let i = this.firstRetainer![o]; i < this.firstRetainer![o + 1]; i++)
      out.push({ edge: this.retainerEdges![i], from: this.retainerNodeAt(i) });
    return out;
  }

  retainerRange(o: number): [number, number] {
    this.ensureRetainers();
    return [this.firstRetainer![o], this.firstRetainer![o + 1]];
  }
  retainerEdgeAt(i: number): number {
    return this.retainerEdges![i];
  }
  retainerNodeAt(i: number): number {
    return this.nodeHoldingEdge(this.retainerEdges![i]);
  }

  /** Ordinal of the node with this id, or -1. */
  ordinalOfId(id: number): number {
    const ids = this.raw.nodeIds;
    for (let i = 0; i < this.nodeCount; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** Whether the node is a detached DOM-like node per the snapshot's detachedness field. */
  isDetached(o: number): boolean {
    return this.raw.detachedness?.[o] === 2;
  }
}
