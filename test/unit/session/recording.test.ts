import { strict as assert } from 'node:assert';
import { appendFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHeapscopeError } from '../../../src/core/errors';
import { EVENTS_FILE, openRecording, readRecording, RecordingWriter } from '../../../src/core/session';
import { FSYNC_INTERVAL_MS, writeWhole } from '../../../src/core/session/recording';

describe('recording', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-rec-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const meta = () => ({
    format: 'heapscope-recording' as const,
    version: 1 as const,
    id: 'abc',
    startedAt: new Date(0).toISOString(),
    target: { kind: 'attach' as const },
    options: { metricsIntervalMs: 1000, samplingIntervalBytes: 32768, profileIntervalMs: 5000 },
  });
  const sample = (t: number) => ({
    timeMs: t,
    rssBytes: 3,
    heapTotalBytes: 2,
    heapUsedBytes: 1,
    externalBytes: 0,
    arrayBuffersBytes: 0,
  });
  const frame = { functionName: 'f', scriptId: '1', url: 'file:///a.js', lineNumber: 1, columnNumber: 2 };

  it('writes events as they come and reads them back, stacks interned, a cut last line tolerated', async () => {
    const writer = new RecordingWriter(dir, meta());
    writer.sample(sample(1));
    writer.gc([{ timeMs: 1, kind: 'major', durationMs: 1, heapUsedAfterBytes: 1 }]);
    const site = { key: 'k1', stack: [frame], liveBytes: 100, sampleCount: 1 };
    writer.profile({ timeMs: 1, sites: [site] });
    writer.profile({ timeMs: 2, sites: [{ ...site, liveBytes: 200 }] });
    writer.sample(sample(2));
    // No close(): as after a SIGKILL. Then a half-written line.
    appendFileSync(join(dir, EVENTS_FILE), '{"t":"sample","d":{"timeMs":3');
    const data = await readRecording(dir);
    assert.equal(data.samples.length, 2);
    assert.equal(data.gcEvents.length, 1);
    assert.equal(data.profiles.length, 2);
    assert.equal(data.profiles[1].sites[0].liveBytes, 200);
    assert.deepEqual(data.profiles[1].sites[0].stack, [frame]);
    assert.equal(data.truncated, true);
    assert.equal(data.skippedLines, 0);
    const session = await openRecording(dir);
    assert.equal(session.samples.length, 2);
    assert.match(session.status.message ?? '', /read-only.*cut off/);
    assert.equal(session.report().samples, 2);
    writer.close();
  });

  it("a tree's recording reopened lists its processes for the view's lines", async () => {
    const writer = new RecordingWriter(dir, meta());
    writer.sample(sample(1));
    writer.close();
    const session = await openRecording(dir);
    assert.equal(session.processes, undefined, 'one process: no lines');
    const processes = [
      {
        pid: 1,
        command: ['node', 'npm-cli.js'],
        role: 'wrapper',
        wrapper: 'npm',
        samples: 0,
        startedAtSeconds: 0,
        suspects: 0,
      },
      { pid: 2, command: ['node', 'server.js'], role: 'app', samples: 1, startedAtSeconds: 0, suspects: 0 },
    ];
    await writeFile(
      join(dir, 'report.json'),
      JSON.stringify({ ...session.report(), processes, restarts: [{ atSeconds: 1, endedPid: 2 }] }),
    );
    const tree = await openRecording(dir);
    assert.deepEqual(tree.processes, processes);
  });

  it('says clearly when a folder is not a recording', async () => {
    await assert.rejects(
      readRecording(dir),
      (e: unknown) => isHeapscopeError(e, 'usage') && /not a Heapscope recording/.test(e.message),
    );
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ ...meta(), version: 9 }));
    await assert.rejects(readRecording(dir), /unknown format/);
  });

  it('skips and counts lines of the wrong shape (corrupt or hostile), never crashing', async () => {
    const writer = new RecordingWriter(dir, meta());
    writer.sample(sample(1));
    writer.close();
    const hostile = [
      '{"t":"gc","d":5}',
      '{"t":"gc","d":[{"timeMs":"x"}]}',
      '{"t":"profile","d":{}}',
      '{"t":"profile","d":{"timeMs":1,"sites":[[1,"a",2]]}}',
      '{"t":"stack","d":{"id":1,"frames":"nope"}}',
      '{"t":"sample","d":null}',
      '{"t":"suspects","d":[{"rank":1}]}',
      '{"t":"verdict","d":{"verdict":"maybe"}}',
      '{"t":"status","d":7}',
      '{"t":"__proto__","d":{}}',
      '[1,2,3]',
      'null',
      '\u0000\u0001garbage',
    ];
    appendFileSync(join(dir, EVENTS_FILE), hostile.join('\n') + '\n');
    appendFileSync(join(dir, EVENTS_FILE), JSON.stringify({ t: 'sample', d: sample(2) }) + '\n');
    // A report.json of the wrong shape is skipped too (the events are used instead).
    await writeFile(join(dir, 'report.json'), JSON.stringify({ schema: 1, suspects: 'x' }));
    const data = await readRecording(dir);
    assert.equal(data.skippedLines, hostile.length + 1);
    assert.deepEqual(
      data.samples.map((s) => s.timeMs),
      [1, 2],
    );
    assert.equal(data.report, undefined);
    const session = await openRecording(dir);
    assert.match(session.status.message ?? '', /14 lines could not be read and were skipped/);
    assert.equal(session.report().samples, 2);
  });

  it('completes short writes: a line is written whole', () => {
    const written: Buffer[] = [];
    const shortWrite = (_fd: number, buffer: Buffer, offset: number, length: number) => {
      const n = Math.min(3, length);
      written.push(buffer.subarray(offset, offset + n));
      return n;
    };
    writeWhole(0, Buffer.from('{"t":"sample"}\n'), shortWrite);
    assert.equal(Buffer.concat(written).toString(), '{"t":"sample"}\n');
    assert.throws(() => writeWhole(0, Buffer.from('x'), () => 0), /write returned 0/);
  });

  // /dev/full answers every write with ENOSPC (Linux, where the tests run).
  it('says the disk is full (ENOSPC) in its own words, and keeps the session going', () => {
    symlinkSync('/dev/full', join(dir, EVENTS_FILE));
    const logged: string[] = [];
    const writer = new RecordingWriter(dir, meta(), (line) => logged.push(line));
    writer.sample(sample(1));
    writer.sample(sample(2));
    writer.close();
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0], /the disk is full: recording to .* stopped \(ENOSPC\); the session goes on/);
    assert.match(writer.failure ?? '', /ENOSPC/);
  });

  it('forces lines to disk every few seconds while the session runs, not only at close', async function () {
    this.timeout(FSYNC_INTERVAL_MS * 5);
    let synced: () => void = () => undefined;
    const firstSync = new Promise<void>((resolve) => (synced = resolve));
    const writer = new RecordingWriter(dir, meta(), undefined, () => synced());
    try {
      writer.sample(sample(1));
      // Resolves when the writer's own timer calls fsync (every FSYNC_INTERVAL_MS); mocha's timeout bounds it.
      await firstSync;
    } finally {
      writer.close();
    }
  });
});
