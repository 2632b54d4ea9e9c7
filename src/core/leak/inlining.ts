// V8's sampling heap profiler walks physical frames: when TurboFan/Maglev inlined a callee into its
// caller, the callee's allocations are charged to the caller's frame, so the top of a sampled stack
// is often the caller. Two ways back to the real allocator live here:
//  1. The profile's own history: before the caller was optimised, the same allocations were sampled
//     with the callee on top ([callee, caller, ...rest]); those samples stay live when the objects
//     leak. A leaking caller-site whose stack has such a child site is the callee's leak.
//  2. The caller's source: the functions it calls that are declared in the same script are the
//     candidates for inlining; when (1) fails the suspect says so (Suspect.note).
import { matchingBrace } from './braces';
import type { RawFrame } from '../types';
import { frameId, type SiteSeries } from './siteSeries';
import { frameOrigin } from './frames';

export function stackKey(stack: readonly RawFrame[]): string {
  return stack.map(frameId).join('\u0001');
}

/**
 * For each site key whose top frame is probably standing in for an inlined callee, the callee site
 * it should be merged into. `isLeakish` tells whether a series looks like kept allocations.
 */
export function findInlinedCallees(
  sites: readonly SiteSeries[],
  isGrowing: (site: SiteSeries) => boolean,
): Map<string, SiteSeries> {
  // Sites are compared from their first user frame down: builtins on top (String.prototype.repeat,
  // Map.prototype.set) allocate on behalf of whichever JS frame called them.
  // The frames above the first user frame must match too: [alloc, callee, caller] before inlining
  // is [alloc, caller] after it, while [alloc, caller] next to a kept [callee, caller] is not.
  const byUserStack = new Map<string, SiteSeries[]>();
  for (const site of sites) {
    const key = prefixKey(site.stack) + '#' + stackKey(userStack(site.stack));
    const list = byUserStack.get(key);
    if (list) list.push(site);
    else byUserStack.set(key, [site]);
  }
  const best = new Map<string, SiteSeries>();
  for (const child of sites) {
    const stack = userStack(child.stack);
    if (stack.length < 2 || !looksKept(child)) continue;
    // Up to three inlined levels: a callback that inlined `handle` that inlined `remember`.
    for (let depth = 1; depth <= Math.min(3, stack.length - 1); depth++) {
      // The inlined frames are user code; the caller may be Node's own JS (listOnTimeout, emit),
      // which V8 optimises and inlines monomorphic callbacks into just the same.
      if (frameOrigin(stack[depth - 1]) !== 'user') break;
      for (const parent of byUserStack.get(prefixKey(child.stack) + '#' + stackKey(stack.slice(depth))) ??
        []) {
        if (parent === child || !isGrowing(parent)) continue;
        const current = best.get(parent.key);
        if (!current || last(child.bytes) > last(current.bytes)) best.set(parent.key, child);
      }
    }
  }
  return best;
}

function prefixKey(stack: readonly RawFrame[]): string {
  const first = stack.findIndex((f) => frameOrigin(f) === 'user');
  return first > 0 ? stackKey(stack.slice(0, first)) : '';
}

/** The first frame that is JavaScript (user, Node or a dependency): builtins above it allocate for it. */
export function firstJsFrame(stack: readonly RawFrame[]): RawFrame | undefined {
  return stack.find((f) => {
    const origin = frameOrigin(f);
    return origin !== 'native' && origin !== 'meta';
  });
}

/** The stack from its first user frame down (the whole stack when it has none). */
export function userStack(stack: readonly RawFrame[]): readonly RawFrame[] {
  const first = stack.findIndex((f) => frameOrigin(f) === 'user');
  return first > 0 ? stack.slice(first) : stack;
}

/** Allocations that were never freed: the series never goes down and holds a few samples. */
function looksKept(site: SiteSeries): boolean {
  const n = site.bytes.length;
  if (n === 0 || (site.samples[n - 1] ?? 0) < 3) return false;
  for (let i = 1; i < n; i++) if (site.bytes[i] < site.bytes[i - 1] * 0.98) return false;
  return true;
}

function last(values: readonly number[]): number {
  return values.length ? values[values.length - 1] : 0;
}

const NOT_CALLEES = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'function',
  'return',
  'typeof',
  'await',
  'yield',
  'super',
  'import',
  'require',
  'Array',
  'Object',
  'String',
  'Number',
  'Boolean',
  'Promise',
  'Map',
  'Set',
  'Error',
  'Date',
  'JSON',
  'Math',
  'Symbol',
  'Buffer',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
]);

/** Body of the function starting at a 0-based line/column of `source` (rough, brace matching). */
export function functionBody(source: string, line: number, column: number): string | undefined {
  let offset = 0;
  for (let i = 0; i < line; i++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  offset += column;
  const open = source.indexOf('{', offset);
  const arrowEnd = source.indexOf('\n', offset);
  if (open < 0) return undefined;
  // An expression-bodied arrow function: its body ends with its line.
  if (arrowEnd >= 0 && arrowEnd < open && /=>/.test(source.slice(offset, arrowEnd)))
    return source.slice(offset, arrowEnd);
  const close = matchingBrace(source, open, 200_000);
  return close === undefined ? undefined : source.slice(open, close + 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Functions declared in `source` that the function at (line, column) calls: inlining candidates. */
export function inliningCandidates(source: string, line: number, column: number, selfName: string): string[] {
  const body = functionBody(source, line, column);
  if (!body) return [];
  const names = new Set<string>();
  const call = /(?<![.\w$])(?:new\s+)?([A-Za-z_$][\w$]*)\s*\(/g;
  for (let match = call.exec(body); match; match = call.exec(body)) {
    const name = match[1];
    if (name === selfName || NOT_CALLEES.has(name)) continue;
    names.add(name);
  }
  const declared: string[] = [];
  for (const name of names) {
    const n = escapeRegExp(name);
    const declaration = new RegExp(
      `(function\\s*\\*?\\s*${n}\\s*\\(|(?:const|let|var)\\s+${n}\\s*=\\s*(?:async\\s*)?(?:function\\b|\\(|[\\w$]+\\s*=>)|class\\s+${n}\\b)`,
    );
    if (declaration.test(source)) declared.push(name);
    if (declared.length >= 4) break;
  }
  return declared;
}
