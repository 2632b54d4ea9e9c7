// Streaming parser for .heapsnapshot files. One pass over the bytes: number arrays are tokenized
// straight into typed arrays (no JSON objects, no string decoding of digits), strings are kept raw
// and decoded lazily. Memory is bounded by the meta counts, which are checked against the file size
// before anything is allocated. Every error names the section and the byte offset.
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HeapscopeError } from '../errors';
import type { ParsedSnapshot, SnapshotMeta } from './model';
import { claimEdgeTail, createControl, parseEdgeTail, type EdgeTail } from './edgeTail';
import {
  createRecordKernel,
  instantiateRecordKernel,
  recordsModule,
  ScanStatus,
  type EdgeLayout,
  type NodeLayout,
  type RecordKernel,
} from './recordKernel';
import { hugePageBytes } from './hugePageSize';
import { StringTable } from './strings';
import {
  adoptPageSearchHelper,
  helperControl,
  keepHelperFor,
  PAGE_SEARCH_HELPER_CODE,
  type PageSearchHelper,
} from './markEdges';

export interface EdgeJob {
  edgeCount: number;
  nodeFieldCount: number;
  nodeCount: number;
  typeCount: number;
  /** Per edge type: 1 when its name_or_index is an index (element, hidden), not a string. */
  indexedTypes: number[];
  types: SharedArrayBuffer;
  names: SharedArrayBuffer;
  to: SharedArrayBuffer;
}

