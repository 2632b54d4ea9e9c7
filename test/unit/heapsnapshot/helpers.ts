// Shared by the heap snapshot tests: real snapshots from real child processes, in temp folders.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LEAKER = path.resolve(__dirname, '../../fixtures/heapsnapshot/leaker.js');

export function tempDir(prefix = 'heapscope-snap-'): { dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the leaker fixture (with these Node flags): writes a/b/c.heapsnapshot into dir. */
export function runLeaker(
  dir: string,
  kind: string,
  countAB: number,
  countBC: number,
  nodeFlags: string[] = [],
): string[] {
  execFileSync(process.execPath, [...nodeFlags, LEAKER, dir, kind, String(countAB), String(countBC)], {
    stdio: 'pipe',
    timeout: 60_000,
  });
  return ['a', 'b', 'c'].map((n) => path.join(dir, `${n}.heapsnapshot`));
}

/** 1-based line of the first line of the fixture containing `text`. */
export function fixtureLine(text: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const source = (require('node:fs') as typeof import('node:fs')).readFileSync(LEAKER, 'utf8');
  return source.split('\n').findIndex((line) => line.includes(text)) + 1;
}

/** The `snapshot.meta` of a V8 heap snapshot (Node 20), for hand-built snapshots. */
export const SNAPSHOT_META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [
    ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'],
    'string',
    'number',
    'number',
    'number',
    'number',
    'number',
  ],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [
    ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'],
    'string_or_number',
    'node',
  ],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};

/**
 * The text of a hand-built snapshot (SNAPSHOT_META layout) with these nodes, edges and strings,
 * and allocation traces when given (trace_function_infos as V8 writes them: function_id, name,
 * script_name, script_id, line, column; trace_tree: id, function_info_index, count, size, children).
 */
export function snapshotText(
  nodes: number[],
  edges: number[],
  strings: string[],
  traces?: { functionInfos: number[]; tree: unknown[] },
): string {
  return JSON.stringify({
    snapshot: {
      meta: {
        ...SNAPSHOT_META,
        trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
        trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
      },
      node_count: nodes.length / SNAPSHOT_META.node_fields.length,
      edge_count: edges.length / 3,
      trace_function_count: traces ? traces.functionInfos.length / 6 : 0,
    },
    nodes,
    edges,
    trace_function_infos: traces?.functionInfos ?? [],
    trace_tree: traces?.tree ?? [],
    samples: [],
    locations: [],
    strings,
  });
}
