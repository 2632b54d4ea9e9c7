// Allocation stacks of snapshots taken with allocation tracking on (`node --track-heap-objects`,
// DevTools' "Allocation instrumentation on timeline", HeapProfiler.startTrackingHeapObjects with
// trackAllocations): each node's trace_node_id names a node of `trace_tree`, a tree of call
// stacks whose frames are `trace_function_infos` (function name, script, the function's own line
// and column, 1-based). V8 records the function of each frame, not the line inside it that
// allocated: a frame says "in grow, declared at app.js:4:14".
import type { HeapSnapshot } from './snapshot';

export interface AllocationFrame {
  functionName: string;
  scriptName: string;
  /** 1-based; 0 when V8 did not know. */
  line: number;
  column: number;
}

/** New objects allocated under one call stack. */
export interface AllocationSite {
  count: number;
  /** Shallow bytes (V8's own sizes). */
  bytes: number;
  /** The constructors allocated there, most objects first (at most 3). */
  constructors: Array<{ name: string; count: number }>;
  /** Innermost frame first. */
  frames: AllocationFrame[];
}

const read = new WeakMap<HeapSnapshot, AllocationTraces | null>();
const V8_GROUPS = new Set(['', '(compiled code)', '(object shape)', '(system)', '(array)']);

export class AllocationTraces {
  private constructor(
    private readonly snapshot: HeapSnapshot,
    /** By trace node id: index of its function info, and its parent's trace node id (0: none). */
    private readonly functionOf: Map<number, number>,
    private readonly parentOf: Map<number, number>,
    private readonly infoFields: {
      count: number;
      name: number;
      script: number;
      line: number;
      column: number;
    },
  ) {}

  /** The snapshot's allocation traces (read once), or undefined when it was taken without tracking. */
  static of(snapshot: HeapSnapshot): AllocationTraces | undefined {
    let traces = read.get(snapshot);
    if (traces === undefined) {
      traces = AllocationTraces.read(snapshot) ?? null;
      read.set(snapshot, traces);
    }
    return traces ?? undefined;
  }

  private static read(snapshot: HeapSnapshot): AllocationTraces | undefined {
    const raw = snapshot.raw;
    if (!raw.traceNodeIds || !raw.traceTreeJson || !raw.traceFunctionInfos) return undefined;
    const fields = raw.meta.traceFunctionInfoFields;
    const infoFields = {
      count: fields.length,
      name: fields.indexOf('name'),
      script: fields.indexOf('script_name'),
      line: fields.indexOf('line'),
      column: fields.indexOf('column'),
    };
    const treeFields = raw.meta.traceNodeFields;
    const idAt = treeFields.indexOf('id');
    const functionAt = treeFields.indexOf('function_info_index');
    const childrenAt = treeFields.indexOf('children');
    if (infoFields.count === 0 || infoFields.name < 0 || idAt < 0 || functionAt < 0 || childrenAt < 0)
      return undefined;
    let tree: unknown;
    try {
      tree = JSON.parse(raw.traceTreeJson);
    } catch {
      return undefined; // a trace tree that is not JSON: no stacks, the rest of the snapshot stands
    }
    const functionOf = new Map<number, number>();
    const parentOf = new Map<number, number>();
    // Iterative: deep recursion in a program makes a deep tree.
    const pending: Array<{ list: unknown; parent: number }> = [{ list: tree, parent: 0 }];
    const width = treeFields.length;
    while (pending.length > 0) {
      const { list, parent } = pending.pop()!;
      if (!Array.isArray(list)) continue;
      for (let i = 0; i + width <= list.length; i += width) {
        const id = list[i + idAt] as number;
        functionOf.set(id, list[i + functionAt] as number);
        parentOf.set(id, parent);
        pending.push({ list: list[i + childrenAt], parent: id });
      }
    }
    return new AllocationTraces(snapshot, functionOf, parentOf, infoFields);
  }

  /** The trace node id node o was allocated under (0: allocated before tracking started). */
  traceOf(o: number): number {
    return this.snapshot.raw.traceNodeIds?.[o] ?? 0;
  }

  /** The call stack of a trace node, innermost frame first, without V8's synthetic "(root)". */
  stack(traceId: number, maxFrames = 8): AllocationFrame[] {
    const infos = this.snapshot.raw.traceFunctionInfos!;
    const strings = this.snapshot.raw.strings;
    const f = this.infoFields;
    const frames: AllocationFrame[] = [];
    for (let id = traceId; id !== 0 && frames.length < maxFrames; id = this.parentOf.get(id) ?? 0) {
      const info = this.functionOf.get(id);
      // A trace tree that names no (or a missing) function info ends the stack there.
      if (info === undefined || !Number.isInteger(info) || info < 0 || (info + 1) * f.count > infos.length)
        break;
      const at = info * f.count;
      const functionName = strings.get(infos[at + f.name]);
      const scriptName = f.script >= 0 ? strings.get(infos[at + f.script]) : '';
      if (functionName === '(root)' && !scriptName) break;
      const line = f.line >= 0 ? infos[at + f.line] : 0;
      const column = f.column >= 0 ? infos[at + f.column] : 0;
      frames.push({ functionName, scriptName, line: line > 0 ? line : 0, column: column > 0 ? column : 0 });
    }
    // Node's module loader under the program's first line says nothing about the program.
    let keep = frames.length;
    while (keep > 1 && frames[keep - 1].scriptName.startsWith('node:internal/')) keep--;
    return frames.slice(0, keep);
  }

  /**
   * Where the nodes that `include` accepts were allocated: grouped by call stack, most bytes
   * first. Left out: nodes allocated before tracking started, and V8's own groups (compiled code,
   * object shapes, internal arrays and system objects), which every program grows a little.
   */
  sites(include: (o: number) => boolean, top: number, maxFrames = 8): AllocationSite[] {
    const byTrace = new Map<number, { count: number; bytes: number; classes: Map<string, number> }>();
    const snapshot = this.snapshot;
    for (let o = 0; o < snapshot.nodeCount; o++) {
      const trace = this.traceOf(o);
      if (trace === 0 || !include(o)) continue;
      const name = snapshot.className(o);
      if (V8_GROUPS.has(name) || name.startsWith('system /')) continue;
      let site = byTrace.get(trace);
      if (!site) {
        site = { count: 0, bytes: 0, classes: new Map() };
        byTrace.set(trace, site);
      }
      site.count++;
      site.bytes += snapshot.originalSelfSize(o);
      site.classes.set(name, (site.classes.get(name) ?? 0) + 1);
    }
    return [...byTrace.entries()]
      .sort((a, b) => b[1].bytes - a[1].bytes || b[1].count - a[1].count)
      .slice(0, top)
      .map(([trace, site]) => ({
        count: site.count,
        bytes: site.bytes,
        constructors: [...site.classes.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([name, count]) => ({ name, count })),
        frames: this.stack(trace, maxFrames),
      }));
  }
}

/**
 * "grow, declared at /srv/app.js:4:14": the position is the function's own (V8 does not record
 * the allocating line), so it is not written as a stack trace's call position would be.
 */
export function describeFrame(frame: AllocationFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.scriptName) return name;
  const where = frame.line > 0 ? `${frame.scriptName}:${frame.line}:${frame.column}` : frame.scriptName;
  return `${name}, declared at ${where}`;
}
