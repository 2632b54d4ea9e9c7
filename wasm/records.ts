// AssemblyScript (not TypeScript): the number-record loops of the heap snapshot parser, compiled
// to WebAssembly by scripts/build-wasm.mjs into src/core/heapsnapshot/recordsWasm.ts.
//
// Why WebAssembly: the same byte loops in JavaScript run ~1.5x slower (typed-array element loads
// with bounds checks, doubles for the running value); nodes and edges are ~90% of a snapshot's
// bytes. Each function parses whole records from `input` (length bytes) into output columns and
// stops, without guessing, at anything unusual: the JavaScript tokenizer then takes over from
// `parsedTo()` and either finishes the record (cut by the chunk end) or reports the error with its
// byte offset. So these loops never fail; they only stop early.
//
// After each call: parsedTo() is the offset just after the last whole record, status() says why
// the loop stopped (see the constants).

/** maxRecords records were parsed. */
const FULL: i32 = 0;
/** The next record would start at or after `limit`. */
const LIMIT: i32 = 1;
/** The input ended (the next record may be cut by the chunk end). */
const MORE: i32 = 2;
/** Something the fast loop does not handle: the tokenizer looks at it. */
const STOP: i32 = 3;

/** More digits than this and the value may not be exact in a double: left to the tokenizer. */
const MAX_DIGITS: usize = 15;

let stopOffset: i32 = 0;
let stopStatus: i32 = 0;
let largestName: f64 = -1;

export function parsedTo(): i32 {
  return stopOffset;
}

export function status(): i32 {
  return stopStatus;
}

/** Largest string index named by an edge of a non-indexed type, or by a node, so far. */
export function maxEdgeString(): f64 {
  return largestName;
}

function isSeparator(c: u32): bool {
  return c == 0x2c || c == 0x0a || c == 0x0d || c == 0x20;
}

// The record loops below read one byte past the input: the caller's byte there is saved, set to
// 0 (which ends any number) and restored.
//
// Each number is read by its own copy of the same few lines, on purpose: with one helper
// returning the value and length packed in a u64 (inlined by binaryen), the nodes loop took
// 270 ms instead of 129 and the edges loop 486 instead of 368 on the small bench file.

/**
 * Edge records "type,name_or_index,to_node". Writes types (u8), names (u32, clamped to
 * 0xffffffff as the tokenizer does) and target node ordinals (u32). `indexed` holds one byte per
 * edge type, 1 when the name is an index rather than a string.
 */
export function scanEdges(
  input: usize,
  length: i32,
  limit: i32,
  maxRecords: i32,
  types: usize,
  names: usize,
  targets: usize,
  nodeFields: u32,
  typeCount: u32,
  nodeLimit: f64,
  indexed: usize,
  largestNameSoFar: f64,
): i32 {
  const end = input + <usize>length;
  const saved = load<u8>(end);
  store<u8>(end, 0);
  const targetLimit = <u64>nodeLimit;
  const fields = <u64>nodeFields;
  let largest = largestNameSoFar;
  let done = input;
  let records = 0;
  let why = FULL;
  while (records < maxRecords) {
    let p = done;
    let c = <u32>load<u8>(p);
    while (isSeparator(c)) c = <u32>load<u8>(++p);
    if (p >= end) {
      why = MORE;
      break;
    }
    if (<i32>(p - input) >= limit) {
      why = LIMIT;
      break;
    }
    // type
    let start = p;
    let d = c - 0x30;
    if (d > 9) {
      why = STOP;
      break;
    }
    let type: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      type = type * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // name_or_index
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let name: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      name = name * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // to_node
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let target: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      target = target * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (p >= end) {
      why = MORE; // the number may go on in the next chunk
      break;
    }
    if (p - start > MAX_DIGITS || type >= <u64>typeCount || target >= targetLimit) {
      why = STOP;
      break;
    }
    const ordinal = target / fields;
    if (ordinal * fields != target) {
      why = STOP;
      break;
    }
    if (load<u8>(indexed + <usize>type) == 0 && <f64>name > largest) largest = <f64>name;
    store<u8>(types + <usize>records, <u8>type);
    store<u32>(names + ((<usize>records) << 2), name > 0xffffffff ? 0xffffffff : <u32>name);
    store<u32>(targets + ((<usize>records) << 2), <u32>ordinal);
    records++;
    done = p;
  }
  store<u8>(end, saved);
  stopOffset = <i32>(done - input);
  stopStatus = why;
  largestName = largest;
  return records;
}

