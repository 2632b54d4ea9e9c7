// Mapping a sampling heap profile's frames to the user's code: each distinct position resolved once,
// unmappable frames kept, and a real minified esbuild bundle with an inline map read from the disk
// (a file:// URL, as ESM frames are named) back to the .ts lines and the original function names.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { flameGraph } from '../../../src/core/heapprofile/flameGraph';
import {
  diskFrameResolver,
  diskSourceMaps,
  embeddedSource,
  sourceMapProfile,
} from '../../../src/core/heapprofile/sourceMapped';
import type { SamplingHeapProfile, SamplingHeapProfileNode } from '../../../src/core/sampling/profile';
import type { RawFrame, SourceFrame } from '../../../src/core/types';
import { tempDir } from '../heapsnapshot/helpers';

let nextId = 0;
function node(frame: Partial<RawFrame>, selfSize: number, children: SamplingHeapProfileNode[] = []) {
  return {
    id: nextId++,
    selfSize,
    children,
    callFrame: { functionName: '', scriptId: '7', url: '', lineNumber: -1, columnNumber: -1, ...frame },
  };
}

describe('source-mapped heap profile', () => {
  it('resolves each distinct position once and keeps the tree', async () => {
    const hot = { functionName: 'E', url: '/app/dist/main.js', lineNumber: 0, columnNumber: 120 };
    const caller = { functionName: 'b', url: '/app/dist/main.js', lineNumber: 0, columnNumber: 40 };
    const children: SamplingHeapProfileNode[] = [];
    // 2,000 stacks through the same two functions: a deep, wide tree with two positions in it.
    for (let i = 0; i < 1000; i++) children.push(node(caller, 1, [node(hot, 10)]));
    const profile: SamplingHeapProfile = { head: node({ functionName: '(root)' }, 0, children) };
    const asked: RawFrame[] = [];
    await sourceMapProfile(profile, async (frame): Promise<SourceFrame> => {
      asked.push(frame);
      if (!frame.url) return { functionName: frame.functionName, url: '', line: 0, column: 0 };
      return {
        functionName: frame.functionName === 'E' ? 'rememberVisit' : 'handle',
        url: '/app/src/main.ts',
        line: frame.columnNumber === 120 ? 21 : 9,
        column: 3,
      };
    });
    assert.equal(asked.length, 3, 'the root and two functions');
    const graph = flameGraph(profile);
    assert.equal(graph.totalBytes, 11_000);
    assert.deepEqual(
      graph.frames.slice(0, 3).map((f) => [f.functionName, f.url, f.line, f.column, f.totalBytes]),
      [
        ['(root)', '', 0, 0, 11_000],
        ['handle', '/app/src/main.ts', 9, 3, 11],
        ['rememberVisit', '/app/src/main.ts', 21, 3, 10],
      ],
    );
    assert.equal(profile.head.children[999].children[0].callFrame.functionName, 'rememberVisit');
  });

  it('keeps a frame where V8 put it when its map cannot be read, and drops malformed children', async () => {
    const frame = { functionName: 'work', url: '/app/dist/a.js', lineNumber: 4, columnNumber: 2 };
    const profile = {
      head: node({ functionName: '(root)' }, 0, [
        node(frame, 64),
        { selfSize: 8 } as unknown as SamplingHeapProfileNode,
      ]),
    };
    await sourceMapProfile(profile, (f) =>
      f.url ? Promise.reject(new Error('unreadable map')) : Promise.resolve({ ...f, line: 0, column: 0 }),
    );
    const graph = flameGraph(profile);
    assert.deepEqual(
      graph.frames.map((f) => [f.functionName, f.url, f.line, f.column]),
      [
        ['(root)', '', 0, 0],
        ['work', '/app/dist/a.js', 5, 3],
      ],
    );
  });

  it('maps a minified esbuild bundle with an inline map to the .ts lines and original names', async () => {
    const temp = tempDir('heapscope-flame-');
    try {
      await mapsMinifiedBundle(temp.dir);
    } finally {
      temp.dispose();
    }
  });
});

/** Bundles `entry` with esbuild into `outfile`, its map beside it, with or without the sources. */
function bundleWithMap(entry: string, outfile: string, sourcesContent: boolean): void {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: true,
    sourcesContent,
    logLevel: 'silent',
  });
}

/** V8's frame for `function name(` in a generated file: 0-based, at the parameter list. */
function frameOf(file: string, name: string): RawFrame {
  const text = readFileSync(file, 'utf8');
  const index = text.indexOf(`function ${name}(`);
  assert.ok(index >= 0, `${name} in ${file}`);
  const open = index + `function ${name}`.length;
  return {
    functionName: name,
    scriptId: file,
    url: file,
    lineNumber: text.slice(0, open).split('\n').length - 1,
    columnNumber: open - (text.lastIndexOf('\n', open) + 1),
  };
}

