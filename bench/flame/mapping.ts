// Benchmark (not a test) of what source mapping adds to opening a flame graph: the flame editor's
// host-side work (src/core/heapprofile/flameModel.ts) on a large profile of a bundled TypeScript
// app, without maps (the layout alone), mapped from disk with a fresh resolver (a `.heapprofile`
// opened: every script's map read and parsed) and mapped again with the same resolver (a live
// session's refresh: maps already loaded).
// Usage: npx tsx bench/flame/mapping.ts [--functions 3000] [--nodes 40000]
// Writes bench/results/flame-mapping.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { flameModel } from '../../src/core/heapprofile/flameModel';
import { parseHeapProfile } from '../../src/core/heapprofile/flameGraph';
import {
  diskFrameResolver,
  sourceMapProfile,
  type FrameResolver,
} from '../../src/core/heapprofile/sourceMapped';
import type { SamplingHeapProfileNode } from '../../src/core/sampling/profile';
import type { RawFrame } from '../../src/core/types';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const FUNCTIONS = option('functions', 3000);
const NODES = option('nodes', 40_000);
const RUNS = 5;

/** A bundle of FUNCTIONS functions over 30 modules, minified, with an external map. */
function buildApp(dir: string): { bundle: string; frames: Array<Omit<RawFrame, 'scriptId' | 'url'>> } {
  const modules = 30;
  const perModule = Math.ceil(FUNCTIONS / modules);
  const imports: string[] = [];
  for (let m = 0; m < modules; m++) {
    const body: string[] = ['interface Row { id: number; tags: string[] }', 'export const kept: Row[] = [];'];
    for (let f = 0; f < perModule; f++)
      body.push(
        `export function handler${m}_${f}(id: number): Row {`,
        `  const row: Row = { id, tags: [String(id), '${m}-${f}'] };`,
        '  kept.push(row);',
        '  return row;',
        '}',
      );
    writeFileSync(path.join(dir, `module${m}.ts`), body.join('\n'));
    imports.push(`export * as m${m} from './module${m}';`);
  }
  writeFileSync(path.join(dir, 'main.ts'), imports.join('\n'));
  const bundle = path.join(dir, 'dist', 'main.js');
  buildSync({
    entryPoints: [path.join(dir, 'main.ts')],
    outfile: bundle,
    bundle: true,
    minify: true,
    platform: 'node',
    sourcemap: true,
    logLevel: 'silent',
  });
  const text = readFileSync(bundle, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const frames = [...text.matchAll(/function (\w+)\(/g)].map((m) => {
    const at = m.index + m[0].length - 1;
    let line = lineStarts.length - 1;
    while (lineStarts[line] > at) line--;
    return { functionName: m[1], lineNumber: line, columnNumber: at - lineStarts[line] };
  });
  return { bundle, frames };
}

/** A call tree of NODES nodes, stacks 4–24 deep through the bundle's functions and Node's. */
function buildProfile(bundle: string, frames: Array<Omit<RawFrame, 'scriptId' | 'url'>>): string {
  let seed = 42;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  const internal: RawFrame[] = ['emit', 'processTicksAndRejections', 'listOnTimeout'].map((name, i) => ({
    functionName: name,
    scriptId: String(100 + i),
    url: `node:internal/${name}`,
    lineNumber: 10 * i,
    columnNumber: 4,
  }));
  let id = 1;
  const head: SamplingHeapProfileNode = {
    id: id++,
    selfSize: 0,
    children: [],
    callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
  };
  while (id <= NODES) {
    let parent = head;
    const depth = 4 + random(20);
    for (let d = 0; d < depth && id <= NODES; d++) {
      const frame =
        random(5) === 0
          ? internal[random(internal.length)]
          : { ...frames[random(frames.length)], scriptId: '12', url: bundle };
      const existing = parent.children.find(
        (c) => c.callFrame.lineNumber === frame.lineNumber && c.callFrame.columnNumber === frame.columnNumber,
      );
      if (existing) {
        parent = existing;
        continue;
      }
      const child: SamplingHeapProfileNode = { id: id++, selfSize: 0, children: [], callFrame: frame };
      parent.children.push(child);
      parent = child;
    }
    parent.selfSize += 1024 * (1 + random(64));
  }
  return JSON.stringify({ head, samples: [] });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median of RUNS: the whole model (what the editor runs), and the mapping step alone. */
async function time(
  resolve: () => FrameResolver,
  text: string,
): Promise<{ ms: number; mapMs: number; frames: number }> {
  const times: number[] = [];
  const mapTimes: number[] = [];
  let frames = 0;
  for (let run = 0; run < RUNS; run++) {
    let started = performance.now();
    const model = await flameModel(text, 'bench.heapprofile', resolve());
    times.push(performance.now() - started);
    frames = model.graph.frames.length;
    const profile = parseHeapProfile(text, 'bench.heapprofile');
    const resolver = resolve();
    started = performance.now();
    await sourceMapProfile(profile, resolver);
    mapTimes.push(performance.now() - started);
  }
  const rounded = (values: number[]): number => Number(median(values).toFixed(1));
  return { ms: rounded(times), mapMs: rounded(mapTimes), frames };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-flame-bench-'));
  try {
    const { bundle, frames } = buildApp(dir);
    const text = buildProfile(bundle, frames);
    const unmapped: FrameResolver = (frame) =>
      Promise.resolve({
        functionName: frame.functionName,
        url: frame.url,
        line: frame.lineNumber + 1,
        column: frame.columnNumber + 1,
      });
    const plain = await time(() => unmapped, text);
    const cold = await time(() => diskFrameResolver(), text);
    const shared = diskFrameResolver();
    await flameModel(text, 'bench.heapprofile', shared);
    const warm = await time(() => shared, text);
    const mapBytes = statSync(`${bundle}.map`).size;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
      functions: frames.length,
      profileNodes: NODES,
      profileBytes: text.length,
      mapBytes,
      frames: cold.frames,
      layoutOnlyMs: plain.ms,
      mappedFromDiskMs: cold.ms,
      mappedWarmMs: warm.ms,
      mapStepFromDiskMs: cold.mapMs,
      mapStepWarmMs: warm.mapMs,
      runs: RUNS,
    };
    console.log(
      `flame mapping: ${result.frames} frames (${NODES} profile nodes, ${frames.length} distinct functions in a ` +
        `${(mapBytes / 1e6).toFixed(1)} MB map); median of ${RUNS}: layout alone ${plain.ms} ms, ` +
        `mapped from disk ${cold.ms} ms, mapped with loaded maps ${warm.ms} ms; the mapping step alone ` +
        `${cold.mapMs} ms from disk, ${warm.mapMs} ms with loaded maps`,
    );
    const out = path.resolve(__dirname, '..', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'flame-mapping.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