export interface ParseOptions {
  /**
   * Parse the edges section on a second thread while this one reads the nodes ('auto': files of
   * 64 MB and more). Any doubt (an unusual layout, a malformed section) falls back to the single
   * pass, which reports errors precisely.
   */
  parallel?: boolean | 'auto';
  onProgress?: (readBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Read size. 8 MB balances syscall overhead against cache misses. */
  chunkBytes?: number;
  /**
   * An analysis follows (HeapSnapshot.analyse): keep the two-thread parse's helper thread for it,
   * which saves it a thread's start-up. Unused, the helper ends itself after a few seconds.
   */
  keepHelper?: boolean;
}

const enum State {
  BeforeRoot,
  ExpectKey,
  InKey,
  ExpectColon,
  ExpectValue,
  ExpectArray,
  Nodes,
  Edges,
  Numbers,
  StringsExpect,
  StringsIn,
  Skip,
  End,
}

const enum NodeRole {
  Other,
  Type,
  Name,
  Id,
  SelfSize,
  EdgeCount,
  TraceNodeId,
  Detachedness,
}

const enum EdgeRole {
  Other,
  Type,
  Name,
  ToNode,
}

const MAX_META_BYTES = 16 << 20;
const MAX_TRACE_TREE_BYTES = 64 << 20;
const WS_COMMA = new Uint8Array(256);
WS_COMMA[0x20] = WS_COMMA[0x0a] = WS_COMMA[0x0d] = WS_COMMA[0x09] = WS_COMMA[0x2c] = 1;

/**
 * Numbers of the small sections. Uint32 (the locations of a big heap are millions of numbers, and
 * doubling Float64 arrays left tens of MB behind); widened once if a value does not fit.
 */
class GrowableNumbers {
  data: Uint32Array | Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity);
  }
  values(): Uint32Array | Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export class SnapshotTokenizer {
  private state = State.BeforeRoot;
  private base = 0;
  private key = '';
  private keyBytes: number[] = [];
  private seenKeys = new Set<string>();

  private meta: SnapshotMeta | undefined;
  private nodeCount = 0;
  private edgeCount = 0;
  private traceFunctionCount = 0;
  private nodeFieldCount = 0;
  private edgeFieldCount = 0;
  private nodeRoles = new Uint8Array(0);
  private edgeRoles = new Uint8Array(0);

  private nodeTypes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private nodeNames: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private nodeIds: Uint32Array | Float64Array = new Uint32Array(0);
  private nodeSelfSizes: Uint32Array | Float64Array = new Uint32Array(0);
  private firstEdge: Uint32Array<ArrayBufferLike> = new Uint32Array(1);
  private detachedness: Uint8Array | undefined;
  private traceNodeIds: Uint32Array | undefined;
  private hasTraceIds = false;
  private edgeTypes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private edgeNames: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private edgeTo: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private nodesDone = false;
  private edgesDone = false;

  // Number scanning state, kept across chunks.
  private num = 0;
  private inNum = false;
  private field = 0;
  private ordinal = 0;
  private numbers: GrowableNumbers | undefined;
  private numberTarget = '';
  private locations: Uint32Array | Float64Array | undefined;
  private traceFunctionInfos: Float64Array | undefined;

  // Generic value skipping (and capture for the small sections we keep).
  private skipDepth = 0;
  private skipInString = false;
  private skipEscape = false;
  private skipStarted = false;
  private capture: Buffer[] | undefined;
  private captureBytes = 0;
  private captureLimit = 0;
  private captureOverflow = false;
  private traceTreeJson: string | undefined;

  private strings = new StringTable();
  private stringEscape = false;
  private stringsDone = false;

  constructor(
    private readonly fileBytes: number,
    /** Allocate the edge arrays on SharedArrayBuffers (so a helper thread can fill them). */
    private readonly sharedEdges = false,
    /** The WebAssembly record loops; chunks read into its `input` are parsed without a copy. */
    private readonly kernel: RecordKernel = createRecordKernel(1 << 20),
  ) {}

  /** True once the "snapshot" meta has been read (counts and layouts known). */
  get metaReady(): boolean {
    return this.meta !== undefined;
  }

  /** What a helper thread needs to parse the edges section into the shared arrays. */
  edgeJob(): EdgeJob | undefined {
    if (!this.meta || !this.standardEdges || !(this.edgeTo.buffer instanceof SharedArrayBuffer))
      return undefined;
    return {
      edgeCount: this.edgeCount,
      nodeFieldCount: this.nodeFieldCount,
      nodeCount: this.nodeCount,
      typeCount: this.meta.edgeTypes.length,
      indexedTypes: [...this.indexedEdgeTypes],
      types: this.edgeTypes.buffer as SharedArrayBuffer,
      names: this.edgeNames.buffer as SharedArrayBuffer,
      to: this.edgeTo.buffer as SharedArrayBuffer,
    };
  }

  /**
   * The edges section was parsed by a helper thread: continue as if this tokenizer had read it,
   * with the next byte fed being at file offset `resumeAt`.
   */
  acceptEdgesFromHelper(resumeAt: number): boolean {
    if (this.state !== State.ExpectKey || !this.nodesDone || this.seenKeys.has('edges')) return false;
    this.seenKeys.add('edges');
    this.edgesDone = true;
    this.base = resumeAt;
    // Unknown until the helper reports it (helperEdgeStrings): until then finish() checks all.
    this.maxEdgeString = Infinity;
    return true;
  }

  /** The largest string index the helper's edges name (see maxEdgeString). */
  helperEdgeStrings(maxEdgeString: number): void {
    this.maxEdgeString = maxEdgeString;
  }

  private fail(
    message: string,
    offset: number,
    code: 'snapshot-malformed' | 'snapshot-truncated' = 'snapshot-malformed',
  ): never {
    throw new HeapscopeError(code, `Not a valid heap snapshot: ${message} (at byte ${offset}).`);
  }

  private describeByte(c: number): string {
    return c >= 0x20 && c < 0x7f
      ? `'${String.fromCharCode(c)}'`
      : `byte 0x${c.toString(16).padStart(2, '0')}`;
  }

  /**
   * Feeds the next chunk: bytes [0, length) of `buf`, which is only read during this call. When
   * `buf` has room, buf[length] must be 0: the number loops stop on that sentinel instead of
   * testing the chunk end on every byte (and never read out of bounds, which would make V8's
   * element loads polymorphic and the whole tokenizer several times slower).
   */
  push(buf: Uint8Array, length = buf.length): void {
    if (buf.length <= length) {
      const padded = new Uint8Array(length + 1);
      padded.set(buf.subarray(0, length));
      buf = padded;
    }
    let i = 0;
    const end = length;
    while (i < end) {
      switch (this.state) {
        case State.BeforeRoot: {
          const c = buf[i];
          if (c === 0xef && this.base + i === 0) {
            i += 3; // UTF-8 BOM
            break;
          }
          if (WS_COMMA[c] && c !== 0x2c) {
            i++;
            break;
          }
          if (c !== 0x7b)
            this.fail(`expected '{' to open the snapshot, found ${this.describeByte(c)}`, this.base + i);
          this.state = State.ExpectKey;
          i++;
          break;
        }
        case State.ExpectKey: {
          const c = buf[i];
          if (WS_COMMA[c]) {
            i++;
            break;
          }
          if (c === 0x7d) {
            this.state = State.End;
            i++;
            break;
          }
          if (c !== 0x22) this.fail(`expected a section name, found ${this.describeByte(c)}`, this.base + i);
          this.keyBytes.length = 0;
          this.state = State.InKey;
          i++;
          break;
        }
        case State.InKey: {
          const c = buf[i++];
          if (c === 0x22) {
            this.key = Buffer.from(this.keyBytes).toString('utf8');
            this.state = State.ExpectColon;
          } else {
            if (this.keyBytes.length > 256) this.fail('section name too long', this.base + i);
            this.keyBytes.push(c);
          }
          break;
        }
        case State.ExpectColon: {
          const c = buf[i];
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
            i++;
            break;
          }
          if (c !== 0x3a)
            this.fail(`expected ':' after "${this.key}", found ${this.describeByte(c)}`, this.base + i);
          i++;
          this.state = State.ExpectValue;
          break;
        }
        case State.ExpectValue: {
          const c = buf[i];
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
            i++;
            break;
          }
          i += this.beginValue(c, this.base + i);
          break;
        }
        case State.ExpectArray: {
          const c = buf[i];
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
            i++;
            break;
          }
          this.fail(`expected '[' to open "${this.key}", found ${this.describeByte(c)}`, this.base + i);
          break;
        }
        case State.Nodes:
          i = this.scanNodes(buf, i, end);
          break;
        case State.Edges:
          i = this.scanEdges(buf, i, end);
          break;
        case State.Numbers:
          i = this.scanNumbers(buf, i, end);
          break;
        case State.StringsExpect:
        case State.StringsIn:
          i = this.scanStrings(buf, i, end);
          break;
        case State.Skip:
          i = this.scanSkip(buf, i, end);
          break;
        case State.End: {
          const c = buf[i];
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
            i++;
            break;
          }
          this.fail(`unexpected ${this.describeByte(c)} after the end of the snapshot`, this.base + i);
        }
      }
    }
    this.base += end;
  }

  private beginValue(c: number, offset: number): number {
    const key = this.key;
    if (this.seenKeys.has(key)) this.fail(`section "${key}" appears twice`, offset);
    this.seenKeys.add(key);
    if (key === 'snapshot') {
      if (c !== 0x7b) this.fail(`expected '{' to open "snapshot", found ${this.describeByte(c)}`, offset);
      this.startSkip(MAX_META_BYTES);
      return 0;
    }
    const numberSection =
      key === 'nodes' ||
      key === 'edges' ||
      key === 'locations' ||
      key === 'trace_function_infos' ||
      key === 'samples';
    if (numberSection || key === 'strings') {
      if (c !== 0x5b) this.fail(`expected '[' to open "${key}", found ${this.describeByte(c)}`, offset);
      if ((key === 'nodes' || key === 'edges' || key === 'locations') && !this.meta)
        this.fail(`section "${key}" comes before the "snapshot" meta`, offset);
      this.num = 0;
      this.inNum = false;
      this.field = 0;
      this.ordinal = 0;
      this.skipStarted = false;
      if (key === 'nodes') this.state = State.Nodes;
      else if (key === 'edges') {
        if (!this.nodesDone) this.fail('section "edges" comes before "nodes"', offset);
        this.state = State.Edges;
      } else if (key === 'strings') {
        // The strings come last in V8's layout: the rest of the file bounds them, so one buffer
        // of that size (pages untouched past the end cost nothing) replaces doubling and trimming.
        this.strings.reserve(Math.min(this.fileBytes - offset, 1 << 30));
        this.state = State.StringsExpect;
      } else {
        // Each number takes two bytes at least, so the rest of the file bounds the locations (a
        // few MB): reserved at once, untouched pages cost nothing, and the array neither doubles
        // nor copies. The other sections here are small.
        this.numbers = new GrowableNumbers(
          key === 'locations' ? Math.min(Math.ceil((this.fileBytes - offset) / 2), 1 << 28) + 1 : 1024,
        );
        this.numberTarget = key;
        this.state = State.Numbers;
      }
      return 1;
    }
    // trace_tree is nested; keep it as JSON when small. Anything unknown is skipped.
    this.startSkip(key === 'trace_tree' ? MAX_TRACE_TREE_BYTES : 0);
    return 0;
  }

  private startSkip(captureLimit: number): void {
    this.skipDepth = 0;
    this.skipInString = false;
    this.skipEscape = false;
    this.skipStarted = false;
    this.capture = captureLimit > 0 ? [] : undefined;
    this.captureBytes = 0;
    this.captureLimit = captureLimit;
    this.captureOverflow = false;
    this.state = State.Skip;
  }

  private scanSkip(buf: Uint8Array, i: number, end: number): number {
    const start = i;
    let depth = this.skipDepth;
    let inString = this.skipInString;
    let escape = this.skipEscape;
    let done = false;
    for (; i < end; i++) {
      const c = buf[i];
      if (inString) {
        if (escape) escape = false;
        else if (c === 0x5c) escape = true;
        else if (c === 0x22) {
          inString = false;
          if (depth === 0) {
            i++;
            done = true;
            break;
          }
        }
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) {
          done = true; // a scalar value ended at the object's closing brace
          break;
        }
        depth--;
        if (depth < 0) this.fail(`unbalanced '${String.fromCharCode(c)}' in "${this.key}"`, this.base + i);
        if (depth === 0) {
          i++;
          done = true;
          break;
        }
      } else if (depth === 0 && (c === 0x2c || c === 0x7d)) {
        done = true; // a scalar value ended; the separator belongs to the object
        break;
      }
    }
    if (this.capture && !this.captureOverflow) {
      this.captureBytes += i - start;
      if (this.captureBytes > this.captureLimit) {
        if (this.key === 'snapshot')
          this.fail('the "snapshot" meta section is implausibly large', this.base + i);
        this.captureOverflow = true;
        this.capture = undefined;
      } else this.capture.push(Buffer.from(buf.subarray(start, i)));
    }
    this.skipDepth = depth;
    this.skipInString = inString;
    this.skipEscape = escape;
    if (done) this.endSkip(this.base + i);
    return i;
  }

  private endSkip(offset: number): void {
    this.state = State.ExpectKey;
    const text = this.capture ? Buffer.concat(this.capture).toString('utf8') : undefined;
    this.capture = undefined;
    if (this.key === 'snapshot') this.readMeta(text ?? '', offset);
    else if (this.key === 'trace_tree' && text !== undefined) this.traceTreeJson = text;
  }

  private readMeta(text: string, offset: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.fail(`the "snapshot" meta section is not valid JSON (${(error as Error).message})`, offset);
    }
    const snapshot = parsed as {
      meta?: Record<string, unknown>;
      node_count?: unknown;
      edge_count?: unknown;
      trace_function_count?: unknown;
    };
    const meta = snapshot.meta;
    if (!meta || typeof meta !== 'object') this.fail('the "snapshot" section has no "meta"', offset);
    const list = (name: string, required: boolean): string[] => {
      const value = meta[name];
      if (value === undefined && !required) return [];
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        this.fail(`snapshot.meta.${name} is missing or not a list of names`, offset);
      return value as string[];
    };
    // One type per field, or one more: V8 12 and later (Node 22+) dropped trace_node_id from
    // node_fields but still list its type in node_types.
    const types = (name: string, fields: string[]): string[] => {
      const value = meta[name];
      if (!Array.isArray(value) || (value.length !== fields.length && value.length !== fields.length + 1))
        this.fail(`snapshot.meta.${name} does not match its fields`, offset);
      const first = value[0] as unknown;
      if (!Array.isArray(first) || !first.every((v) => typeof v === 'string'))
        this.fail(`snapshot.meta.${name}[0] is not a list of type names`, offset);
      return first as string[];
    };
    const nodeFields = list('node_fields', true);
    const edgeFields = list('edge_fields', true);
    this.meta = {
      nodeFields,
      edgeFields,
      nodeTypes: types('node_types', nodeFields),
      edgeTypes: types('edge_types', edgeFields),
      locationFields: list('location_fields', false),
      traceFunctionInfoFields: list('trace_function_info_fields', false),
      traceNodeFields: list('trace_node_fields', false),
      sampleFields: list('sample_fields', false),
    };
    for (const f of ['type', 'name', 'id', 'self_size', 'edge_count'])
      if (!nodeFields.includes(f)) this.fail(`snapshot.meta.node_fields has no "${f}"`, offset);
    for (const f of ['type', 'name_or_index', 'to_node'])
      if (!edgeFields.includes(f)) this.fail(`snapshot.meta.edge_fields has no "${f}"`, offset);
    const count = (value: unknown, name: string): number => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        this.fail(`snapshot.${name} is not a count`, offset);
      return value;
    };
    this.nodeCount = count(snapshot.node_count, 'node_count');
    this.edgeCount = count(snapshot.edge_count, 'edge_count');
    this.traceFunctionCount =
      snapshot.trace_function_count === undefined
        ? 0
        : count(snapshot.trace_function_count, 'trace_function_count');
    this.nodeFieldCount = nodeFields.length;
    this.edgeFieldCount = edgeFields.length;
    // Each number takes at least two bytes ("0,"): a count the file cannot hold is a lie, and
    // believing it would allocate unbounded memory.
    const needed = (this.nodeCount * this.nodeFieldCount + this.edgeCount * this.edgeFieldCount) * 2;
    if (needed > this.fileBytes)
      throw new HeapscopeError(
        'snapshot-truncated',
        `Heap snapshot is truncated or its counts are wrong: snapshot.node_count ${this.nodeCount} and edge_count ${this.edgeCount} need at least ${needed} bytes, but the file has ${this.fileBytes} (meta ends at byte ${offset}).`,
      );
    if (this.nodeCount === 0) this.fail('snapshot.node_count is 0', offset);
    if (this.meta.nodeTypes.length > 255 || this.meta.edgeTypes.length > 255)
      this.fail('too many node or edge types', offset);
    const nodeRole: Record<string, NodeRole> = {
      type: NodeRole.Type,
      name: NodeRole.Name,
      id: NodeRole.Id,
      self_size: NodeRole.SelfSize,
      edge_count: NodeRole.EdgeCount,
      trace_node_id: NodeRole.TraceNodeId,
      detachedness: NodeRole.Detachedness,
    };
    this.nodeRoles = Uint8Array.from(nodeFields, (f) => nodeRole[f] ?? NodeRole.Other);
    const edgeRole: Record<string, EdgeRole> = {
      type: EdgeRole.Type,
      name_or_index: EdgeRole.Name,
      to_node: EdgeRole.ToNode,
    };
    this.edgeRoles = Uint8Array.from(edgeFields, (f) => edgeRole[f] ?? EdgeRole.Other);
    this.standardEdges = edgeFields.join(',') === 'type,name_or_index,to_node';
    this.indexedEdgeTypes = Uint8Array.from(this.meta.edgeTypes, (t) =>
      t === 'element' || t === 'hidden' ? 1 : 0,
    );
    this.standardEdgeLayout = {
      nodeFieldCount: this.nodeFieldCount,
      typeCount: this.meta.edgeTypes.length,
      nodeCount: this.nodeCount,
      indexedTypes: this.indexedEdgeTypes,
    };
    const nodeLayout = nodeFields.join(',');
    this.standardNodes =
      nodeLayout === 'type,name,id,self_size,edge_count,trace_node_id,detachedness' ||
      nodeLayout === 'type,name,id,self_size,edge_count,trace_node_id' ||
      nodeLayout === 'type,name,id,self_size,edge_count,detachedness';
    if (this.standardNodes) {
      const trace = nodeFields.indexOf('trace_node_id');
      this.standardNodeLayout = {
        fieldCount: nodeFields.length,
        traceField: trace,
        detachedField: nodeFields.indexOf('detachedness'),
        typeCount: this.meta.nodeTypes.length,
        edgeCount: this.edgeCount,
      };
    }
    const n = this.nodeCount;
    // Shared too when the edges are: the analysis's helper thread reads ids and edge ranges, and
    // folds the shallow sizes (types, names, sizes).
    // Sized for huge pages (hugePageSize.ts); the arrays' own lengths are the counts.
    const buffer = (bytes: number): ArrayBufferLike =>
      this.sharedEdges ? new SharedArrayBuffer(hugePageBytes(bytes)) : new ArrayBuffer(hugePageBytes(bytes));
    this.nodeTypes = new Uint8Array(buffer(n), 0, n);
    this.nodeNames = new Uint32Array(buffer(n * 4), 0, n);
    this.nodeIds = new Uint32Array(buffer(n * 4), 0, n);
    this.nodeSelfSizes = new Uint32Array(buffer(n * 4), 0, n);
    this.firstEdge = new Uint32Array(buffer((n + 1) * 4), 0, n + 1);
    if (nodeFields.includes('detachedness')) this.detachedness = new Uint8Array(n);
    const m = this.edgeCount;
    this.edgeTypes = new Uint8Array(buffer(m), 0, m);
    this.edgeNames = new Uint32Array(buffer(m * 4), 0, m);
    this.edgeTo = new Uint32Array(buffer(m * 4), 0, m);
  }

  private scanNodes(buf: Uint8Array, i: number, end: number): number {
    let v = this.num;
    let inNum = this.inNum;
    let field = this.field;
    let ord = this.ordinal;
    const nf = this.nodeFieldCount;
    const roles = this.nodeRoles;
    const n = this.nodeCount;
    const typeCount = this.meta!.nodeTypes.length;
    const types = this.nodeTypes;
    const names = this.nodeNames;
    const firstEdge = this.firstEdge;
    for (; i < end; i++) {
      if (field === 0 && !inNum && ord < n) {
        // Whole records in the fast path; the byte-at-a-time loop only finishes records cut by a
        // chunk boundary or containing something unusual (and reports errors precisely).
        this.ordinal = ord;
        const next = this.fastNodes(buf, i, end);
        if (next !== i) {
          i = next;
          ord = this.ordinal;
          if (i >= end) break;
        }
      }
      const c = buf[i];
      if (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        inNum = true;
        continue;
      }
      if (inNum) {
        if (ord >= n) this.fail(`"nodes" holds more than snapshot.node_count (${n}) nodes`, this.base + i);
        switch (roles[field]) {
          case NodeRole.Type:
            if (v >= typeCount)
              this.fail(`node ${ord} has type ${v}, but only ${typeCount} node types exist`, this.base + i);
            types[ord] = v;
            break;
          case NodeRole.Name:
            names[ord] = v;
            if (v > this.maxNodeName) this.maxNodeName = v;
            break;
          case NodeRole.Id:
            if (v > 0xffffffff && this.nodeIds instanceof Uint32Array)
              this.nodeIds = Float64Array.from(this.nodeIds);
            this.nodeIds[ord] = v;
            break;
          case NodeRole.SelfSize:
            if (v > 0xffffffff && this.nodeSelfSizes instanceof Uint32Array)
              this.nodeSelfSizes = Float64Array.from(this.nodeSelfSizes);
            this.nodeSelfSizes[ord] = v;
            break;
          case NodeRole.EdgeCount: {
            const next = firstEdge[ord] + v;
            if (next > this.edgeCount)
              this.fail(
                `node edge counts add up to more than snapshot.edge_count (${this.edgeCount})`,
                this.base + i,
              );
            firstEdge[ord + 1] = next;
            break;
          }
          case NodeRole.TraceNodeId:
            if (v !== 0) {
              if (!this.traceNodeIds) this.traceNodeIds = new Uint32Array(n);
              this.hasTraceIds = true;
              this.traceNodeIds[ord] = v;
            }
            break;
          case NodeRole.Detachedness:
            this.detachedness![ord] = v > 255 ? 255 : v;
            break;
        }
        if (++field === nf) {
          field = 0;
          ord++;
        }
        v = 0;
        inNum = false;
      }
      if (WS_COMMA[c]) continue;
      if (c === 0x5d) {
        if (field !== 0 || ord !== n)
          this.fail(
            `"nodes" ended after ${ord} nodes${field ? ` and ${field} fields` : ''}, but snapshot.node_count is ${n}`,
            this.base + i,
          );
        this.nodesDone = true;
        this.state = State.ExpectKey;
        i++;
        break;
      }
      this.fail(`unexpected ${this.describeByte(c)} in "nodes"`, this.base + i);
    }
    this.num = v;
    this.inNum = inNum;
    this.field = field;
    this.ordinal = ord;
    return i;
  }

  private scanEdges(buf: Uint8Array, i: number, end: number): number {
    let v = this.num;
    let inNum = this.inNum;
    let field = this.field;
    let ord = this.ordinal;
    const ef = this.edgeFieldCount;
    const nf = this.nodeFieldCount;
    const roles = this.edgeRoles;
    const m = this.edgeCount;
    const nodeLimit = this.nodeCount * nf;
    const typeCount = this.meta!.edgeTypes.length;
    const types = this.edgeTypes;
    const names = this.edgeNames;
    const to = this.edgeTo;
    for (; i < end; i++) {
      if (field === 0 && !inNum && ord < m) {
        this.ordinal = ord;
        const next = this.fastEdges(buf, i, end);
        if (next !== i) {
          i = next;
          ord = this.ordinal;
          if (i >= end) break;
        }
      }
      const c = buf[i];
      if (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        inNum = true;
        continue;
      }
      if (inNum) {
        if (ord >= m) this.fail(`"edges" holds more than snapshot.edge_count (${m}) edges`, this.base + i);
        switch (roles[field]) {
          case EdgeRole.Type:
            if (v >= typeCount)
              this.fail(`edge ${ord} has type ${v}, but only ${typeCount} edge types exist`, this.base + i);
            types[ord] = v;
            break;
          case EdgeRole.Name:
            names[ord] = v > 0xffffffff ? 0xffffffff : v;
            break;
          case EdgeRole.ToNode: {
            const target = v / nf;
            if (v >= nodeLimit || target !== Math.floor(target))
              this.fail(`edge ${ord} points at node offset ${v}, which is not a node`, this.base + i);
            to[ord] = target;
            break;
          }
        }
        if (++field === ef) {
          if (!this.indexedEdgeTypes[types[ord]] && names[ord] > this.maxEdgeString)
            this.maxEdgeString = names[ord];
          field = 0;
          ord++;
        }
        v = 0;
        inNum = false;
      }
      if (WS_COMMA[c]) continue;
      if (c === 0x5d) {
        if (field !== 0 || ord !== m)
          this.fail(`"edges" ended after ${ord} edges, but snapshot.edge_count is ${m}`, this.base + i);
        this.edgesDone = true;
        this.state = State.ExpectKey;
        i++;
        break;
      }
      this.fail(`unexpected ${this.describeByte(c)} in "edges"`, this.base + i);
    }
    this.num = v;
    this.inNum = inNum;
    this.field = field;
    this.ordinal = ord;
    return i;
  }

  private record = new Float64Array(16);
  /** Per edge type: 1 when the name is an element / hidden index rather than a string index. */
  private indexedEdgeTypes = new Uint8Array(0);
  /**
   * Largest string index named by an edge, tracked while parsing so finish() need not make one
   * more pass over every edge to check them (it does only to name the culprit).
   */
  private maxEdgeString = -1;
  /** The same for node names. */
  private maxNodeName = -1;
  private standardEdges = false;
  private standardNodes = false;
  /** Where trace_node_id and detachedness sit in a standard layout (V8 12 dropped trace_node_id). */
  private standardNodeLayout: NodeLayout | undefined;
  private standardEdgeLayout: EdgeLayout | undefined;

  /**
   * V8's own node layouts, whole records in WebAssembly (recordKernel.ts). Returns the offset
   * after the last whole record (the start offset when none could be read).
   */
  private fastStandardNodes(buf: Uint8Array, i: number, end: number): number {
    const result = this.kernel.scanNodes(
      buf,
      i,
      end,
      {
        types: this.nodeTypes,
        names: this.nodeNames,
        ids: this.nodeIds,
        sizes: this.nodeSelfSizes,
        firstEdge: this.firstEdge,
        detachedness: this.detachedness,
      },
      this.ordinal,
      this.nodeCount - this.ordinal,
      this.standardNodeLayout!,
      this.maxNodeName,
    );
    this.ordinal += result.count;
    this.maxNodeName = result.largestName;
    return result.next;
  }

  private fastNodes(buf: Uint8Array, i: number, end: number): number {
    // Rare cases (huge ids or sizes, allocation traces) take the general path below.
    if (this.standardNodes) {
      const next = this.fastStandardNodes(buf, i, end);
      if (next !== i) return next;
    }
    const nf = this.nodeFieldCount;
    if (nf > 16) return i;
    const rec = this.record;
    const roles = this.nodeRoles;
    const n = this.nodeCount;
    const m = this.edgeCount;
    const typeCount = this.meta!.nodeTypes.length;
    const types = this.nodeTypes;
    const names = this.nodeNames;
    const firstEdge = this.firstEdge;
    let ids = this.nodeIds;
    let sizes = this.nodeSelfSizes;
    const detachedness = this.detachedness;
    let ord = this.ordinal;
    let done = i;
    outer: while (ord < n) {
      let k = done;
      for (let f = 0; f < nf; f++) {
        let c = buf[k];
        while (c === 0x2c || c === 0x0a || c === 0x20 || c === 0x0d) c = buf[++k];
        if (c < 0x30 || c > 0x39) break outer;
        let v = c - 0x30;
        c = buf[++k];
        while (c >= 0x30 && c <= 0x39) {
          v = v * 10 + (c - 0x30);
          c = buf[++k];
        }
        if (k >= end) break outer; // the number may continue in the next chunk
        rec[f] = v;
      }
      for (let f = 0; f < nf; f++) {
        const v = rec[f];
        switch (roles[f]) {
          case NodeRole.Type:
            if (v >= typeCount) break outer;
            types[ord] = v;
            break;
          case NodeRole.Name:
            names[ord] = v;
            if (v > this.maxNodeName) this.maxNodeName = v;
            break;
          case NodeRole.Id:
            if (v > 0xffffffff && ids instanceof Uint32Array) ids = this.nodeIds = Float64Array.from(ids);
            ids[ord] = v;
            break;
          case NodeRole.SelfSize:
            if (v > 0xffffffff && sizes instanceof Uint32Array)
              sizes = this.nodeSelfSizes = Float64Array.from(sizes);
            sizes[ord] = v;
            break;
          case NodeRole.EdgeCount: {
            const next = firstEdge[ord] + v;
            if (next > m) break outer;
            firstEdge[ord + 1] = next;
            break;
          }
          case NodeRole.TraceNodeId:
            if (v !== 0) {
              if (!this.traceNodeIds) this.traceNodeIds = new Uint32Array(n);
              this.hasTraceIds = true;
              this.traceNodeIds[ord] = v;
            }
            break;
          case NodeRole.Detachedness:
            detachedness![ord] = v > 255 ? 255 : v;
            break;
        }
      }
      ord++;
      done = k;
    }
    this.ordinal = ord;
    return done;
  }

  /** V8's own edge layout in WebAssembly: the hottest loop of the parser (edges are ~60% of a file). */
  private fastStandardEdges(buf: Uint8Array, i: number, end: number): number {
    const result = this.kernel.scanEdges(
      buf,
      i,
      end,
      Infinity,
      { types: this.edgeTypes, names: this.edgeNames, to: this.edgeTo },
      this.ordinal,
      this.edgeCount - this.ordinal,
      this.standardEdgeLayout!,
      this.maxEdgeString,
    );
    this.ordinal += result.count;
    this.maxEdgeString = result.largestName;
    return result.next;
  }

  private fastEdges(buf: Uint8Array, i: number, end: number): number {
    const ef = this.edgeFieldCount;
    if (this.standardEdges) return this.fastStandardEdges(buf, i, end);
    if (ef > 16) return i;
    const rec = this.record;
    const roles = this.edgeRoles;
    const m = this.edgeCount;
    const nf = this.nodeFieldCount;
    const nodeLimit = this.nodeCount * nf;
    const typeCount = this.meta!.edgeTypes.length;
    const types = this.edgeTypes;
    const names = this.edgeNames;
    const to = this.edgeTo;
    let ord = this.ordinal;
    let done = i;
    outer: while (ord < m) {
      let k = done;
      for (let f = 0; f < ef; f++) {
        let c = buf[k];
        while (c === 0x2c || c === 0x0a || c === 0x20 || c === 0x0d) c = buf[++k];
        if (c < 0x30 || c > 0x39) break outer;
        let v = c - 0x30;
        c = buf[++k];
        while (c >= 0x30 && c <= 0x39) {
          v = v * 10 + (c - 0x30);
          c = buf[++k];
        }
        if (k >= end) break outer;
        rec[f] = v;
      }
      for (let f = 0; f < ef; f++) {
        const v = rec[f];
        switch (roles[f]) {
          case EdgeRole.Type:
            if (v >= typeCount) break outer;
            types[ord] = v;
            break;
          case EdgeRole.Name:
            names[ord] = v > 0xffffffff ? 0xffffffff : v;
            break;
          case EdgeRole.ToNode: {
            const target = v / nf;
            if (v >= nodeLimit || target !== Math.floor(target)) break outer;
            to[ord] = target;
            break;
          }
        }
      }
      if (!this.indexedEdgeTypes[types[ord]] && names[ord] > this.maxEdgeString)
        this.maxEdgeString = names[ord];
      ord++;
      done = k;
    }
    this.ordinal = ord;
    return done;
  }

  /** Small number sections (locations, traces): whole numbers in a tight loop, pushed inline. */
  private scanNumbers(buf: Uint8Array, i: number, end: number): number {
    let v = this.num;
    let inNum = this.inNum;
    const out = this.numbers!;
    let data = out.data;
    let length = out.length;
    // Whole numbers in WebAssembly while they fit in 32 bits, from wherever a number can start;
    // this loop finishes a number cut by the chunk end (then hands back), widens the array for
    // big values and reads the closing ']'.
    let fast = !inNum;
    while (i < end) {
      if (fast && data instanceof Uint32Array) {
        fast = false;
        let words: Uint32Array = data;
        for (;;) {
          const result = this.kernel.scanNumbers(buf, i, end, words, length);
          length += result.count;
          i = result.next;
          if (result.status !== ScanStatus.Full) break;
          const grown = new Uint32Array(words.length * 2);
          grown.set(words);
          words = grown;
        }
        data = out.data = words;
        if (i >= end) break;
      }
      let c = buf[i];
      if (c >= 0x30 && c <= 0x39) {
        do {
          v = v * 10 + (c - 0x30);
          c = buf[++i];
        } while (i < end && c >= 0x30 && c <= 0x39);
        inNum = true;
        if (i >= end) break; // the number may continue in the next chunk
      }
      if (inNum) {
        if (length === data.length) {
          const grown =
            data instanceof Uint32Array ? new Uint32Array(length * 2) : new Float64Array(length * 2);
          grown.set(data);
          data = out.data = grown;
        }
        if (v > 0xffffffff && data instanceof Uint32Array) data = out.data = Float64Array.from(data);
        data[length++] = v;
        v = 0;
        inNum = false;
        fast = true;
      }
      if (WS_COMMA[c]) {
        i++;
        continue;
      }
      out.length = length;
      if (c === 0x5d) {
        this.finishNumbers(this.base + i);
        i++;
        break;
      }
      this.fail(`unexpected ${this.describeByte(c)} in "${this.numberTarget}"`, this.base + i);
    }
    out.length = length;
    this.num = v;
    this.inNum = inNum;
    return i;
  }

  private finishNumbers(offset: number): void {
    const values = this.numbers!.values();
    this.numbers = undefined;
    this.state = State.ExpectKey;
    if (this.numberTarget === 'locations') {
      const fields = this.meta!.locationFields;
      if (fields.length === 0) return;
      if (values.length % fields.length !== 0)
        this.fail('"locations" length is not a multiple of location_fields', offset);
      this.locations = values;
    } else if (this.numberTarget === 'trace_function_infos')
      this.traceFunctionInfos = Float64Array.from(values);
  }

  /**
   * The whole "strings" array in one loop: raw bytes (escapes intact) are copied byte by byte into
   * the string table's buffer while looking for the closing quote. A slice and a method call per
   * string cost more than the copy: V8 snapshots hold millions of short strings.
   */
  private scanStrings(buf: Uint8Array, i: number, end: number): number {
    const table = this.strings;
    let out = table.reserve(end - i);
    let w = table.rawByteLength;
    let inString = this.state === State.StringsIn;
    let escape = this.stringEscape;
    while (i < end) {
      if (!inString) {
        // Whole strings in WebAssembly; this loop reads a string cut by the chunk end, the
        // closing ']', and anything wrong (to name it).
        const fast = this.kernel.scanStrings(buf, i, end, this.appendStrings);
        if (fast.count > 0) {
          i = fast.next;
          out = table.reserve(end - i);
          w = table.rawByteLength;
          if (i >= end) break;
        }
        const c = buf[i];
        if (WS_COMMA[c]) {
          i++;
          continue;
        }
        if (c === 0x5d) {
          this.stringsDone = true;
          this.state = State.ExpectKey;
          table.setByteLength(w);
          this.stringEscape = false;
          return i + 1;
        }
        if (c !== 0x22)
          this.fail(`expected a string in "strings", found ${this.describeByte(c)}`, this.base + i);
        inString = true;
        i++;
        continue;
      }
      for (; i < end; i++) {
        const c = buf[i];
        if (escape) escape = false;
        else if (c === 0x5c) escape = true;
        else if (c === 0x22) break;
        out[w++] = c;
      }
      if (i < end) {
        table.endString(w);
        inString = false;
        i++;
      }
    }
    table.setByteLength(w);
    this.stringEscape = escape;
    this.state = inString ? State.StringsIn : State.StringsExpect;
    return i;
  }

  private readonly appendStrings = (raw: Uint8Array, ends: Uint32Array): void =>
    this.strings.appendStrings(raw, ends);

  /** Call at end of input: checks completeness and returns the snapshot. */
  finish(): ParsedSnapshot {
    const offset = this.base;
    if (this.state !== State.End) {
      const where =
        this.state === State.Nodes
          ? `inside "nodes" (node ${this.ordinal} of ${this.nodeCount})`
          : this.state === State.Edges
            ? `inside "edges" (edge ${this.ordinal} of ${this.edgeCount})`
            : this.state === State.StringsIn || this.state === State.StringsExpect
              ? `inside "strings" (string ${this.strings.count})`
              : this.state === State.BeforeRoot
                ? 'before any content'
                : `inside "${this.key}"`;
      throw new HeapscopeError(
        offset === 0 ? 'snapshot-malformed' : 'snapshot-truncated',
        offset === 0
          ? 'Not a valid heap snapshot: the file is empty (at byte 0).'
          : `Heap snapshot is truncated: the file ends ${where} at byte ${offset}. Was it copied or written completely?`,
      );
    }
    if (!this.meta) this.fail('no "snapshot" meta section', offset);
    if (!this.nodesDone) this.fail('no "nodes" section', offset);
    if (!this.edgesDone) this.fail('no "edges" section', offset);
    if (!this.stringsDone) this.fail('no "strings" section', offset);
    const n = this.nodeCount;
    if (this.firstEdge[n] !== this.edgeCount)
      this.fail(
        `node edge counts add up to ${this.firstEdge[n]}, but snapshot.edge_count is ${this.edgeCount}`,
        offset,
      );
    const stringCount = this.strings.count;
    // The largest name was tracked while parsing: scan the nodes only to name a culprit.
    if (this.maxNodeName >= stringCount) {
      const names = this.nodeNames;
      for (let i = 0; i < n; i++)
        if (names[i] >= stringCount)
          this.fail(`node ${i} names string ${names[i]}, but only ${stringCount} strings exist`, offset);
    }
    // Element and hidden edges carry an index, every other edge type a string index.
    // The largest one was tracked while parsing: scan the edges only to name a culprit.
    if (this.maxEdgeString >= stringCount) {
      const indexed = this.indexedEdgeTypes;
      const et = this.edgeTypes;
      const en = this.edgeNames;
      for (let e = 0; e < this.edgeCount; e++)
        if (!indexed[et[e]] && en[e] >= stringCount)
          this.fail(`edge ${e} names string ${en[e]}, but only ${stringCount} strings exist`, offset);
    }
    this.strings.trim();
    return {
      meta: this.meta,
      nodeCount: n,
      edgeCount: this.edgeCount,
      nodeTypes: this.nodeTypes,
      nodeNames: this.nodeNames,
      nodeIds: this.nodeIds,
      nodeSelfSizes: this.nodeSelfSizes,
      firstEdge: this.firstEdge,
      detachedness: this.detachedness,
      traceNodeIds: this.hasTraceIds ? this.traceNodeIds : undefined,
      edgeTypes: this.edgeTypes,
      edgeNames: this.edgeNames,
      edgeTo: this.edgeTo,
      locations: this.normalizeLocations(),
      strings: this.strings,
      traceFunctionCount: this.traceFunctionCount,
      traceFunctionInfos: this.traceFunctionInfos,
      traceTreeJson: this.traceTreeJson,
      fileBytes: this.fileBytes,
    };
  }

  private normalizeLocations(): Uint32Array {
    const raw = this.locations;
    this.locations = undefined;
    const fields = this.meta!.locationFields;
    if (!raw || fields.length === 0) return new Uint32Array(0);
    const fc = fields.length;
    const objectAt = fields.indexOf('object_index');
    const scriptAt = fields.indexOf('script_id');
    const lineAt = fields.indexOf('line');
    const columnAt = fields.indexOf('column');
    const count = raw.length / fc;
    // V8's four fields are rewritten in place (each record is read before it is overwritten).
    const out = fc === 4 && raw instanceof Uint32Array ? raw : new Uint32Array(count * 4);
    let k = 0;
    for (let i = 0; i < raw.length; i += fc) {
      const ordinal = raw[i + objectAt] / this.nodeFieldCount;
      if (!Number.isInteger(ordinal) || ordinal >= this.nodeCount) continue;
      const script = scriptAt >= 0 ? raw[i + scriptAt] : 0;
      const line = lineAt >= 0 ? raw[i + lineAt] : 0;
      const column = columnAt >= 0 ? raw[i + columnAt] : 0;
      out[k++] = ordinal;
      out[k++] = script;
      out[k++] = line;
      out[k++] = column;
    }
    return out.subarray(0, k);
  }
}

