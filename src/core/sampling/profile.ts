// Flattens V8's sampling heap profile (a call tree of LIVE sampled allocations) into allocation
// sites: one per tree node that allocated itself, with its whole stack top-first.
import type { AllocationProfileReading, AllocationSiteReading, RawFrame } from '../types';

export interface SamplingHeapProfileNode {
  callFrame: RawFrame;
  selfSize: number;
  id: number;
  children: SamplingHeapProfileNode[];
}

export interface SamplingHeapProfile {
  head: SamplingHeapProfileNode;
  samples?: Array<{ size: number; nodeId: number; ordinal: number }>;
}

export function frameKey(frame: RawFrame): string {
  return `${frame.functionName}@${frame.url || frame.scriptId}:${frame.lineNumber}:${frame.columnNumber}`;
}

export function flattenProfile(profile: SamplingHeapProfile, timeMs: number): AllocationProfileReading {
  const counts = new Map<number, number>();
  for (const sample of profile.samples ?? []) counts.set(sample.nodeId, (counts.get(sample.nodeId) ?? 0) + 1);
  const sites: AllocationSiteReading[] = [];
  const path: RawFrame[] = [];
  // Iterative walk: allocation trees can be deeper than a comfortable recursion.
  const stack: Array<{ node: SamplingHeapProfileNode; depth: number }> = [{ node: profile.head, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    path.length = depth;
    const isRoot = depth === 0 && node.callFrame.functionName === '(root)';
    if (!isRoot) path.push(plainFrame(node.callFrame));
    if (node.selfSize > 0 && path.length) {
      const frames = [...path].reverse();
      sites.push({
        key: frames.map(frameKey).join('<'),
        stack: frames,
        liveBytes: node.selfSize,
        sampleCount: counts.get(node.id) ?? 0,
      });
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i], depth: isRoot ? 0 : depth + 1 });
    }
  }
  return { timeMs, sites };
}

function plainFrame(frame: RawFrame): RawFrame {
  return {
    functionName: frame.functionName,
    scriptId: String(frame.scriptId),
    url: frame.url,
    lineNumber: frame.lineNumber,
    columnNumber: frame.columnNumber,
  };
}
