// A sampling heap profile moved to the user's code: each call frame mapped through its script's
// source map (tsc or esbuild output, inline maps, a live session's in-memory transforms) to the
// original file, line, column and, where the map names it, function. The flame graph is then laid
// out from the mapped profile, so what it shows and what a click opens is the .ts line. Frames
// without a map stay where V8 put them. A profile of tens of thousands of nodes holds a few hundred
// distinct functions: each distinct position is resolved once. Which generated script each original
// source was reached through is kept, so that a click can show the source the map embeds
// (sourcesContent) when the original file is not on this machine.
import { displayUrl } from '../leak/frames';
import { LocationResolver } from '../leak/locations';
import { isProfileNode } from './flameGraph';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../sampling/profile';
import type { RawFrame, SourceFrame } from '../types';

/** Where a raw V8 frame is in the user's code (a session's resolver, or one that reads the disk). */
export type FrameResolver = (frame: RawFrame) => Promise<SourceFrame>;

/**
 * The original text of `url` (a source as a resolver named it) from the source map of the script
 * `frame` is in: its `sourcesContent`, undefined when the map does not carry it.
 */
export type OriginalSourceReader = (frame: RawFrame, url: string) => Promise<string | undefined>;

/** A profile's source maps: where a frame is in the user's code, and the original text they embed. */
export interface SourceMaps {
  resolveFrame: FrameResolver;
  originalSource: OriginalSourceReader;
}

/**
 * The maps of a profile read from a file: the scripts its frames name (absolute paths, file:// URLs,
 * or paths relative to `projectRoot`) and their `sourceMappingURL` (a .map beside them, or inline)
 * are read from the disk, and only read. Each script's map is kept once, for as long as this is.
 */
export function diskSourceMaps(projectRoot?: string): SourceMaps {
  const resolver = new LocationResolver(
    { getScriptSource: () => Promise.resolve(undefined) },
    projectRoot ? { projectRoot } : {},
  );
  return {
    resolveFrame: (frame) => resolver.resolve(frame, { originalName: true }),
    originalSource: (frame, url) => resolver.originalSource(frame, url),
  };
}

/** `diskSourceMaps(projectRoot).resolveFrame`, for who needs positions only. */
export function diskFrameResolver(projectRoot?: string): FrameResolver {
  return diskSourceMaps(projectRoot).resolveFrame;
}

/**
 * For each original source a mapped profile shows, a generated frame that was mapped to it: the
 * map of that frame's script is the one that may embed the source's text.
 */
export type MappedOrigins = ReadonlyMap<string, RawFrame>;

/**
 * The text the source map embeds for `url`, a source the mapped profile shows; undefined when no
 * frame was mapped there or the map does not carry the text. A map that cannot be read is no text.
 */
export async function embeddedSource(
  origins: MappedOrigins,
  readOriginal: OriginalSourceReader | undefined,
  url: string,
): Promise<string | undefined> {
  const frame = origins.get(url);
  if (!frame || !readOriginal) return undefined;
  return readOriginal(frame, url).catch(() => undefined);
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
 * more than the mapping itself. Returns which generated frame each original source came from.
 */
export async function sourceMapProfile(
  profile: SamplingHeapProfile,
  resolve: FrameResolver,
): Promise<MappedOrigins> {
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
  const origins = new Map<string, RawFrame>();
  positions.frames.forEach((frame, slot) => {
    const url = mapped[slot].url;
    // Only frames a map moved to another source: one left in its own script has no text to embed.
    if (url && url !== displayUrl(frame.url) && !origins.has(url)) origins.set(url, frame);
  });
  return origins;
}
