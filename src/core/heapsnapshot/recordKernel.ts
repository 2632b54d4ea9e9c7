// The parser's WebAssembly loops (wasm/records.ts) behind a small JavaScript face: one kernel per
// parse and per thread, owning a WebAssembly memory that holds a read buffer and the output
// columns. Reading the file straight into `input` spares a copy; bytes from anywhere else are
// copied in. Each scan parses whole records and stops at anything unusual, leaving the rest to
// the tokenizer's byte-at-a-time loop, which reports errors with their offsets.
import { RECORDS_WASM_BASE64 } from './recordsWasm';

/** Why a scan stopped (the values of wasm/records.ts). */
export const enum ScanStatus {
  /** As many records as asked for. */
  Full = 0,
  /** The next record starts at or after the limit. */
  Limit = 1,
  /** The input ended; the next record may be cut by the end of the chunk. */
  More = 2,
  /** Something the fast loop does not handle (unusual layout, value out of range, bad byte). */
  Stop = 3,
}

export interface ScanResult {
  /** Records (or numbers) parsed. */
  count: number;
  /** Offset in the caller's buffer just after the last whole record. */
  next: number;
  status: ScanStatus;
}

export interface EdgeColumns {
  types: Uint8Array;
  names: Uint32Array;
  to: Uint32Array;
}

export interface EdgeLayout {
  nodeFieldCount: number;
  typeCount: number;
  nodeCount: number;
  /** Per edge type: 1 when the name is an element / hidden index rather than a string index. */
  indexedTypes: ArrayLike<number>;
}

export interface NodeColumns {
  types: Uint8Array;
  names: Uint32Array;
  ids: Uint32Array | Float64Array;
  sizes: Uint32Array | Float64Array;
  /** firstEdge: the scan writes entry ordinal + 1 of each node it parses. */
  firstEdge: Uint32Array;
  detachedness: Uint8Array | undefined;
}

export interface NodeLayout {
  /** 6 or 7. */
  fieldCount: number;
  /** Position of trace_node_id (5) or -1. */
  traceField: number;
  /** Position of detachedness (5 or 6) or -1. */
  detachedField: number;
  typeCount: number;
  edgeCount: number;
}

export interface RecordKernel {
  /** inputBytes bytes (plus one for the loops' sentinel) inside the kernel's memory. */
  readonly input: Buffer;
  /**
   * Edge records of buf[from, end) into the columns from index `at`, at most maxRecords, none
   * starting at or after `limit` (an offset in buf). largestName is the largest string index
   * named so far (edges of non-indexed types); the result carries it on.
   */
  scanEdges(
    buf: Uint8Array,
    from: number,
    end: number,
    limit: number,
    out: EdgeColumns,
    at: number,
    maxRecords: number,
    layout: EdgeLayout,
    largestName: number,
  ): ScanResult & { largestName: number };
  /** Node records of buf[from, end) into the columns from ordinal `at` (largestName: as for edges). */
  scanNodes(
    buf: Uint8Array,
    from: number,
    end: number,
    out: NodeColumns,
    at: number,
    maxRecords: number,
    layout: NodeLayout,
    largestName: number,
  ): ScanResult & { largestName: number };
  /** Whole numbers of buf[from, end), appended to out from index `at` (out must have room). */
  scanNumbers(buf: Uint8Array, from: number, end: number, out: Uint32Array, at: number): ScanResult;
  /**
   * Whole strings of the strings section in buf[from, end), handed to `take` a batch at a time:
   * their raw bytes end to end, and where each ends in them.
   */
  scanStrings(
    buf: Uint8Array,
    from: number,
    end: number,
    take: (raw: Uint8Array, ends: Uint32Array) => void,
  ): ScanResult;
}

interface RecordExports {
  parsedTo(): number;
  status(): number;
  maxEdgeString(): number;
  scanEdges(...args: number[]): number;
  scanNodes(...args: number[]): number;
  scanNumbers(...args: number[]): number;
  scanStrings(...args: number[]): number;
}

let compiled: WebAssembly.Module | undefined;

/** The compiled module (compiled once per thread; it can be sent to worker threads). */
export function recordsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(RECORDS_WASM_BASE64, 'base64'));
  return compiled;
}

/** A kernel with an input buffer of `inputBytes` (at least 64 kB). */
export function createRecordKernel(inputBytes: number): RecordKernel {
  return instantiateRecordKernel(recordsModule(), inputBytes);
}

/**
 * Self-contained (no imports, no module-level helpers, constants written out): its source is also
 * run by the parser's edge helper thread (see parser.ts).
 */
