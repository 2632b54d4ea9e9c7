// What the heap snapshot explorer asks of a loaded snapshot, and what it gets back: plain data, small
// enough per answer to cross a thread and a webview boundary (a page of rows, never the graph).
// Objects are named by their ordinal in the loaded snapshot (stable while it is open) and shown with
// their snapshot id (`@id`).
import type { SourceFrame } from '../../types';

export type ClassSort = 'retained' | 'shallow' | 'count' | 'distance' | 'name';
export type ObjectSort = 'retained' | 'shallow' | 'distance' | 'id';

export interface SnapshotInfo {
  file: string;
  fileBytes: number;
  nodeCount: number;
  edgeCount: number;
  /** Sum of the shallow sizes: the 100% of the "% of heap" columns. */
  totalBytes: number;
  unreachableCount: number;
  classCount: number;
  parseMs: number;
  analyseMs: number;
}

/**
 * The class table as soon as the graph is parsed, before the dominators: counts and V8's own
 * shallow sizes (internals not yet folded into their owners, detached native objects not yet apart).
 * Its rows' retainedBytes are 0 and their distance -1: not known yet.
 */
export interface ProvisionalTable {
  info: {
    file: string;
    fileBytes: number;
    nodeCount: number;
    edgeCount: number;
    totalBytes: number;
    classCount: number;
    parseMs: number;
  };
  classes: ClassRow[];
}

export interface ClassRow {
  /** Handle for objectsOfClass (index of the class in this snapshot). */
  classIndex: number;
  name: string;
  count: number;
  shallowBytes: number;
  /** Retained size of the instances no other instance of the class dominates (DevTools' rule). */
  retainedBytes: number;
  /** Smallest distance from the GC roots among the instances (-1 when all are unreachable). */
  distance: number;
}

export interface ObjectRow {
  ordinal: number;
  id: number;
  className: string;
  /** How a person reads the node: `Foo`, `"text…"`, `handler()`, `(GC roots)`. */
  label: string;
  shallowBytes: number;
  retainedBytes: number;
  /** -1 when unreachable from the GC roots. */
  distance: number;
  /** Function position of a closure, of a context's closure, or an object's constructor. */
  location?: SourceFrame;
  /** Children in the dominator tree (what this object keeps alive on its own). */
  dominatedCount: number;
  detached?: boolean;
}

export interface RetainerRow {
  /** The node holding the reference. */
  holder: ObjectRow;
  /** 'property' | 'element' | 'context' | 'internal' | 'hidden' | 'shortcut' | 'weak'. */
  edgeType: string;
  edgeName: string;
  /** `.name`, `[3]`, `.name (closure variable)`, as the retainer paths print them. */
  edgeLabel: string;
  weak: boolean;
  /** The user asked to ignore this holder: its references do not count for distances. */
  ignored: boolean;
  /**
   * A closure variable's declaration (`const sessionLog = []`), found in the source of the script
   * of the context's function; set only when the search finds exactly one.
   */
  declaration?: SourceFrame;
}

export interface Page<T> {
  total: number;
  offset: number;
  rows: T[];
}

export interface ComparisonRow {
  name: string;
  newCount: number;
  newBytes: number;
  deletedCount: number;
  deletedBytes: number;
  survivingCount: number;
  survivingBytes: number;
  countDelta: number;
  bytesDelta: number;
}

export interface Comparison {
  /** The snapshot compared against (the earlier one). */
  baseFile: string;
  /** With a third file: objects allocated between base and middle and still alive here. */
  middleFile?: string;
  newCount: number;
  newBytes: number;
  deletedCount: number;
  deletedBytes: number;
  rows: ComparisonRow[];
  between?: { total: number; bytes: number; rows: Array<{ name: string; count: number; bytes: number }> };
  /** What holds the new objects (the engine's `diff --holders`), by constructor. */
  holders?: Array<{
    constructorName: string;
    addedCount: number;
    addedBytes: number;
    retainedBytes: number;
    path: string[];
    location?: SourceFrame;
    holderOrdinal?: number;
  }>;
}

/**
 * An object's retainers with the shortest path to a GC root opened: the first page of its
 * retainers, the path (retainerPath), and for each step of the path that can be opened, the first
 * page of that holder's own retainers (null for a step that cannot: a root, an ignored holder).
 */
export interface RetainerTree {
  top: Page<RetainerRow>;
  path: RetainerRow[];
  children: Array<Page<RetainerRow> | null>;
}

export type ExplorerQuery =
  | { kind: 'info' }
  | { kind: 'classes'; sort?: ClassSort; descending?: boolean; filter?: string }
  | { kind: 'objects'; classIndex: number; sort?: ObjectSort; offset?: number; limit?: number }
  | { kind: 'object'; ordinal: number }
  | { kind: 'findId'; id: number }
  /** An object by `@id` with its retainerTree, in one answer (one round trip through the host). */
  | { kind: 'find'; id: number; limit?: number }
  | { kind: 'searchStrings'; text: string; limit?: number }
  | { kind: 'retainers'; ordinal: number; offset?: number; limit?: number }
  | { kind: 'retainerPath'; ordinal: number }
  /** The first page of retainers and the default path opened below it, in one answer. */
  | { kind: 'retainerTree'; ordinal: number; limit?: number }
  | { kind: 'dominated'; ordinal: number; offset?: number; limit?: number }
  /** The largest object of a class held through a variable or property of this name. */
  | { kind: 'largestHeldVia'; className: string; via: string }
  /** An object and the first page of its dominator-tree children, in one answer. */
  | { kind: 'subtree'; ordinal: number; limit?: number }
  /** `tree`: also answer that object's retainerTree as the new distances give it (one round trip). */
  | { kind: 'ignore'; ordinal: number; ignored: boolean; tree?: number }
  | { kind: 'compare'; baseFile: string; middleFile?: string; holders?: number };

/** The answer to each query kind. */
export interface ExplorerAnswers {
  info: SnapshotInfo;
  classes: ClassRow[];
  objects: Page<ObjectRow>;
  object: ObjectRow;
  findId: ObjectRow | null;
  find: { row: ObjectRow; tree: RetainerTree } | null;
  searchStrings: Page<ObjectRow>;
  retainers: Page<RetainerRow>;
  retainerPath: RetainerRow[];
  retainerTree: RetainerTree;
  dominated: Page<ObjectRow>;
  largestHeldVia: ObjectRow | null;
  subtree: { root: ObjectRow; children: Page<ObjectRow> };
  ignore: { ignored: number[]; tree?: RetainerTree };
  compare: Comparison;
}

export type ExplorerAnswer<Q extends ExplorerQuery> = ExplorerAnswers[Q['kind']];