/**
 * Node records in V8's layouts: type,name,id,self_size,edge_count, then one or two of
 * trace_node_id / detachedness (`fields` is 6 or 7; `traceField` and `detachedField` are their
 * positions, -1 when absent). A record with a non-zero trace id stops the loop (the tokenizer
 * keeps those). Writes types (u8), names, ids, self sizes (u32), the running edge index after
 * each node (u32: firstEdge[ord + 1], starting from `edgeBase`, never past `edgeLimit`) and
 * detachedness (u8, clamped to 255, when present).
 */
export function scanNodes(
  input: usize,
  length: i32,
  maxRecords: i32,
  fields: i32,
  traceField: i32,
  detachedField: i32,
  typeCount: u32,
  edgeBase: f64,
  edgeLimit: f64,
  types: usize,
  names: usize,
  ids: usize,
  sizes: usize,
  firstEdges: usize,
  detached: usize,
  largestNameSoFar: f64,
): i32 {
  const end = input + <usize>length;
  const saved = load<u8>(end);
  store<u8>(end, 0);
  let edgeIndex = <u64>edgeBase;
  const lastEdge = <u64>edgeLimit;
  let largest = largestNameSoFar;
  let done = input;
  let records = 0;
  let why = FULL;
  // Written out field by field: a loop over the fields with a switch on the field's role ran
  // slower than the JavaScript it replaces.
  while (records < maxRecords) {
    let p = done;
    let c = <u32>load<u8>(p);
    while (isSeparator(c)) c = <u32>load<u8>(++p);
    if (p >= end) {
      why = MORE;
      break;
    }
    // type
    let start = p;
    let d = c - 0x30;
    if (d > 9) {
      why = STOP;
      break;
    }
    let type: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      type = type * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // name
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let name: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      name = name * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // id
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let id: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      id = id * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // self_size
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let size: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      size = size * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // edge_count
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let edges: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      edges = edges * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
      why = p >= end ? MORE : STOP;
      break;
    }
    // trace_node_id and / or detachedness
    start = ++p;
    d = <u32>load<u8>(p) - 0x30;
    if (d > 9) {
      why = p >= end ? MORE : STOP;
      break;
    }
    let sixth: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      sixth = sixth * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    let seventh: u64 = 0;
    if (fields == 7) {
      if (d != 0x2c - 0x30 || p - start > MAX_DIGITS) {
        why = p >= end ? MORE : STOP;
        break;
      }
      start = ++p;
      d = <u32>load<u8>(p) - 0x30;
      if (d > 9) {
        why = p >= end ? MORE : STOP;
        break;
      }
      seventh = d;
      d = <u32>load<u8>(++p) - 0x30;
      while (d <= 9) {
        seventh = seventh * 10 + d;
        d = <u32>load<u8>(++p) - 0x30;
      }
    }
    if (p >= end) {
      why = MORE;
      break;
    }
    const trace = traceField == 5 ? sixth : 0;
    const detachedness = detachedField == 5 ? sixth : detachedField == 6 ? seventh : 0;
    if (
      p - start > MAX_DIGITS ||
      type >= <u64>typeCount ||
      name > 0xffffffff ||
      id > 0xffffffff ||
      size > 0xffffffff ||
      trace != 0 ||
      edgeIndex + edges > lastEdge
    ) {
      why = STOP;
      break;
    }
    edgeIndex += edges;
    if (<f64>name > largest) largest = <f64>name;
    store<u8>(types + <usize>records, <u8>type);
    store<u32>(names + ((<usize>records) << 2), <u32>name);
    store<u32>(ids + ((<usize>records) << 2), <u32>id);
    store<u32>(sizes + ((<usize>records) << 2), <u32>size);
    store<u32>(firstEdges + ((<usize>records) << 2), <u32>edgeIndex);
    store<u8>(detached + <usize>records, detachedness > 255 ? 255 : <u8>detachedness);
    records++;
    done = p;
  }
  store<u8>(end, saved);
  stopOffset = <i32>(done - input);
  stopStatus = why;
  largestName = largest;
  return records;
}