export function instantiateRecordKernel(module: WebAssembly.Module, inputBytes: number): RecordKernel {
  // Layout: [1 kB unused][input + sentinel][output columns: RECORDS records][edge type table].
  // Output room per call: more than a 64 kB piece holds (numbers take two bytes at the least).
  const RECORDS = 1 << 15;
  // Bytes per call. V8 runs a WebAssembly function in its baseline tier until it has run enough
  // to be optimised, and the optimised code serves the next call, never the one under way: so
  // each call gets a small piece. With whole 8 MB chunks a function called a few times (numbers,
  // strings) ran entirely in the baseline tier, three to five times slower.
  const SLICE = 1 << 16;
  const inputSize = Math.max(inputBytes, 64 << 10);
  const inputAt = 1024;
  const columnsAt = (inputAt + inputSize + 64 + 63) & ~63;
  // Column starts, reused by each scan: the nodes need the most (1 + 4 * 4 + 1 bytes a record).
  const bytesAt = columnsAt; // u8: edge types / node types
  const aAt = bytesAt + RECORDS; // u32: edge names / node names / numbers
  const bAt = aAt + RECORDS * 4; // u32: edge targets / node ids
  const cAt = bAt + RECORDS * 4; // u32: node self sizes
  const dAt = cAt + RECORDS * 4; // u32: node firstEdge
  const eAt = dAt + RECORDS * 4; // u8: node detachedness
  const tableAt = eAt + RECORDS; // u8 per edge type: indexed names
  const total = tableAt + 256;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536) });
  const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as RecordExports;
  const bytes = new Uint8Array(memory.buffer);
  const words = new Uint32Array(memory.buffer);
  const input = Buffer.from(memory.buffer, inputAt, inputSize + 1);
  let table: ArrayLike<number> | undefined;

  /**
   * Runs `scan(pointer, length, maxRecords)` over buf[from, end) until it stops for a reason
   * other than a full output buffer, copying bytes in when buf is not `input`. `take(count,
   * done)` copies each batch's columns out.
   */
  const drive = (
    buf: Uint8Array,
    from: number,
    end: number,
    maxRecords: number,
    /** offset: where the piece starts in buf; done: records parsed before it. */
    scan: (pointer: number, length: number, max: number, offset: number, done: number) => number,
    take: (count: number, done: number) => void,
  ): ScanResult => {
    const inMemory = buf.buffer === memory.buffer;
    let pos = from;
    let done = 0;
    let status = 0;
    for (;;) {
      const length = Math.min(end - pos, SLICE);
      let pointer: number;
      if (inMemory) pointer = buf.byteOffset + pos;
      else {
        bytes.set(buf.subarray(pos, pos + length), inputAt);
        pointer = inputAt;
      }
      const reachesEnd = pos + length >= end;
      const count = scan(pointer, length, Math.min(RECORDS, maxRecords - done), pos, done);
      take(count, done);
      done += count;
      const parsed = wasm.parsedTo();
      pos += parsed;
      status = wasm.status();
      if (status === 0 && done < maxRecords) continue; // output full: go on
      // The piece ended before the caller's range did: go on from its last whole record (unless
      // not one fitted: a string longer than a piece is the tokenizer's).
      if (status === 2 && !reachesEnd && parsed > 0) continue;
      break;
    }
    return { count: done, next: pos, status };
  };

  return {
    input,
    scanEdges(buf, from, end, limit, out, at, maxRecords, layout, largestName) {
      if (table !== layout.indexedTypes) {
        table = layout.indexedTypes;
        bytes.fill(0, tableAt, tableAt + 256);
        for (let t = 0; t < Math.min(256, table.length); t++) bytes[tableAt + t] = table[t] ? 1 : 0;
      }
      const nodeLimit = layout.nodeCount * layout.nodeFieldCount;
      let largest = largestName;
      const result = drive(
        buf,
        from,
        end,
        maxRecords,
        (pointer, length, max, offset) => {
          const count = wasm.scanEdges(
            pointer,
            length,
            Math.max(0, Math.min(limit - offset, 0x7fffffff)),
            max,
            bytesAt,
            aAt,
            bAt,
            layout.nodeFieldCount,
            Math.min(layout.typeCount, 256),
            nodeLimit,
            tableAt,
            largest,
          );
          largest = wasm.maxEdgeString();
          return count;
        },
        (count, done) => {
          const to = at + done;
          out.types.set(bytes.subarray(bytesAt, bytesAt + count), to);
          out.names.set(words.subarray(aAt >>> 2, (aAt >>> 2) + count), to);
          out.to.set(words.subarray(bAt >>> 2, (bAt >>> 2) + count), to);
        },
      );
      return { ...result, largestName: largest };
    },
    scanNodes(buf, from, end, out, at, maxRecords, layout, largestName) {
      let largest = largestName;
      const result = drive(
        buf,
        from,
        end,
        maxRecords,
        (pointer, length, max, _offset, done) => {
          const count = wasm.scanNodes(
            pointer,
            length,
            max,
            layout.fieldCount,
            layout.traceField,
            layout.detachedField,
            Math.min(layout.typeCount, 256),
            out.firstEdge[at + done],
            layout.edgeCount,
            bytesAt,
            aAt,
            bAt,
            cAt,
            dAt,
            eAt,
            largest,
          );
          largest = wasm.maxEdgeString();
          return count;
        },
        (count, done) => {
          const to = at + done;
          out.types.set(bytes.subarray(bytesAt, bytesAt + count), to);
          out.names.set(words.subarray(aAt >>> 2, (aAt >>> 2) + count), to);
          out.ids.set(words.subarray(bAt >>> 2, (bAt >>> 2) + count), to);
          out.sizes.set(words.subarray(cAt >>> 2, (cAt >>> 2) + count), to);
          out.firstEdge.set(words.subarray(dAt >>> 2, (dAt >>> 2) + count), to + 1);
          out.detachedness?.set(bytes.subarray(eAt, eAt + count), to);
        },
      );
      return { ...result, largestName: largest };
    },
    scanNumbers(buf, from, end, out, at) {
      return drive(
        buf,
        from,
        end,
        out.length - at,
        (pointer, length, max) => wasm.scanNumbers(pointer, length, max, aAt),
        (count, done) => out.set(words.subarray(aAt >>> 2, (aAt >>> 2) + count), at + done),
      );
    },
    scanStrings(buf, from, end, take) {
      // Ends go where the u32 column a is, the bytes over columns b to d.
      return drive(
        buf,
        from,
        end,
        Infinity,
        (pointer, length, max) => wasm.scanStrings(pointer, length, max, bAt, eAt - bAt, aAt),
        (count) => {
          if (count === 0) return;
          const ends = words.subarray(aAt >>> 2, (aAt >>> 2) + count);
          take(bytes.subarray(bAt, bAt + ends[count - 1]), ends);
        },
      );
    },
  };
}
