import { strict as assert } from 'node:assert';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { rankSuspects } from '../../../src/core/leak';
import { validateReport, buildReport } from '../../../src/core/report';
import type { AllocationProfileReading, AllocationSiteReading, RawFrame } from '../../../src/core/types';

const noSources = { getScriptSource: async (): Promise<string | undefined> => undefined };

function frame(functionName: string, url: string, lineNumber: number, scriptId = '7'): RawFrame {
  return { functionName, scriptId, url, lineNumber, columnNumber: 0 };
}

function site(stack: RawFrame[], liveBytes: number): AllocationSiteReading {
  return {
    key: stack.map((f) => `${f.functionName}@${f.scriptId}:${f.lineNumber}:${f.columnNumber}`).join('|'),
    stack,
    liveBytes,
    sampleCount: Math.max(1, Math.round(liveBytes / 32768)),
  };
}

const APP = 'file:///srv/app/server.js';
const main = frame('main', APP, 40);
const handler = frame('handleRequest', APP, 20);
const cacheFill = frame('fillCache', APP, 10);
const leaky = frame('remember', APP, 5);

/** Readings every 5 s: a big stable site, a noisy churn site, and a small steadily growing one. */
function readings(
  count: number,
  extra?: (i: number) => AllocationSiteReading[],
  withLeak = true,
): AllocationProfileReading[] {
  const jitter = [3, 9, 1, 7, 4, 8, 2, 6, 0, 5, 3, 7, 1, 8, 2];
  const out: AllocationProfileReading[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      timeMs: 1_700_000_000_000 + i * 5000,
      sites: [
        site([cacheFill, main], 40_000_000),
        site([handler, main], 2_000_000 + jitter[i % jitter.length] * 150_000),
        ...(withLeak ? [site([leaky, handler, main], 100_000 + i * 200_000)] : []),
        ...(extra ? extra(i) : []),
      ],
    });
  }
  return out;
}

