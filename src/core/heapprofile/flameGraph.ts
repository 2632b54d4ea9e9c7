// A sampling heap profile (`.heapprofile`, the protocol's SamplingHeapProfile: what DevTools and
// js-profile-flame open too) laid out as a flame graph of live bytes by stack: one frame per call
// tree node, its width its total bytes (own allocations plus its callees'), children side by side
// from the left, the largest first. Plain data for the flame webview; a few thousand frames for a
// typical profile.
import { HeapscopeError } from '../errors';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../sampling/profile';

/** Where a frame's code lives: the program, its dependencies, Node itself, or V8/native. */
export type FrameCategory = 'user' | 'dependency' | 'node' | 'native';

export interface FlameFrame {
  /** Index in FlameGraph.frames; parents come before their children. */
  index: number;
  parent: number;
  depth: number;
  functionName: string;
  url: string;
  /** 1-based; 0 when unknown. */
  line: number;
  column: number;
  selfBytes: number;
  totalBytes: number;
  /** Offset of the frame's left edge, in bytes from the root's left edge. */
  startBytes: number;
  category: FrameCategory;
}

export interface FlameGraph {
  frames: FlameFrame[];
  totalBytes: number;
  maxDepth: number;
}

export function frameCategory(functionName: string, url: string): FrameCategory {
  if (!url) return 'native';
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node';
  if (/[\\/]node_modules[\\/]/.test(url)) return 'dependency';
  return 'user';
}

/** A call tree node as the file should hold it (a file's children are checked one by one). */
export function isProfileNode(value: unknown): value is SamplingHeapProfileNode {
  if (typeof value !== 'object' || value === null) return false;
  const node = value as Partial<SamplingHeapProfileNode>;
  return (
    typeof node.selfSize === 'number' &&
    Array.isArray(node.children) &&
    typeof node.callFrame === 'object' &&
    node.callFrame !== null &&
    typeof node.callFrame.functionName === 'string'
  );
}

/** Parses a `.heapprofile` file's text; a clear error for anything else. */
export function parseHeapProfile(text: string, file: string): SamplingHeapProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HeapscopeError(
      'usage',
      `${file} is not a heap profile: it is not JSON (${(error as Error).message}). Was it written completely?`,
    );
  }
  const head = (value as { head?: unknown } | null)?.head;
  if (!isProfileNode(head))
    throw new HeapscopeError(
      'usage',
      `${file} is not a sampling heap profile: it has no "head" call tree (a .heapprofile as DevTools or Heapscope save it).`,
    );
  return value as SamplingHeapProfile;
}

/** Lays out the call tree; frames with no bytes below them are left out. */
export function flameGraph(profile: SamplingHeapProfile): FlameGraph {
  const totals = new Map<SamplingHeapProfileNode, number>();
  // Totals bottom-up without recursion (call trees can be deep).
  const order: SamplingHeapProfileNode[] = [];
  const stack: SamplingHeapProfileNode[] = [profile.head];
  while (stack.length) {
    const node = stack.pop()!;
    order.push(node);
    for (const child of node.children) if (isProfileNode(child)) stack.push(child);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    let total = node.selfSize;
    for (const child of node.children) total += totals.get(child) ?? 0;
    totals.set(node, total);
  }
  const frames: FlameFrame[] = [];
  let maxDepth = 0;
  const queue: Array<{ node: SamplingHeapProfileNode; parent: number; depth: number; start: number }> = [
    { node: profile.head, parent: -1, depth: 0, start: 0 },
  ];
  while (queue.length) {
    const { node, parent, depth, start } = queue.pop()!;
    const total = totals.get(node) ?? 0;
    if (total <= 0 && parent >= 0) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const index = frames.length;
    const name = functionName || (parent < 0 ? '(root)' : '(anonymous)');
    frames.push({
      index,
      parent,
      depth,
      functionName: name,
      url: url ?? '',
      line: lineNumber >= 0 ? lineNumber + 1 : 0,
      column: columnNumber >= 0 ? columnNumber + 1 : 0,
      selfBytes: node.selfSize,
      totalBytes: total,
      startBytes: start,
      category: parent < 0 ? 'native' : frameCategory(name, url ?? ''),
    });
    if (depth > maxDepth) maxDepth = depth;
    const children = node.children
      .filter((c) => (totals.get(c) ?? 0) > 0)
      .sort((a, b) => totals.get(b)! - totals.get(a)!);
    let offset = start;
    const placed = children.map((child) => {
      const at = offset;
      offset += totals.get(child)!;
      return { node: child, parent: index, depth: depth + 1, start: at };
    });
    // Pushed in reverse so that the largest child is laid out (and numbered) first.
    for (let i = placed.length - 1; i >= 0; i--) queue.push(placed[i]);
  }
  return { frames, totalBytes: totals.get(profile.head) ?? 0, maxDepth };
}

export interface FunctionTotal {
  functionName: string;
  url: string;
  line: number;
  column: number;
  selfBytes: number;
  /** Bytes under the function on any stack (counted once per stack where it recurses). */
  totalBytes: number;
  category: FrameCategory;
}

/** The table view: allocations by function (self bytes first), merged across stacks. */
export function functionTotals(graph: FlameGraph): FunctionTotal[] {
  const byKey = new Map<string, FunctionTotal>();
  const keyOf = (f: FlameFrame): string => `${f.functionName}\u0000${f.url}\u0000${f.line}\u0000${f.column}`;
  for (const frame of graph.frames) {
    const key = keyOf(frame);
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        functionName: frame.functionName,
        url: frame.url,
        line: frame.line,
        column: frame.column,
        selfBytes: 0,
        totalBytes: 0,
        category: frame.category,
      };
      byKey.set(key, entry);
    }
    entry.selfBytes += frame.selfBytes;
    // A recursive function's inner frames are inside its outer frame's total already.
    let ancestor = frame.parent;
    let nested = false;
    while (ancestor >= 0 && !nested) {
      nested = keyOf(graph.frames[ancestor]) === key;
      ancestor = graph.frames[ancestor].parent;
    }
    if (!nested) entry.totalBytes += frame.totalBytes;
  }
  return [...byKey.values()].sort((a, b) => b.selfBytes - a.selfBytes || b.totalBytes - a.totalBytes);
}

/** An allocation site whose live bytes grow (a session's suspect), for the growth colouring. */
export interface GrowthSite {
  functionName: string;
  url: string;
  /** 1-based, as the frames'. */
  line: number;
  /**
   * 1-based. With it a site is matched by position alone: a suspect and a frame mapped through the
   * same source map share it even where their names differ (V8's minified name, the map's original).
   */
  column?: number;
  bytesPerMinute: number;
}
