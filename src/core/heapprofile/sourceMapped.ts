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

/**
 * The distinct positions of a profile: script (url, then id) → line and column → slot. Nested maps
 * of the strings the parser already made: a key string per node would cost more than the mapping.
 * The function is not part of the key: V8 has one function at one position.
 */
class Positions {
  readonly frames: RawFrame[] = [];
  private readonly byScript = new Map<string, Map<string, Map<number, number>>>();

  slotOf(frame: RawFrame): number {
    let byId = this.byScript.get(frame.url);
    if (!byId) this.byScript.set(frame.url, (byId = new Map()));
    let byPosition = byId.get(frame.scriptId);
    if (!byPosition) byId.set(frame.scriptId, (byPosition = new Map()));
    // Lines and columns are below 2^20 and 2^32 (a minified line can be megabytes long).
    const position = (frame.lineNumber + 1) * 2 ** 32 + (frame.columnNumber + 1);
    let slot = byPosition.get(position);
    if (slot === undefined) {
      slot = this.frames.length;
      this.frames.push(frame);
      byPosition.set(position, slot);
    }
    return slot;
  }
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
  const slots: number[] = [];
  const positions = new Positions();
  // Iterative walk: call trees can be deeper than a comfortable recursion.
  const pending: SamplingHeapProfileNode[] = [profile.head];
  while (pending.length) {
    const node = pending.pop()!;
    nodes.push(node);
    slots.push(positions.slotOf(node.callFrame));
    // A malformed child is left alone here as the layout leaves it out.
    for (const child of node.children) if (isProfileNode(child)) pending.push(child);
  }
  const mapped = await Promise.all(
    positions.frames.map((frame) =>
      resolve(frame).then(
        (source) => rawFrameAt(frame, source),
        // A map that cannot be read must not lose the frame: it stays where V8 put it.
        () => frame,
      ),
    ),
  );
  for (let i = 0; i < nodes.length; i++) nodes[i].callFrame = mapped[slots[i]];
}
