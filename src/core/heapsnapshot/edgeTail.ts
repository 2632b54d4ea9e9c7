// The main thread's share of the edges in the two-thread parse. The helper thread parses the
// edges from the front; the main thread reads the nodes and the sections after the edges, then,
// instead of waiting, takes the last part of the edges (from a record boundary the helper has not
// reserved yet, see claimEdgeTail) and parses it into arrays of its own, copied into place once
// the helper reports how many edges it parsed. Only V8's layout ("t,n,to" records, one per line)
// is accepted; anything else gives up, and the caller falls back to the single pass.
import type { FileHandle } from 'node:fs/promises';
import type { EdgeJob } from './parser';

export interface EdgeTail {
  types: Uint8Array;
  names: Uint32Array;
  to: Uint32Array;
  count: number;
  maxString: number;
}

/**
 * The control word shared with the helper: >= 0, the file offset up to which the helper has
 * reserved record starts; < 0, minus the offset of the first record the main thread took.
 */
export function createControl(edgesStart: number): BigInt64Array {
  const control = new BigInt64Array(new SharedArrayBuffer(8));
  control[0] = BigInt(edgesStart); // nothing before the edges is up for grabs
  return control;
}

/**
 * Takes the edges from about `share` of what the helper has not reserved yet up to `end` (the
 * offset of the closing ']'). Returns the offset of the first record taken, or -1 when there is
 * too little left to be worth it or the layout is not V8's.
 */
export async function claimEdgeTail(
  handle: FileHandle,
  control: BigInt64Array,
  end: number,
  share: number,
  chunk: Buffer,
): Promise<number> {
  for (;;) {
    const reserved = Atomics.load(control, 0);
    if (reserved < 0n) return -1;
    const from = Number(reserved);
    const wanted = Math.floor(from + (end - from) * (1 - share));
    if (end - wanted < 1 << 16) return -1;
    // A record starts after "\n,": find the first newline at or after `wanted`.
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, 1 << 16), wanted);
    const newline = chunk.subarray(0, bytesRead).indexOf(0x0a);
    if (newline < 0 || newline + 2 >= bytesRead || chunk[newline + 1] !== 0x2c) return -1;
    const c = chunk[newline + 2];
    if (c < 0x30 || c > 0x39) return -1;
    const start = wanted + newline + 2;
    // Claimed only if the helper has not reserved past `from` meanwhile (else try again).
    if (Atomics.compareExchange(control, 0, reserved, BigInt(-start)) === reserved) return start;
  }
}

/** Parses the records in [start, end) (end: the offset of the closing ']'). */
export async function parseEdgeTail(
  handle: FileHandle,
  start: number,
  end: number,
  job: EdgeJob,
  chunk: Buffer,
  signal?: AbortSignal,
): Promise<EdgeTail | undefined> {
  // Every record takes at least six bytes ("0,0,0\n" or "0,0,0,").
  const capacity = Math.ceil((end - start) / 6) + 1;
  const types = new Uint8Array(capacity);
  const names = new Uint32Array(capacity);
  const to = new Uint32Array(capacity);
  const nf = job.nodeFieldCount;
  const limit = job.nodeCount * nf;
  const typeCount = job.typeCount;
  const indexed = Uint8Array.from(job.indexedTypes);
  const size = chunk.length - 1;
  let maxString = -1;
  let ord = 0;
  let pos = start;
  while (pos < end) {
    if (signal?.aborted) return undefined;
    const { bytesRead: n } = await handle.read(chunk, 0, Math.min(size, end + 1 - pos), pos);
    if (n === 0) return undefined;
    chunk[n] = 0; // sentinel: the digit loops stop on it
    const last = end - pos; // the ']' when it is in this read
    let done = 0;
    let k = 0;
    for (;;) {
      k = done;
      let c = chunk[k];
      while (c === 0x2c || c === 0x0a) c = chunk[++k];
      if (k === last || k >= n) break;
      if (c < 0x30 || c > 0x39 || ord === capacity) return undefined;
      let type = c - 0x30;
      c = chunk[++k];
      while (c >= 0x30 && c <= 0x39) {
        type = type * 10 + (c - 0x30);
        c = chunk[++k];
      }
      if (c !== 0x2c) break;
      c = chunk[++k];
      if (c < 0x30 || c > 0x39) break;
      let name = c - 0x30;
      c = chunk[++k];
      while (c >= 0x30 && c <= 0x39) {
        name = name * 10 + (c - 0x30);
        c = chunk[++k];
      }
      if (c !== 0x2c) break;
      c = chunk[++k];
      if (c < 0x30 || c > 0x39) break;
      let target = c - 0x30;
      c = chunk[++k];
      while (c >= 0x30 && c <= 0x39) {
        target = target * 10 + (c - 0x30);
        c = chunk[++k];
      }
      if (k >= n) break; // the record may continue in the next read
      const ordinal = target / nf;
      if (type >= typeCount || target >= limit || ordinal !== Math.floor(ordinal)) return undefined;
      if (name > maxString && !indexed[type]) maxString = name;
      types[ord] = type;
      names[ord] = name > 0xffffffff ? 0xffffffff : name;
      to[ord] = ordinal;
      ord++;
      done = k;
    }
    if (k === last) {
      if (chunk[k] !== 0x5d) return undefined;
      return { types, names, to, count: ord, maxString };
    }
    if (done === 0) return undefined; // not even one record in a whole read: not V8's layout
    pos += done;
  }
  return undefined;
}