/**
 * Comma-separated numbers (the locations section): writes up to maxValues u32 values. A value
 * over 0xffffffff stops the loop (the tokenizer widens its array for those).
 */
export function scanNumbers(input: usize, length: i32, maxValues: i32, values: usize): i32 {
  const end = input + <usize>length;
  const saved = load<u8>(end);
  store<u8>(end, 0);
  let done = input;
  let count = 0;
  let why = FULL;
  while (count < maxValues) {
    let p = done;
    let c = <u32>load<u8>(p);
    while (isSeparator(c) || c == 0x09) c = <u32>load<u8>(++p);
    if (p >= end) {
      why = MORE;
      break;
    }
    const start = p;
    let d = c - 0x30;
    if (d > 9) {
      why = STOP;
      break;
    }
    let value: u64 = d;
    d = <u32>load<u8>(++p) - 0x30;
    while (d <= 9) {
      value = value * 10 + d;
      d = <u32>load<u8>(++p) - 0x30;
    }
    if (p >= end) {
      why = MORE;
      break;
    }
    if (p - start > MAX_DIGITS || value > 0xffffffff) {
      why = STOP;
      break;
    }
    store<u32>(values + ((<usize>count) << 2), <u32>value);
    count++;
    done = p;
  }
  store<u8>(end, saved);
  stopOffset = <i32>(done - input);
  stopStatus = why;
  return count;
}

/**
 * The strings section: each whole string's raw bytes (JSON escapes kept, quotes dropped) copied
 * to `out`, and where it ends there (u32, relative to `out`) to `ends`. A string not closed
 * before the input ends is left for the tokenizer (status MORE, parsedTo before its quote), as is
 * one longer than outCapacity when it is the first (status STOP) and the closing ']' (STOP).
 */
export function scanStrings(
  input: usize,
  length: i32,
  maxStrings: i32,
  out: usize,
  outCapacity: i32,
  ends: usize,
): i32 {
  const end = input + <usize>length;
  const saved = load<u8>(end);
  store<u8>(end, 0);
  const capacity = <usize>outCapacity;
  let done = input;
  let written: usize = 0;
  let count = 0;
  let why = FULL;
  while (count < maxStrings) {
    let p = done;
    let c = <u32>load<u8>(p);
    while (isSeparator(c) || c == 0x09) c = <u32>load<u8>(++p);
    if (p >= end) {
      why = MORE;
      break;
    }
    if (c != 0x22) {
      why = STOP;
      break;
    }
    p++;
    let w = written;
    let closed = false;
    for (;;) {
      c = <u32>load<u8>(p);
      // One test for the three bytes that matter: the quote, the backslash, and the sentinel.
      if (c == 0x22 || c == 0x5c || c == 0) {
        if (c == 0x22) {
          closed = true;
          break;
        }
        if (p + 1 >= end) break; // the input ends inside the string (or its escape)
        if (c == 0x5c) {
          if (w + 2 > capacity) break;
          store<u8>(out + w, <u8>c);
          store<u8>(out + w + 1, load<u8>(p + 1));
          w += 2;
          p += 2;
          continue;
        }
      }
      if (w >= capacity) break;
      store<u8>(out + w, <u8>c);
      w++;
      p++;
    }
    if (!closed) {
      if (p + 1 >= end) why = MORE;
      else why = count == 0 ? STOP : FULL; // out of room: a first string this long is the tokenizer's
      break;
    }
    store<u32>(ends + ((<usize>count) << 2), <u32>w);
    count++;
    written = w;
    done = p + 1;
  }
  store<u8>(end, saved);
  stopOffset = <i32>(done - input);
  stopStatus = why;
  return count;
}
