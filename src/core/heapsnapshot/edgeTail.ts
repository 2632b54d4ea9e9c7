// The main thread's share of the edges in the two-thread parse. The helper thread parses the
// edges from the front; the main thread reads the nodes and the sections after the edges, then,
// instead of waiting, takes the last part of the edges (from a record boundary the helper has not
// reserved yet, see claimEdgeTail) and parses it into arrays of its own, copied into place once
// the helper reports how many edges it parsed. Only V8's layout ("t,n,to" records, one per line)
// is accepted; anything else gives up, and the caller falls back to the single pass.
import type { FileHandle } from 'node:fs/promises';
import type { EdgeJob } from './parser';
import { ScanStatus, type RecordKernel } from './recordKernel';

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
  kernel: RecordKernel,
  signal?: AbortSignal,
): Promise<EdgeTail | undefined> {
  // Every record takes at least six bytes ("0,0,0\n" or "0,0,0,").
  const capacity = Math.ceil((end - start) / 6) + 1;
  const columns = {
    types: new Uint8Array(capacity),
    names: new Uint32Array(capacity),
    to: new Uint32Array(capacity),
  };
  const buf = kernel.input;
  const size = buf.length - 1;
  let maxString = -1;
  let count = 0;
  let pos = start;
  while (pos < end) {
    if (signal?.aborted) return undefined;
    const { bytesRead: n } = await handle.read(buf, 0, Math.min(size, end + 1 - pos), pos);
    if (n === 0) return undefined;
    const last = end - pos; // the ']' when it is in this read
    const result = kernel.scanEdges(buf, 0, n, last, columns, count, capacity - count, job, maxString);
    count += result.count;
    maxString = result.largestName;
    if (result.status === ScanStatus.Limit) {
      let k = result.next;
      while (buf[k] === 0x2c || buf[k] === 0x0a || buf[k] === 0x0d || buf[k] === 0x20) k++;
      if (k !== last || buf[k] !== 0x5d) return undefined;
      return { ...columns, count, maxString };
    }
    // Anything but a record cut by the end of the read is not V8's layout.
    if (result.status !== ScanStatus.More || result.next === 0) return undefined;
    pos += result.next;
  }
  return undefined;
}
