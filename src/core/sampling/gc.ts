// GC events pushed from the target: a PerformanceObserver on 'gc' entries, installed once with a
// fixed expression, batches entries and sends them through a CDP binding (Runtime.addBinding), so
// nothing is polled and a burst of minor GCs costs one message per flush, not one per GC.
import type { GcEvent, GcKind } from '../types';

export const GC_BINDING_NAME = '__heapscopeGc';

/** Flush period of the batch in the target. */
export const GC_FLUSH_MS = 1000;

// Entries are [endTimeMs, kindBits, durationMs, heapUsedAfter, externalAfter], rounded, to keep the
// payload small. Heap figures come from v8.getHeapStatistics() (no syscall, unlike memoryUsage()),
// read once per observer callback: Node delivers entries in batches right after the GCs.
export const GC_INSTALL_EXPRESSION = `(() => {
  const key = Symbol.for('heapscope.gc');
  if (globalThis[key]) return 'installed';
  const get = (name) => typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name)
    : (process.mainModule ? process.mainModule.require(name) : null);
  const perf = get('perf_hooks');
  const v8 = get('v8');
  if (!perf || !v8) return 'unavailable';
  let batch = [];
  let timer;
  const flush = () => {
    timer = undefined;
    const send = globalThis['${GC_BINDING_NAME}'];
    const out = batch;
    batch = [];
    if (typeof send === 'function' && out.length) { try { send(JSON.stringify(out)); } catch (e) {} }
  };
  const observer = new perf.PerformanceObserver((list) => {
    const h = v8.getHeapStatistics();
    const origin = perf.performance.timeOrigin;
    for (const e of list.getEntries()) {
      const kind = e.detail ? e.detail.kind : e.kind;
      batch.push([Math.round(origin + e.startTime + e.duration), kind | 0,
        Math.round(e.duration * 1000) / 1000, h.used_heap_size, h.external_memory]);
    }
    if (batch.length > 5000) batch.splice(0, batch.length - 5000);
    if (timer === undefined) { timer = setTimeout(flush, ${GC_FLUSH_MS}); timer.unref(); }
  });
  observer.observe({ entryTypes: ['gc'] });
  Object.defineProperty(globalThis, key, { value: { observer, flush }, configurable: true, enumerable: false });
  return 'ok';
})()`;

/** Stops the observer at the end of a session, so nothing of Heapscope keeps running in the target. */
export const GC_UNINSTALL_EXPRESSION = `(() => {
  const key = Symbol.for('heapscope.gc');
  const installed = globalThis[key];
  if (!installed) return 'absent';
  installed.observer.disconnect();
  delete globalThis[key];
  return 'removed';
})()`;

/** Asks the target to send what it has batched now. */
export const GC_FLUSH_EXPRESSION = `(() => { const i = globalThis[Symbol.for('heapscope.gc')]; if (i) i.flush(); return 0; })()`;

// perf_hooks constants: NODE_PERFORMANCE_GC_MINOR 1, MAJOR 4, INCREMENTAL 8, WEAKCB 16.
export function gcKind(bits: number): GcKind {
  if (bits & 4) return 'major';
  if (bits & 8) return 'incremental';
  if (bits & 1) return 'minor';
  if (bits & 16) return 'weakcb';
  return 'unknown';
}

export function parseGcPayload(payload: string): GcEvent[] {
  let rows: unknown;
  try {
    rows = JSON.parse(payload);
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const events: GcEvent[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length < 5 || !row.every((v) => typeof v === 'number')) continue;
    events.push({
      timeMs: row[0],
      kind: gcKind(row[1]),
      durationMs: row[2],
      heapUsedAfterBytes: row[3],
      externalAfterBytes: row[4],
    });
  }
  return events;
}
