import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, transformSync } from 'esbuild';
import ts from 'typescript';
import { LocationResolver, foldStack } from '../../../src/core/leak';
import { findSourceMappingUrl } from '../../../src/core/leak/locations';
import type { RawFrame } from '../../../src/core/types';

const TS_SOURCE = [
  'interface Entry { id: number; data: number[] }',
  '',
  'const kept: Entry[] = [];',
  '',
  'export function remember(id: number): Entry {',
  '  const entry: Entry = { id, data: new Array(100).fill(id) };',
  '  kept.push(entry);',
  '  return entry;',
  '}',
  '',
  'export const handle = (id: number): number => remember(id).id;',
].join('\n');

/** 0-based position of `needle` in generated code, as V8 would report a function's start. */
function positionOf(code: string, needle: string): { lineNumber: number; columnNumber: number } {
  const offset = code.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in generated code`);
  const before = code.slice(0, offset).split('\n');
  return { lineNumber: before.length - 1, columnNumber: before[before.length - 1].length };
}

describe('leak/locations: source maps and folding', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'heapscope-leak-maps-'));
    writeFileSync(join(dir, 'app.ts'), TS_SOURCE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('maps esbuild output with an external .map file back to the .ts line', async () => {
    buildSync({
      entryPoints: [join(dir, 'app.ts')],
      outfile: join(dir, 'out', 'app.js'),
      sourcemap: true,
      format: 'cjs',
      platform: 'node',
      logLevel: 'silent',
    });
    const code = readFileSync(join(dir, 'out', 'app.js'), 'utf8');
    assert.equal(findSourceMappingUrl(code), 'app.js.map');
    const frame: RawFrame = {
      functionName: 'remember',
      scriptId: '55',
      url: pathToFileURL(join(dir, 'out', 'app.js')).href,
      ...positionOf(code, 'function remember'),
    };
    const resolver = new LocationResolver({ getScriptSource: async () => undefined });
    const mapped = await resolver.resolve(frame);
    assert.equal(mapped.url, join(dir, 'app.ts'));
    assert.equal(mapped.line, 5);
    assert.equal(mapped.functionName, 'remember');
  });

  it('maps tsc output (external map, sourceRoot-less) back to the .ts line', async () => {
    const out = ts.transpileModule(TS_SOURCE, {
      fileName: 'app.ts',
      compilerOptions: { sourceMap: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
    });
    const tscDir = join(dir, 'tsc');
    mkdirSync(tscDir, { recursive: true });
    const map = JSON.parse(out.sourceMapText ?? '{}');
    map.sources = ['../app.ts'];
    writeFileSync(join(tscDir, 'app.js'), out.outputText);
    writeFileSync(join(tscDir, 'app.js.map'), JSON.stringify(map));
    const frame: RawFrame = {
      functionName: 'remember',
      scriptId: '56',
      url: join(tscDir, 'app.js'),
      ...positionOf(out.outputText, 'function remember'),
    };
    const mapped = await new LocationResolver({ getScriptSource: async () => undefined }).resolve(frame);
    assert.equal(mapped.url, join(dir, 'app.ts'));
    assert.equal(mapped.line, 5);
  });

  it('maps in-memory transforms (tsx / ts-node: inline map, source only in the target)', async () => {
    const tsPath = join(dir, 'app.ts');
    const out = transformSync(TS_SOURCE, {
      loader: 'ts',
      format: 'cjs',
      sourcemap: 'inline',
      sourcefile: tsPath,
    });
    const url = pathToFileURL(tsPath).href;
    let asked = 0;
    const sources = {
      getScriptSource: async (scriptId: string): Promise<string | undefined> => {
        asked++;
        return scriptId === '77' ? out.code : undefined;
      },
    };
    const frame: RawFrame = {
      functionName: 'handle',
      scriptId: '77',
      url,
      ...positionOf(out.code, '(id) => remember'),
    };
    const mapped = await new LocationResolver(sources).resolve(frame);
    assert.equal(asked, 1);
    assert.equal(mapped.url, tsPath);
    assert.equal(mapped.line, 11);
  });

  it('a script without a map, or with a broken one, keeps its own 1-based position', async () => {
    writeFileSync(join(dir, 'plain.js'), 'function f() {}\n//# sourceMappingURL=missing.js.map\n');
    const frame: RawFrame = {
      functionName: 'f',
      scriptId: '9',
      url: pathToFileURL(join(dir, 'plain.js')).href,
      lineNumber: 0,
      columnNumber: 0,
    };
    const mapped = await new LocationResolver({ getScriptSource: async () => undefined }).resolve(frame);
    assert.deepEqual(mapped, { functionName: 'f', url: join(dir, 'plain.js'), line: 1, column: 1 });
  });

  it('a bundle whose map points into node_modules is folded into the user frame', async () => {
    const stack = [
      { functionName: 'encode', url: '/srv/app/node_modules/fast-json/index.js', line: 10, column: 3 },
      { functionName: 'emit', url: 'node:events', line: 517, column: 28 },
      { functionName: 'onMessage', url: '/srv/app/src/server.ts', line: 42, column: 3 },
      { functionName: 'main', url: '/srv/app/src/server.ts', line: 90, column: 1 },
      { functionName: '(root)', url: '', line: 0, column: 0 },
    ];
    const folded = foldStack(stack);
    assert.equal(folded.internalOnly, false);
    assert.deepEqual(
      folded.frames.map((f) => f.functionName),
      ['onMessage', 'main'],
    );
    assert.equal(folded.frames[0].foldedFrom, 'fast-json/index.js encode ← node:events emit');
    assert.equal(folded.frames[1].foldedFrom, undefined);
  });
});