describe('leak/suspects: ranking allocation sites by growth of live bytes', () => {
  it('ranks the growing site first, not the biggest, with its rate, location and series', async () => {
    const suspects = await rankSuspects(readings(12), noSources);
    assert.equal(suspects.length, 1, JSON.stringify(suspects.map((s) => s.functionName)));
    const [top] = suspects;
    assert.equal(top.rank, 1);
    assert.equal(top.functionName, 'remember');
    assert.equal(top.url, '/srv/app/server.js');
    assert.equal(top.line, 6);
    assert.equal(top.column, 1);
    assert.equal(top.kind, 'heap');
    assert.equal(top.liveBytes, 100_000 + 11 * 200_000);
    assert.ok(Math.abs(top.growthBytesPerMinute - 2_400_000) < 1, `${top.growthBytesPerMinute}`);
    assert.deepEqual(
      top.stack.map((f) => f.functionName),
      ['remember', 'handleRequest', 'main'],
    );
    assert.equal(top.series?.length, 12);
  });

  it('folds Node internals and node_modules into the user frame that called them', async () => {
    const internal = [
      frame('createUnsafeBuffer', 'node:internal/buffer', 1000, '1'),
      frame('alloc', 'node:buffer', 380, '2'),
      frame('pack', 'file:///srv/app/node_modules/msgpack/index.js', 12, '3'),
    ];
    const suspects = await rankSuspects(
      readings(10, (i) => [site([...internal, handler, main], 50_000 + i * 500_000)]),
      noSources,
    );
    const top = suspects[0];
    assert.equal(top.functionName, 'handleRequest');
    assert.equal(top.kind, 'external');
    assert.match(top.stack[0].foldedFrom ?? '', /node:internal\/buffer createUnsafeBuffer/);
    assert.match(top.stack[0].foldedFrom ?? '', /msgpack\/index\.js pack/);
    assert.ok(top.stack.every((f) => !f.url.startsWith('node:') && !f.url.includes('node_modules')));
  });

  it('a rarely sampled Buffer site that never shrinks is kept, and ranks first when off-heap memory grows', async () => {
    const alloc = [
      frame('createUnsafeBuffer', 'node:internal/buffer', 1000, '1'),
      frame('alloc', 'node:buffer', 380, '2'),
    ];
    const keep = frame('keepForReplay', APP, 60);
    const few = [0, 0, 0, 0, 96, 96, 96, 96, 96, 192];
    const input = readings(10, (i) => (few[i] ? [site([...alloc, keep, main], few[i])] : []));
    const trend = {
      verdict: 'leak' as const,
      growth: { heapBytesPerMinute: 50_000, externalBytesPerMinute: 60e6, confidence: 1 },
      reason: '',
    };
    const withTrend = await rankSuspects(input, noSources, { trend });
    assert.equal(withTrend[0].functionName, 'keepForReplay');
    assert.equal(withTrend[0].kind, 'external');
    const without = await rankSuspects(input, noSources);
    assert.equal(without[0].functionName, 'remember');
    assert.equal(without[1].functionName, 'keepForReplay');
  });

  it('a Buffer site first sampled late still counts while off-heap memory grows (its slope reads 0)', async () => {
    // One wrapper sample per ~30 s at a 64 KiB interval: a leak of 64 KiB Buffers can show a single
    // late step, whose Theil–Sen slope (the median of pairwise slopes) is 0.
    const alloc = [
      frame('Uint8Array', '', -1, '0'),
      frame('FastBuffer', 'node:internal/buffer', 958, '1'),
      frame('createUnsafeBuffer', 'node:internal/buffer', 1104, '1'),
      frame('alloc', 'node:buffer', 438, '2'),
    ];
    const keep = frame('keepForReplay', APP, 60);
    const step = (i: number) => (i >= 10 ? [site([...alloc, keep, main], 65_624)] : []);
    const trend = {
      verdict: 'leak' as const,
      growth: { heapBytesPerMinute: -900_000, externalBytesPerMinute: 70e6, confidence: 0.95 },
      reason: '',
    };
    const withTrend = await rankSuspects(readings(12, step), noSources, { trend });
    assert.equal(withTrend[0].functionName, 'keepForReplay');
    assert.equal(withTrend[0].kind, 'external');
    // The rate between the first and the last reading: 64 KiB over 55 s.
    assert.ok(
      Math.abs(withTrend[0].growthBytesPerMinute - (65_624 * 60) / 55) < 2,
      `${withTrend[0].growthBytesPerMinute}`,
    );
    // Without off-heap growth to explain, a lone late sample is not a suspect.
    const without = await rankSuspects(readings(12, step), noSources);
    assert.ok(!without.some((s) => s.functionName === 'keepForReplay'));
  });

  it('sites with no user frame rank after user code and say so', async () => {
    const timers = [
      frame('listOnTimeout', 'node:internal/timers', 500, '1'),
      frame('processTimers', 'node:internal/timers', 480, '1'),
    ];
    const suspects = await rankSuspects(
      readings(10, (i) => [site(timers, 10_000 + i * 900_000)]),
      noSources,
    );
    assert.equal(suspects[0].functionName, 'remember');
    const internalOnly = suspects.find((s) => s.functionName === 'listOnTimeout');
    assert.ok(internalOnly);
    assert.match(internalOnly.note ?? '', /No user code/);
  });

  it('recovers an inlined callee from samples taken before it was inlined', async () => {
    // Early: [buildEntry, handleRequest, main] grows then freezes (its samples stay live: they leak);
    // later the optimised handleRequest frame is charged with buildEntry's allocations.
    const callee = frame('buildEntry', APP, 30);
    const suspects = await rankSuspects(
      readings(12, (i) => [site([callee, handler, main], Math.min(i, 3) * 300_000 + 100_000)], false).map(
        (reading, i) => ({
          ...reading,
          sites: reading.sites.map((s) =>
            s.key.startsWith('handleRequest')
              ? site([handler, main], i < 3 ? 2_000_000 : 2_000_000 + (i - 3) * 700_000)
              : s,
          ),
        }),
      ),
      noSources,
    );
    const top = suspects[0];
    assert.equal(top.functionName, 'buildEntry');
    assert.equal(top.line, 31);
    assert.match(top.note ?? '', /inlined into handleRequest/);
  });

  it('names inlining candidates from the caller source when the profile cannot tell', async () => {
    const source = [
      "'use strict';",
      'const log = [];',
      'function makeRecord(id) { return { id, text: "x".repeat(100) }; }',
      'function handle(id) {',
      '  log.push(makeRecord(id));',
      '}',
      'setInterval(() => handle(1), 1);',
    ].join('\n');
    const handle = frame('handle', 'file:///srv/app/inline.js', 3, '42');
    const only: AllocationProfileReading[] = Array.from({ length: 8 }, (_, i) => ({
      timeMs: 1_700_000_000_000 + i * 5000,
      sites: [site([handle], 100_000 + i * 400_000)],
    }));
    const suspects = await rankSuspects(only, {
      getScriptSource: async (id) => (id === '42' ? source : undefined),
    });
    assert.equal(suspects[0].functionName, 'handle');
    assert.match(suspects[0].note ?? '', /may have inlined makeRecord into handle/);
  });

  describe('allocation: the line inside the function', () => {
    const SOURCE = [
      "'use strict';", // 1
      'const sessionLog = [];', // 2
      'function recordSession(request) {', // 3
      '  const session = {', // 4
      '    path: request.url,', // 5
      "    payload: 'x'.repeat(2048) + Math.random(),", // 6
      '  };', // 7
      '  sessionLog.push(session);', // 8
      "  return session + 'y'.repeat(2);", // 9
      '}', // 10
    ].join('\n');
    const SCRIPT = '61';
    const sources = { getScriptSource: async (id: string) => (id === SCRIPT ? SOURCE : undefined) };
    // V8 reports a function at its parameter list: line 3 (0-based 2), column of `(`.
    const record: RawFrame = { ...frame('recordSession', APP, 2, SCRIPT), columnNumber: 22 };
    const native = (name: string): RawFrame => ({
      functionName: name,
      scriptId: '0',
      url: '',
      lineNumber: -1,
      columnNumber: -1,
    });

    /** Growing sites of recordSession: the biggest has `top` above it, a smaller one nothing. */
    function profile(top: RawFrame[]): AllocationProfileReading[] {
      return Array.from({ length: 10 }, (_, i) => ({
        timeMs: 1_700_000_000_000 + i * 5000,
        sites: [
          site([...top, record, handler, main], 100_000 + i * 600_000),
          site([record, handler, main], 50_000 + i * 100_000),
        ],
      }));
    }

    it('finds the call to the builtin folded above the culprit in its source', async () => {
      const [top] = await rankSuspects(profile([native('push')]), sources);
      assert.equal(top.functionName, 'recordSession');
      assert.equal(top.line, 3);
      assert.equal(top.column, 23);
      assert.equal(top.stack[0].foldedFrom, 'push');
      assert.deepEqual(top.allocation, {
        line: 8,
        column: 14,
        callee: 'sessionLog.push',
        how: 'callee-in-source',
      });
      const report = buildReport({
        target: { kind: 'launch' },
        startedAtMs: 0,
        endedAtMs: 60_000,
        samples: [],
        gcEvents: 0,
        suspects: [top],
      });
      assert.deepEqual(validateReport(JSON.parse(JSON.stringify(report))), []);
      const broken = JSON.parse(JSON.stringify(report));
      broken.suspects[0].allocation = { line: 0, column: 1, how: 'guess' };
      const problems = validateReport(broken);
      assert.ok(problems.includes('report.suspects[0].allocation.line: expected >= 1'), problems.join('; '));
      assert.ok(problems.some((p) => p.startsWith('report.suspects[0].allocation.how')));
    });

    it('says nothing when the call is ambiguous, absent, or nothing was folded', async () => {
      // `repeat` is called on lines 6 and 9: no guess.
      const [ambiguous] = await rankSuspects(profile([native('repeat')]), sources);
      assert.equal(ambiguous.stack[0].foldedFrom, 'repeat');
      assert.equal(ambiguous.allocation, undefined);
      const [absent] = await rankSuspects(profile([native('concat')]), sources);
      assert.equal(absent.allocation, undefined);
      const [plain] = await rankSuspects(profile([]), sources);
      assert.equal(plain.stack[0].foldedFrom, undefined);
      assert.equal(plain.allocation, undefined);
      const [noSource] = await rankSuspects(profile([native('push')]), noSources);
      assert.equal(noSource.allocation, undefined);
    });

    it('names the outermost folded frame: Buffer.alloc through node:buffer', async () => {
      const source = [
        'const replay = [];',
        'function keep(i) {',
        '  const chunk = Buffer.alloc(64 * 1024, i & 0xff);',
        '  replay.push(chunk);',
        '}',
      ].join('\n');
      const keep: RawFrame = { ...frame('keep', APP, 1, '62'), columnNumber: 13 };
      const alloc = [
        frame('FastBuffer', 'node:internal/buffer', 960, '1'),
        frame('alloc', 'node:buffer', 380, '2'),
      ];
      const input = Array.from({ length: 10 }, (_, i) => ({
        timeMs: 1_700_000_000_000 + i * 5000,
        sites: [site([...alloc, keep, main], 1000 + i * 300_000)],
      }));
      const [top] = await rankSuspects(input, {
        getScriptSource: async (id: string) => (id === '62' ? source : undefined),
      });
      assert.equal(top.kind, 'external');
      assert.deepEqual(top.allocation, {
        line: 3,
        column: 24,
        callee: 'Buffer.alloc',
        how: 'callee-in-source',
      });
    });

    it('a source-mapped culprit is searched in the original text the map carries, else skipped', async () => {
      const ts = [
        'interface Entry { id: number; data: string }',
        '',
        'const kept: Entry[] = [];',
        '',
        'export function remember(id: number): Entry {',
        "  const entry: Entry = { id, data: 'x'.repeat(1000) };",
        '  kept.push(entry);',
        '  return entry;',
        '}',
      ].join('\n');
      const tsPath = '/srv/app/src/remember.ts';
      const run = async (sourcesContent: boolean) => {
        const out = transformSync(ts, {
          loader: 'ts',
          format: 'cjs',
          sourcemap: 'inline',
          sourcefile: tsPath,
          sourcesContent,
        });
        const before = out.code.slice(0, out.code.indexOf('(id) {')).split('\n');
        const remember: RawFrame = {
          functionName: 'remember',
          scriptId: '63',
          url: pathToFileURL(tsPath).href,
          lineNumber: before.length - 1,
          columnNumber: before[before.length - 1].length,
        };
        const input = Array.from({ length: 10 }, (_, i) => ({
          timeMs: 1_700_000_000_000 + i * 5000,
          sites: [site([native('repeat'), remember, main], 1000 + i * 300_000)],
        }));
        const [top] = await rankSuspects(input, {
          getScriptSource: async (id: string) => (id === '63' ? out.code : undefined),
        });
        return top;
      };
      const withContent = await run(true);
      assert.equal(withContent.url, tsPath);
      assert.equal(withContent.line, 5);
      assert.deepEqual(withContent.allocation, {
        line: 6,
        column: 40,
        callee: "'x'.repeat",
        how: 'callee-in-source',
      });
      const without = await run(false);
      assert.equal(without.line, 5);
      assert.equal(without.allocation, undefined);
    });
  });

  it('no readings, one reading, or nothing growing: no suspects', async () => {
    assert.deepEqual(await rankSuspects([], noSources), []);
    assert.deepEqual(await rankSuspects(readings(1), noSources), []);
    const flat = readings(10).map((r) => ({
      ...r,
      sites: r.sites.filter((s) => !s.key.startsWith('remember')),
    }));
    assert.deepEqual(await rankSuspects(flat, noSources), []);
  });
});
