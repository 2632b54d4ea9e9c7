// Which frames are the user's code, and folding of the rest. A developer cannot change Node's
// internals or a dependency to stop a leak: the frame that matters is the first user frame that
// called into them, so internal / node_modules frames are folded into it and shown as `foldedFrom`.
import { fileURLToPath } from 'node:url';
import type { SourceFrame } from '../types';

export type FrameOrigin = 'user' | 'node-internal' | 'node_modules' | 'native' | 'meta';

/** V8's pseudo-frames at the root of every sampled stack; never shown. */
const META_FRAMES = new Set([
  '(root)',
  '(program)',
  '(idle)',
  '(garbage collector)',
  '(GC)',
  '(V8 API)',
  '(BYTECODE_COMPILER)',
]);

export function frameOrigin(frame: Pick<SourceFrame, 'functionName' | 'url'>): FrameOrigin {
  const url = frame.url ?? '';
  if (url === '') return META_FRAMES.has(frame.functionName) ? 'meta' : 'native';
  if (url.startsWith('node:') || url.startsWith('internal/') || /^[a-z_]+\.js$/.test(url))
    return 'node-internal';
  if (/[\\/]node_modules[\\/]/.test(url)) return 'node_modules';
  return 'user';
}

/** A short label for a folded frame: "node:events addListener" or "express/lib/router.js handle". */
export function foldLabel(frame: Pick<SourceFrame, 'functionName' | 'url'>): string {
  const name = frame.functionName || '(anonymous)';
  const url = frame.url ?? '';
  if (url === '') return name;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return `${url.slice(nm + 'node_modules/'.length)} ${name}`;
  return `${url} ${name}`;
}

/** file:// URLs become paths (what an editor opens); anything else stays as V8 named it. */
export function displayUrl(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

export interface FoldedStack {
  /** User frames, top first, each carrying what was folded into it. */
  frames: SourceFrame[];
  /** True when the stack had no user frame at all (the frames are then the internal ones). */
  internalOnly: boolean;
  /** Labels of the frames folded into the top user frame (above it on the stack), top first. */
  foldedAboveTop: string[];
}

/** Folds internals and node_modules into the first user frame below them (their caller). */
export function foldStack(stack: readonly SourceFrame[]): FoldedStack {
  const frames: SourceFrame[] = [];
  let pending: string[] = [];
  let foldedAboveTop: string[] = [];
  for (const frame of stack) {
    const origin = frameOrigin(frame);
    if (origin === 'meta') continue;
    if (origin !== 'user') {
      pending.push(foldLabel(frame));
      continue;
    }
    const out: SourceFrame = { ...frame };
    if (pending.length > 0) {
      out.foldedFrom = summarise(pending);
      if (frames.length === 0) foldedAboveTop = pending;
      pending = [];
    }
    frames.push(out);
  }
  if (frames.length === 0) {
    const internal = stack.filter((f) => frameOrigin(f) !== 'meta').map((f) => ({ ...f }));
    return { frames: internal, internalOnly: true, foldedAboveTop: [] };
  }
  return { frames, internalOnly: false, foldedAboveTop };
}

function summarise(labels: string[]): string {
  // Top-most first: the innermost internal call is what allocated; the outermost is the API the
  // user called. Both are worth seeing; the middle is noise.
  if (labels.length <= 3) return labels.join(' ← ');
  return `${labels[0]} ← … ← ${labels[labels.length - 1]} (${labels.length} frames)`;
}

/** Folded labels that show the allocation is a Buffer / ArrayBuffer backing store (off-heap). */
export function isBufferAllocation(labels: readonly string[]): boolean {
  // Only the innermost frames decide: `buf.toString()` lives in node:buffer too but makes a string.
  const inner = labels.slice(0, 2);
  return inner.some((label) =>
    /^((node:)?(internal\/)?buffer(\.js)? (createUnsafeBuffer|allocate|allocUnsafe\w*|alloc|from\w*|concat|createPool|FastBuffer|Buffer)|(\w+ )?(ArrayBuffer|SharedArrayBuffer|Uint8Array|FastBuffer))$/.test(
      label,
    ),
  );
}
