// The flame graph of a TypeScript app compiled by tsc (sourceMap on), run as a real Node process: the
// model the flame editor sends its webview names the .ts file, the original line and the function,
// for the live session's profile (mapped through the session, its suspect colouring the frame) and
// for the .heapprofile written from it, opened from disk after the process is gone. The maps embed the
// sources (inlineSources): a click on the frame finds the .ts text again through the same maps.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FlameFrame } from '../../../src/core/heapprofile/flameGraph';
import { flameModel, type FlameModel } from '../../../src/core/heapprofile/flameModel';
import { diskFrameResolver } from '../../../src/core/heapprofile/sourceMapped';
import { MemorySession } from '../../../src/core/session';
import type { Suspect } from '../../../src/core/types';
import { frameGrowth } from '../../../src/shared/flameGrowth';

const APP = path.resolve(__dirname, '../../fixtures/heapprofile/ts-app');
const SOURCE = path.join(APP, 'src', 'visits.ts');
const TSC = require.resolve('typescript/bin/tsc');

/** Where V8 places rememberVisit (its parameter list's `(`), 1-based, in the .ts or .js text. */
function declarationOf(text: string): { line: number; column: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => /function rememberVisit\(/.test(l));
  assert.ok(index >= 0, 'rememberVisit declared');
  return { line: index + 1, column: lines[index].indexOf('rememberVisit(') + 'rememberVisit'.length + 1 };
}

function leakingFrame(model: FlameModel): FlameFrame {
  const frame = model.graph.frames.find((f) => f.functionName === 'rememberVisit');
  assert.ok(
    frame,
    `rememberVisit among ${model.graph.frames.map((f) => `${f.functionName} ${f.url}:${f.line}`).join(', ')}`,
  );
  return frame;
}

describe('source-mapped flame graph of a tsc-compiled app (real Node process)', function () {
  this.timeout(120_000);
  let dir: string;
  let session: MemorySession | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'heapscope-flame-ts-'));
    // The repo's own TypeScript, as a user's build would run it.
    execFileSync(process.execPath, [TSC, '-p', APP, '--outDir', path.join(dir, 'out'), '--inlineSources'], {
      stdio: 'pipe',
    });
  });
  after(async () => {
    await session?.stop('test end').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('names the .ts file, the original line and the function, live and from the file', async () => {
    const compiled = path.join(dir, 'out', 'server.js');
    const generatedFile = path.join(dir, 'out', 'visits.js');
    const original = declarationOf(await readFile(SOURCE, 'utf8'));
    const generated = declarationOf(await readFile(generatedFile, 'utf8'));
    assert.notEqual(original.line, generated.line, 'the fixture puts the function on different lines');

    const s = (session = new MemorySession({
      target: { kind: 'launch', command: process.execPath, args: [compiled] },
      metricsIntervalMs: 500,
      profileIntervalMs: 1000,
    }));
    // The session ranks rememberVisit a suspect once its live bytes have grown over a few readings.
    const suspected = new Promise<Suspect>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('rememberVisit not a suspect in 60 s')), 60_000);
      s.on('suspects', (suspects: Suspect[]) => {
        const suspect = suspects.find((x) => x.functionName === 'rememberVisit');
        if (suspect) {
          clearTimeout(timer);
          resolve(suspect);
        }
      });
    });
    await s.start();
    const suspect = await suspected;

    const file = path.join(dir, 'visits.heapprofile');
    await s.exportHeapProfile(file);
    const text = await readFile(file, 'utf8');
    // The file keeps V8's positions (the standard format): the compiled .js, 0-based.
    const raw = JSON.stringify(JSON.parse(text));
    assert.match(raw, /"functionName":"rememberVisit","scriptId":"\d+","url":"[^"]*visits\.js"/);
    assert.ok(raw.includes(`"lineNumber":${generated.line - 1}`));

    // Live: mapped through the session, as the live flame graph does.
    const live = await flameModel(text, 'visits.heapprofile', (frame) => s.resolveFrame(frame));
    const liveFrame = leakingFrame(live);
    assert.equal(liveFrame.url, SOURCE);
    assert.equal(liveFrame.line, original.line);
    assert.equal(liveFrame.column, original.column);
    assert.equal(liveFrame.category, 'user');
    assert.ok(liveFrame.selfBytes > 0, 'rememberVisit allocates');
    assert.deepEqual(
      live.graph.frames.filter((f) => f.url.startsWith(path.join(dir, 'out'))).map((f) => f.functionName),
      [],
      'no frame of the app left at the compiled file',
    );
    // The growth colouring finds the suspect on the mapped frame (the live graph's "Growth" mode).
    const growth = frameGrowth(live.graph, [
      {
        functionName: suspect.functionName,
        url: suspect.url,
        line: suspect.line,
        column: suspect.column,
        bytesPerMinute: suspect.growthBytesPerMinute,
      },
    ]);
    assert.ok(growth[liveFrame.index] > 0, `the suspect at ${suspect.url}:${suspect.line} colours the frame`);
    // The live graph's click on the frame: the session reads the .ts text its map embeds.
    const origin = live.origins.get(SOURCE);
    assert.ok(origin, `an origin for ${SOURCE} among ${[...live.origins.keys()].join(', ')}`);
    assert.equal(await s.originalSource(origin, SOURCE), await readFile(SOURCE, 'utf8'));
    const row = live.functions.find((f) => f.functionName === 'rememberVisit');
    assert.deepEqual(row && [row.url, row.line], [SOURCE, original.line], 'the table names the .ts line too');

    // From disk, with the process gone: the script and its .map are read next to the profile's paths.
    await s.stop('profile taken');
    session = undefined;
    const fromDisk = await flameModel(text, 'visits.heapprofile', diskFrameResolver());
    const diskFrame = leakingFrame(fromDisk);
    assert.deepEqual(
      [diskFrame.url, diskFrame.line, diskFrame.column],
      [SOURCE, original.line, original.column],
    );
    assert.equal(fromDisk.graph.totalBytes, live.graph.totalBytes);
    assert.deepEqual([...fromDisk.origins.keys()].sort(), [...live.origins.keys()].sort());
  });
});
