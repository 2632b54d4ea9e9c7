// The one expression evaluated in the target once per metrics interval. It is a constant (no user
// text ever reaches the target) and returns a flat array so the reply is small and cheap to build:
// one memoryUsage() call (the only syscall: RSS), heap-space statistics and the heap limit.
import type { MemorySample } from '../types';

/** Order of the numbers after the space names; see METRICS_EXPRESSION. */
export const METRICS_EXPRESSION = `(() => {
  const k = Symbol.for('heapscope.v8');
  let v8 = globalThis[k];
  if (v8 === undefined) {
    try {
      v8 = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('v8')
        : (process.mainModule ? process.mainModule.require('v8') : null);
    } catch (e) { v8 = null; }
    Object.defineProperty(globalThis, k, { value: v8, enumerable: false });
  }
  const m = process.memoryUsage();
  const out = [Date.now(), m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers, -1];
  if (v8) {
    out[6] = v8.getHeapStatistics().heap_size_limit;
    for (const s of v8.getHeapSpaceStatistics()) out.push(s.space_name, s.space_used_size);
  }
  return out;
})()`;

export function toMemorySample(value: unknown): MemorySample | undefined {
  if (!Array.isArray(value) || value.length < 7 || typeof value[0] !== 'number') return undefined;
  const n = (i: number) => (typeof value[i] === 'number' ? (value[i] as number) : 0);
  const sample: MemorySample = {
    timeMs: n(0),
    rssBytes: n(1),
    heapTotalBytes: n(2),
    heapUsedBytes: n(3),
    externalBytes: n(4),
    arrayBuffersBytes: n(5),
  };
  if (n(6) > 0) sample.heapLimitBytes = n(6);
  if (value.length > 7) {
    const spaces: Record<string, number> = {};
    for (let i = 7; i + 1 < value.length; i += 2) {
      if (typeof value[i] === 'string') spaces[value[i] as string] = n(i + 1);
    }
    sample.spaces = spaces;
  }
  return sample;
}
