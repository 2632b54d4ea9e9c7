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

/**
 * Moves the call frames of `profile` (a tree just parsed, owned by the caller) to their original
 * source positions where mapped, in place: copying a tree of tens of thousands of nodes would cost
 * more than the mapping itself.
 */
export async function sourceMapProfile(profile: SamplingHeapProfile, resolve: FrameResolver): Promise<void> {
  const nodes: SamplingHeapProfileNode[] = [];
  const keys: string[] = [];
  const byPosition = new Map<string, Promise<RawFrame>>();
  // Iterative walk: call trees can be deeper than a comfortable recursion.
  const pending: SamplingHeapProfileNode[] = [profile.head];
  while (pending.length) {
    const node = pending.pop()!;
    const frame = node.callFrame;
    const key = positionKey(frame);
    nodes.push(node);
    keys.push(key);
    if (!byPosition.has(key))
      byPosition.set(
        key,
        resolve(frame).then(
          (source) => rawFrameAt(frame, source),
          // A map that cannot be read must not lose the frame: it stays where V8 put it.
          () => frame,
        ),
      );
    // A malformed child is left alone here as the layout leaves it out.
    for (const child of node.children) if (isProfileNode(child)) pending.push(child);
  }
  const positions = [...byPosition.keys()];
  const resolved = await Promise.all(byPosition.values());
  const mapped = new Map<string, RawFrame>();
  positions.forEach((key, i) => mapped.set(key, resolved[i]));
  for (let i = 0; i < nodes.length; i++) nodes[i].callFrame = mapped.get(keys[i]) ?? nodes[i].callFrame;
}
