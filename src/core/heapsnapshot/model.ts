// The parsed snapshot: one typed array per field, sized from the snapshot's own meta counts.
// Edges point at node ordinals (not the file's node-array offsets) so lookups need no division.
import type { StringTable } from './strings';

export interface SnapshotMeta {
  nodeFields: string[];
  nodeTypes: string[];
  edgeFields: string[];
  edgeTypes: string[];
  locationFields: string[];
  traceFunctionInfoFields: string[];
  traceNodeFields: string[];
  sampleFields: string[];
}

export interface ParsedSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  /** Index into meta.nodeTypes. */
  nodeTypes: Uint8Array;
  /** String index of the node's name. */
  nodeNames: Uint32Array;
  nodeIds: Uint32Array | Float64Array;
  nodeSelfSizes: Uint32Array | Float64Array;
  /** Edges of node i are firstEdge[i] .. firstEdge[i+1]-1 (CSR). Length nodeCount + 1. */
  firstEdge: Uint32Array;
  /** Present when the snapshot has a detachedness field (0 unknown, 1 attached, 2 detached). */
  detachedness?: Uint8Array;
  /** Present when the snapshot has allocation traces (trace_node_id non-zero somewhere). */
  traceNodeIds?: Uint32Array;
  /** Index into meta.edgeTypes. */
  edgeTypes: Uint8Array;
  /** String index for named edges, the element / hidden index otherwise. */
  edgeNames: Uint32Array;
  /** Target node ordinal. */
  edgeTo: Uint32Array;
  /** Flat [nodeOrdinal, scriptId, line, column] quadruples (0-based line and column). */
  locations: Uint32Array;
  strings: StringTable;
  traceFunctionCount: number;
  /** Raw trace_function_infos numbers when allocation tracking was on. */
  traceFunctionInfos?: Float64Array;
  /** Raw trace_tree JSON text when present and small enough to keep. */
  traceTreeJson?: string;
  fileBytes: number;
}

/** Resolves a type name to its index in the snapshot's type list (-1 when absent). */
export function typeIndex(list: readonly string[], name: string): number {
  return list.indexOf(name);
}