/** Parses a .heapsnapshot file from disk in chunks. */
export async function parseSnapshotFile(file: string, options: ParseOptions = {}): Promise<ParsedSnapshot> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new HeapscopeError('usage', `Cannot open heap snapshot ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const { size } = await handle.stat();
    const parallel =
      options.parallel === true ||
      ((options.parallel ?? 'auto') === 'auto' && size >= 64 << 20 && availableParallelism() >= 2);
    if (parallel) {
      const result = await parseWithEdgeHelper(handle, file, size, options);
      if (result) return result;
    }
    return await parseSequential(handle, size, options);
  } finally {
    await handle.close();
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>;

async function parseSequential(
  handle: FileHandle,
  size: number,
  options: ParseOptions,
): Promise<ParsedSnapshot> {
  const kernel = readKernel(options);
  const tokenizer = new SnapshotTokenizer(size, false, kernel);
  await feed(handle, tokenizer, 0, size, size, options, kernel.input);
  return tokenizer.finish();
}

/** Feeds bytes [from, to) of the file to the tokenizer. */
async function feed(
  handle: FileHandle,
  tokenizer: SnapshotTokenizer,
  from: number,
  to: number,
  size: number,
  options: ParseOptions,
  chunk: Buffer,
  stopWhen?: () => boolean,
): Promise<number> {
  const chunkBytes = Math.min(options.chunkBytes ?? 8 << 20, chunk.length - 1);
  let read = from;
  let lastReport = from;
  while (read < to) {
    if (options.signal?.aborted)
      throw new HeapscopeError('cancelled', 'Heap snapshot parsing was cancelled.');
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunkBytes, to - read), read);
    if (bytesRead === 0) break;
    chunk[bytesRead] = 0;
    tokenizer.push(chunk, bytesRead);
    read += bytesRead;
    if (options.onProgress && (read - lastReport >= 64 << 20 || read === size)) {
      lastReport = read;
      options.onProgress(read, size);
    }
    if (stopWhen?.()) break;
  }
  return read;
}

/**
 * One read buffer per parse (several would be garbage the size of a chunk each), inside the
 * record kernel's memory so the WebAssembly loops read the chunks where they land. Its last byte
 * is room for the sentinel (see SnapshotTokenizer.push). At least 64 kB: the section searches
 * read through it too.
 */
function readKernel(options: ParseOptions): RecordKernel {
  return createRecordKernel(Math.max(options.chunkBytes ?? 8 << 20, 64 << 10));
}

/** Offset of the first occurrence of `needle` at or after `from`, or -1. */
async function findInFile(
  handle: FileHandle,
  needle: Buffer,
  from: number,
  limit: number,
  chunk: Buffer,
): Promise<number> {
  for (let at = from; at < limit;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
    if (bytesRead === 0) return -1;
    const hit = chunk.subarray(0, bytesRead).indexOf(needle);
    if (hit >= 0) return at + hit;
    if (bytesRead < needle.length) return -1;
    at += bytesRead - needle.length + 1;
  }
  return -1;
}

/** Bytes read per probe of the binary searches below. */
const PROBE_BYTES = 64 << 10;

/**
 * The first whole line of a probe window: its comma count, or -1 when it holds a byte other than
 * digits and commas (a line of another section), or undefined when the window holds no whole line.
 */
function firstLineCommas(window: Uint8Array): number | undefined {
  const start = window.indexOf(0x0a) + 1;
  if (start === 0) return undefined;
  const end = window.indexOf(0x0a, start);
  if (end < 0) return undefined;
  let commas = 0;
  for (let i = start; i < end; i++) {
    const c = window[i];
    if (c === 0x2c) commas++;
    else if (c < 0x30 || c > 0x39) return -1;
  }
  return commas;
}

/**
 * Binary search over [lo, hi) for the place where one kind of line ends, reading one small window
 * per probe: `side` says whether a window's first whole line comes before that place (< 0), after
 * it (> 0), or cannot tell (0: gives up, undefined). Returns a range of at most two probes that
 * holds the place, or the offset of `marker` when a window happens to contain it.
 */
async function bisectLines(
  handle: FileHandle,
  lo: number,
  hi: number,
  chunk: Buffer,
  side: (commas: number | undefined) => number,
  marker?: Buffer,
): Promise<{ lo: number; hi: number } | { at: number } | undefined> {
  const probe = Math.min(PROBE_BYTES, chunk.length);
  while (hi - lo > probe) {
    const at = lo + Math.floor((hi - lo) / 2);
    const { bytesRead } = await handle.read(chunk, 0, probe, at);
    const window = chunk.subarray(0, bytesRead);
    if (marker) {
      const hit = window.indexOf(marker);
      if (hit >= 0) return { at: at + hit };
    }
    const where = side(firstLineCommas(window));
    if (where === 0) return undefined;
    if (where < 0) lo = at;
    else hi = at;
  }
  return { lo, hi };
}

/** Offset of the first `needle` in [lo, hi + needle.length), read in one small read. */
function findNear(
  handle: FileHandle,
  needle: Buffer,
  lo: number,
  hi: number,
  chunk: Buffer,
): Promise<number> {
  const room = chunk.subarray(0, Math.min(chunk.length, hi - lo + needle.length + PROBE_BYTES));
  return findInFile(handle, needle, lo, hi + needle.length, room);
}

/**
 * Offset of the edges marker (`\n"edges":[`), found without reading the nodes section (a third
 * of the file) an extra time: a binary search looks at one line per probe. A node record line
 * (`,t,n,id,size,edges,trace[,detached]`) has one comma per node field, an edge record line three
 * (the caller checked the edge layout), and any later section has bytes that are neither digits
 * nor commas. Anything that does not fit (a layout where both look alike, a line longer than a
 * probe) ends in the plain forward search.
 */
export async function findEdgesSection(
  handle: FileHandle,
  marker: Buffer,
  from: number,
  size: number,
  nodeFieldCount: number,
  chunk: Buffer,
): Promise<number> {
  const found =
    nodeFieldCount === 3
      ? undefined
      : await bisectLines(
          handle,
          from,
          size,
          chunk,
          (commas) => (commas === nodeFieldCount ? -1 : commas === 3 || commas === -1 ? 1 : 0),
          marker,
        );
  if (found && 'at' in found) return found.at;
  const hit = found ? await findNear(handle, marker, found.lo, found.hi, chunk) : -1;
  return hit >= 0 ? hit : findInFile(handle, marker, from, size, chunk);
}

/**
 * Offset of the newline that starts the first section after the edges (-1 if none), without
 * reading through the edges (two thirds of the file): a binary search from the start of the
 * edges, where every line is an edge record (digits and exactly three commas) up to the first
 * line that is not; the first `\n"` after the last edge line starts the next section's key. A
 * wrong answer is caught (the helper's end of edges must sit just before it) and costs only the
 * fallback.
 */
export async function sectionAfterEdges(
  handle: FileHandle,
  from: number,
  size: number,
  chunk: Buffer,
): Promise<number> {
  const keyStart = Buffer.from('\n"');
  const found = await bisectLines(handle, from, size, chunk, (commas) =>
    commas === undefined ? 0 : commas === 3 ? -1 : 1,
  );
  if (!found || 'at' in found) return findInFile(handle, keyStart, from, size, chunk);
  const hit = await findNear(handle, keyStart, found.lo, found.hi, chunk);
  return hit >= 0 ? hit : findInFile(handle, keyStart, from, size, chunk);
}

/**
 * Of the edges the helper has not reserved when the main thread is done with everything else,
 * the part the main thread takes: the helper has a read in flight, and the main thread then
 * copies its part into place.
 */
const TAIL_SHARE = 0.45;

/**
 * Two threads: a helper parses the edges section (about two thirds of a V8 snapshot) into shared
 * arrays while this thread parses the nodes, then this thread reads the rest. V8 writes each
 * section on a new line, and the number sections hold only digits, commas and newlines, so
 * `\n"edges":[` cannot occur before the real edges section. Returns undefined to fall back.
 */
async function parseWithEdgeHelper(
  handle: FileHandle,
  file: string,
  size: number,
  options: ParseOptions,
): Promise<ParsedSnapshot | undefined> {
  const marker = Buffer.from('\n"edges":[');
  const kernel = readKernel(options);
  const tokenizer = new SnapshotTokenizer(size, true, kernel);
  const chunk = kernel.input;
  // The meta comes first; read until it is known.
  const head = await feed(
    handle,
    tokenizer,
    0,
    Math.min(size, 1 << 20),
    size,
    // Small reads: the meta is a few kB and the edges must not have been fed yet.
    { ...options, onProgress: undefined, chunkBytes: 16 << 10 },
    chunk,
    () => tokenizer.metaReady,
  );
  const job = tokenizer.edgeJob();
  if (!job) return undefined;
  const edgesAt = await findEdgesSection(handle, marker, head, size, job.nodeFieldCount, chunk);
  if (edgesAt < 0) return undefined;
  const edgesStart = edgesAt + marker.length;
  const control = createControl(edgesStart);
  let kept: PageSearchHelper | undefined;
  const {
    result: helper,
    stop,
    keep,
  } = runEdgeHelper(file, edgesStart, job, control, Math.max(options.chunkBytes ?? 8 << 20, 64 << 10));
  try {
    // Everything up to the newline before "edges" (the nodes section ends with "],").
    await feed(handle, tokenizer, head, edgesAt, size, options, chunk);
    // While the helper is still busy, read the sections after the edges (locations, strings):
    // sectionAfterEdges finds where they start without reading through the edges.
    const nextAt = await sectionAfterEdges(handle, edgesStart, size, chunk);
    let tail: EdgeTail | undefined;
    let tailStart = -1;
    if (nextAt >= 0) {
      if (!tokenizer.acceptEdgesFromHelper(nextAt)) return undefined;
      await feed(handle, tokenizer, nextAt, size, size, options, chunk);
      // Then, rather than wait for the helper, parse the last part of the edges here. V8 ends
      // the edges with "],\n": the ']' sits two bytes before the next section.
      tailStart = await claimEdgeTail(handle, control, nextAt - 2, TAIL_SHARE, chunk);
      if (tailStart >= 0) {
        tail = await parseEdgeTail(handle, tailStart, nextAt - 2, job, kernel, options.signal);
        if (!tail) return undefined;
        // The tail's edges are the last ones: copied into place while the helper may still be
        // busy (its count is checked below; on a mismatch the whole parse starts over anyway).
        const at = job.edgeCount - tail.count;
        if (at < 0) return undefined;
        new Uint8Array(job.types).set(tail.types.subarray(0, tail.count), at);
        new Uint32Array(job.names).set(tail.names.subarray(0, tail.count), at);
        new Uint32Array(job.to).set(tail.to.subarray(0, tail.count), at);
      }
    }
    const result = await helper;
    if (!result.ok) return undefined;
    let maxString = result.maxString ?? Infinity;
    if (tail) {
      // The helper must have stopped exactly where the tail starts, and the counts must add up.
      if (result.stoppedAt !== tailStart || (result.count ?? -1) + tail.count !== job.edgeCount)
        return undefined;
      maxString = Math.max(maxString, tail.maxString);
    } else if (nextAt >= 0) {
      if (result.end + 2 !== nextAt) return undefined;
    } else {
      if (!tokenizer.acceptEdgesFromHelper(result.end + 1)) return undefined;
      await feed(handle, tokenizer, result.end + 1, size, size, options, chunk);
    }
    tokenizer.helperEdgeStrings(maxString);
    const parsed = tokenizer.finish();
    // Asked to (an analysis follows): the helper thread stays on for it (see markEdges.ts).
    kept = options.keepHelper ? keep() : undefined;
    if (kept) keepHelperFor(parsed, kept);
    return parsed;
  } catch (error) {
    if (error instanceof HeapscopeError && error.code === 'cancelled') throw error;
    return undefined; // the single pass will report the error precisely
  } finally {
    // Given up (or cancelled): the helper goes, now.
    if (!kept) stop();
    await helper.catch(() => undefined);
  }
}

// The helper's code: self-contained, run with `eval` so it needs no file of its own (the same
// parser works from the bundles, tsx and tests). It accepts only V8's usual edge layout and gives
// up on anything unusual; the caller then falls back to the single pass.
const EDGE_HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const __name = (f) => f; // tsx names inner functions with this helper
// The parse in a block of its own: once done, its kernel (its WebAssembly memory holds a read's
// bytes) and buffers are garbage while this thread stays on for the analysis.
{
const instantiateRecordKernel = (${instantiateRecordKernel.toString()});
const { file, start, edgeCount: m, nodeFieldCount, nodeCount, typeCount, indexedTypes, types, names, to, control: cb, readBytes, module } = workerData;
// Shared with the main thread (see edgeTail.ts): >= 0, how far this thread has reserved record
// starts; < 0, minus the first record the main thread took. Reserved one read at a time.
const control = new BigInt64Array(cb);
const reserve = (upTo) => {
  for (;;) {
    const cur = Atomics.load(control, 0);
    if (cur < 0n) return Number(-cur);
    if (Atomics.compareExchange(control, 0, cur, BigInt(upTo)) === cur) return Infinity;
  }
};
const kernel = instantiateRecordKernel(module, readBytes);
const buf = kernel.input;
const size = readBytes;
const columns = { types: new Uint8Array(types), names: new Uint32Array(names), to: new Uint32Array(to) };
const layout = { nodeFieldCount, nodeCount, typeCount, indexedTypes };
const separator = (c) => c === 44 || c === 10 || c === 13 || c === 32;
const fd = fs.openSync(file, 'r');
let lim = Infinity;
let maxString = -1;
// Records never span reads: each read starts at the first byte after the last whole record.
let pos = start, ord = 0;
let result = { ok: false, end: -1 };
try {
  for (;;) {
    if (lim === Infinity) lim = reserve(pos + size);
    const n = fs.readSync(fd, buf, 0, size, pos);
    if (n === 0) break;
    const r = kernel.scanEdges(buf, 0, n, lim - pos, columns, ord, m - ord, layout, maxString);
    ord += r.count;
    maxString = r.largestName;
    let k = r.next;
    if (r.status === ${ScanStatus.Limit}) {
      // The main thread took the rest from the next record on.
      while (k < n && separator(buf[k])) k++;
      result = { ok: true, end: -1, count: ord, stoppedAt: pos + k, maxString };
      break;
    }
    if (ord === m) {
      while (k < n && separator(buf[k])) k++;
      if (k < n && buf[k] === 93) result = { ok: true, end: pos + k, maxString };
      if (k < n || n < size) break;
      pos += k;
      continue;
    }
    if (r.status !== ${ScanStatus.More} || k === 0) break;
    pos += k;
  }
} finally { fs.closeSync(fd); }
parentPort.postMessage(result);
}
// Then this thread stays on as the analysis's helper when kept (it ends itself if not given work
// soon; the calling thread ends it when not kept).
const analysisControl = workerData.analysisControl;
${PAGE_SEARCH_HELPER_CODE}
`;

interface HelperResult {
  ok: boolean;
  /** File offset of the edges' closing ']'. */
  end: number;
  /** Largest string index named by an edge (when ok). */
  maxString?: number;
  /** When the main thread took the last edges: how many the helper parsed, and where it stopped. */
  count?: number;
  stoppedAt?: number;
}

function runEdgeHelper(
  file: string,
  start: number,
  job: EdgeJob,
  control: BigInt64Array,
  readBytes: number,
): { result: Promise<HelperResult>; stop(): void; keep(): PageSearchHelper | undefined } {
  let worker: Worker | undefined;
  const analysisControl = helperControl();
  const result = new Promise<HelperResult>((resolve) => {
    try {
      worker = new Worker(EDGE_HELPER_SOURCE, {
        eval: true,
        workerData: {
          file,
          start,
          ...job,
          control: control.buffer,
          readBytes,
          module: recordsModule(),
          analysisControl,
        },
      });
    } catch {
      resolve({ ok: false, end: -1 });
      return;
    }
    worker.once('message', (message: HelperResult) => resolve(message));
    worker.once('error', () => resolve({ ok: false, end: -1 }));
    worker.once('exit', () => resolve({ ok: false, end: -1 }));
  });
  return {
    result,
    stop: () => void worker?.terminate(),
    keep: () => (worker ? adoptPageSearchHelper(worker, analysisControl) : undefined),
  };
}

/** Parses a snapshot held in memory (tests, small captures). */
export function parseSnapshotBuffer(bytes: Uint8Array): ParsedSnapshot {
  const tokenizer = new SnapshotTokenizer(bytes.length);
  tokenizer.push(bytes);
  return tokenizer.finish();
}
