// A sampling heap profile moved to the user's code: each call frame mapped through its script's
// source map (tsc or esbuild output, inline maps, a live session's in-memory transforms) to the
// original file, line, column and, where the map names it, function. The flame graph is then laid
// out from the mapped profile, so what it shows and what a click opens is the .ts line. Frames
// without a map stay where V8 put them. A profile of tens of thousands of nodes holds a few hundred
// distinct functions: each distinct position is resolved once.
import { LocationResolver } from '../leak/locations';
import { isProfileNode } from './flameGraph';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../sampling/profile';
import type { RawFrame, SourceFrame } from '../types';

/** Where a raw V8 frame is in the user's code (a session's resolver, or one that reads the disk). */
export type FrameResolver = (frame: RawFrame) => Promise<SourceFrame>;

/**
 * A resolver for a profile read from a file: the scripts its frames name (absolute paths, file://
 * URLs, or paths relative to `projectRoot`) and their `sourceMappingURL` (a .map beside them, or
 * inline) are read from the disk. One resolver keeps each script's map once.
 */
export function diskFrameResolver(projectRoot?: string): FrameResolver {
  const resolver = new LocationResolver(
    { getScriptSource: () => Promise.resolve(undefined) },
    projectRoot ? { projectRoot } : {},
  );
  return (frame) => resolver.resolve(frame, { originalName: true });
}

function positionKey(frame: RawFrame): string {
  return `${frame.scriptId}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}\u0000${frame.functionName}`;
}

function rawFrameAt(frame: RawFrame, source: SourceFrame): RawFrame {
  return {
    functionName: source.functionName,
    scriptId: frame.scriptId,
    url: source.url,
    lineNumber: source.line - 1,
    columnNumber: source.column - 1,
  };
}

/** A copy of `profile` whose call frames are at their original source positions where mapped. */
export async function sourceMapProfile(
  profile: SamplingHeapProfile,
  resolve: FrameResolver,
): Promise<SamplingHeapProfile> {
  const nodes: SamplingHeapProfileNode[] = [];
  // Iterative walk: call trees can be deeper than a comfortable recursion.
  const pending: SamplingHeapProfileNode[] = [profile.head];
  while (pending.length) {
    const node = pending.pop()!;
    nodes.push(node);
    for (const child of node.children) if (isProfileNode(child)) pending.push(child);
  }
  const byPosition = new Map<string, Promise<RawFrame>>();
  for (const { callFrame } of nodes) {
    const key = positionKey(callFrame);
    if (byPosition.has(key)) continue;
    byPosition.set(
      key,
      resolve(callFrame).then(
        (source) => rawFrameAt(callFrame, source),
        // A map that cannot be read must not lose the frame: it stays where V8 put it.
        () => callFrame,
      ),
    );
  }
  const keys = [...byPosition.keys()];
  const resolved = await Promise.all(byPosition.values());
  const mapped = new Map<string, RawFrame>();
  keys.forEach((key, i) => mapped.set(key, resolved[i]));

  const copies = new Map<SamplingHeapProfileNode, SamplingHeapProfileNode>();
  // Children come after their parents in `nodes`: building from the end, every child's copy exists.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    copies.set(node, {
      ...node,
      callFrame: mapped.get(positionKey(node.callFrame)) ?? node.callFrame,
      // A malformed child is dropped here as the layout would drop it.
      children: node.children.filter(isProfileNode).map((child) => copies.get(child)!),
    });
  }
  return { ...profile, head: copies.get(profile.head)! };
}