describe('the source a map embeds, for a frame whose original file is gone', () => {
  it('reads it from the map the frame was mapped through, and only there', async () => {
    const temp = tempDir('heapscope-embedded-');
    try {
      const src = path.join(temp.dir, 'src');
      mkdirSync(src);
      const visits = [
        'type Visit = { id: number };',
        'const kept: Visit[] = [];',
        'export function rememberVisit(id: number): Visit {',
        '  const visit = { id };',
        '  kept.push(visit);',
        '  return visit;',
        '}',
        '',
      ].join('\n');
      writeFileSync(path.join(src, 'visits.ts'), visits);
      writeFileSync(
        path.join(src, 'main.ts'),
        "import { rememberVisit } from './visits';\nexport function main(): void {\n  rememberVisit(1);\n}\n",
      );
      const embedded = path.join(temp.dir, 'out', 'embedded.js');
      const bare = path.join(temp.dir, 'out', 'bare.js');
      bundleWithMap(path.join(src, 'main.ts'), embedded, true);
      bundleWithMap(path.join(src, 'main.ts'), bare, false);
      // Built elsewhere: the original files are not on this machine.
      rmSync(src, { recursive: true });

      const profileOf = (file: string): SamplingHeapProfile => ({
        head: node({ functionName: '(root)' }, 0, [
          node(frameOf(file, 'main'), 8, [node(frameOf(file, 'rememberVisit'), 64)]),
        ]),
      });
      const maps = diskSourceMaps();
      const origins = await sourceMapProfile(profileOf(embedded), maps.resolveFrame);
      const visitsUrl = path.join(src, 'visits.ts');
      assert.deepEqual([...origins.keys()].sort(), [path.join(src, 'main.ts'), visitsUrl]);
      assert.equal(await embeddedSource(origins, maps.originalSource, visitsUrl), visits);
      assert.equal(
        await embeddedSource(origins, maps.originalSource, '/elsewhere/visits.ts'),
        undefined,
        'a source no frame was mapped to',
      );
      assert.equal(await embeddedSource(origins, undefined, visitsUrl), undefined, 'no reader');

      // A map without sourcesContent has nothing to show; the frames are still mapped.
      const bareOrigins = await sourceMapProfile(profileOf(bare), maps.resolveFrame);
      assert.ok(bareOrigins.has(visitsUrl));
      assert.equal(await embeddedSource(bareOrigins, maps.originalSource, visitsUrl), undefined);

      // A bundler's URLs (webpack://): the source is named and found by that URL.
      const mapFile = `${embedded}.map`;
      const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[] };
      map.sources = map.sources.map((s) => `webpack://my-app/./src/${path.basename(s)}`);
      writeFileSync(mapFile, JSON.stringify(map));
      const bundler = diskSourceMaps();
      const bundlerOrigins = await sourceMapProfile(profileOf(embedded), bundler.resolveFrame);
      assert.deepEqual([...bundlerOrigins.keys()].sort(), [
        'webpack://my-app/src/main.ts',
        'webpack://my-app/src/visits.ts',
      ]);
      assert.equal(
        await embeddedSource(bundlerOrigins, bundler.originalSource, 'webpack://my-app/src/visits.ts'),
        visits,
      );

      // A frame no map moved is no origin; a reader that fails is no text.
      const unmapped = await sourceMapProfile(
        { head: node({ functionName: '(root)' }, 0, [node({ functionName: 'f', url: '/gone/a.js' }, 8)]) },
        maps.resolveFrame,
      );
      assert.equal(unmapped.size, 0);
      assert.equal(
        await embeddedSource(origins, () => Promise.reject(new Error('unreadable')), visitsUrl),
        undefined,
      );
    } finally {
      temp.dispose();
    }
  });
});

async function mapsMinifiedBundle(dir: string): Promise<void> {
  const source = path.join(dir, 'visits.ts');
  const lines = [
    'interface Visit { id: number; trail: string[] }',
    'const kept: Visit[] = [];',
    '',
    'export function rememberVisit(id: number): Visit {',
    '  const visit = { id, trail: new Array<string>(16).fill(String(id)) };',
    '  kept.push(visit);',
    '  return visit;',
    '}',
    '',
    'export function recordVisits(count: number): void {',
    '  for (let i = 0; i < count; i++) rememberVisit(i);',
    '}',
    '',
  ];
  writeFileSync(source, lines.join('\n'));
  const bundle = path.join(dir, 'out', 'visits.mjs');
  buildSync({
    entryPoints: [source],
    outfile: bundle,
    bundle: true,
    minify: true,
    format: 'esm',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const text = readFileSync(bundle, 'utf8');
  // V8 places a function at its parameter list: the `(` after `function name`.
  const functions = [...text.matchAll(/function (\w+)\(/g)].map((m) => ({
    functionName: m[1],
    lineNumber: text.slice(0, m.index).split('\n').length - 1,
    columnNumber: m.index + m[0].length - 1 - (text.lastIndexOf('\n', m.index) + 1),
  }));
  assert.equal(functions.length, 2, `two functions in ${text.slice(0, 200)}`);
  assert.ok(
    functions.every((f) => f.functionName.length <= 2),
    'the bundle renamed them (minified)',
  );
  const url = pathToFileURL(bundle).href;
  const profile = {
    head: node({ functionName: '(root)' }, 0, [
      node({ ...functions[0], url }, 100, [node({ ...functions[1], url }, 50)]),
      node({ ...functions[1], url }, 25),
    ]),
  };
  await sourceMapProfile(profile, diskFrameResolver());
  const graph = flameGraph(profile);
  const named = graph.frames
    .slice(1)
    .map((f) => [f.functionName, f.url, f.line])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const lineOf = (name: string): number => lines.findIndex((l) => l.includes(`function ${name}(`)) + 1;
  assert.deepEqual(
    [...new Set(named.map((n) => JSON.stringify(n)))].map((n) => JSON.parse(n) as unknown),
    [
      ['recordVisits', source, lineOf('recordVisits')],
      ['rememberVisit', source, lineOf('rememberVisit')],
    ],
  );
}
