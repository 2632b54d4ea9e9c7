import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  pruneRecordings,
  recordingFolderName,
  recordingToJson,
  samplesToCsv,
} from '../../../src/extension/recordings';
import type { MemorySample } from '../../../src/core/types';

describe('extension recordings', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'hs-rec-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names folders by start time and session name', () => {
    assert.equal(
      recordingFolderName('API server › index.js [42]', new Date('2026-11-24T10:15:03.123Z')),
      '2026-11-24T10-15-03_api-server-index-js-42',
    );
    assert.equal(recordingFolderName('///', new Date('2026-11-24T10:15:03Z')), '2026-11-24T10-15-03_session');
  });

  it('prunes only its own folders older than the retention, never the ones in use', async () => {
    const day = 24 * 60 * 60 * 1000;
    const now = Date.now();
    const make = (name: string, ageDays: number): string => {
      const dir = path.join(root, name);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'events.jsonl'), '{}\n');
      const t = (now - ageDays * day) / 1000;
      utimesSync(path.join(dir, 'events.jsonl'), t, t);
      utimesSync(dir, t, t);
      return dir;
    };
    const old = make('2026-01-01T00-00-00_old', 30);
    const inUse = make('2026-01-02T00-00-00_running', 30);
    const fresh = make('2026-11-20T00-00-00_fresh', 1);
    const foreign = make('my-notes', 90);
    // An old folder whose events file was appended to recently is still young.
    const appended = make('2026-01-03T00-00-00_appended', 30);
    utimesSync(path.join(appended, 'events.jsonl'), now / 1000, now / 1000);
    const removed = await pruneRecordings(root, 14, new Set([path.resolve(inUse)]), now);
    assert.deepEqual(removed, [old]);
    assert.ok(!existsSync(old));
    assert.ok(existsSync(inUse) && existsSync(fresh) && existsSync(foreign) && existsSync(appended));
    assert.deepEqual(await pruneRecordings(root, 0, new Set(), now), []);
    assert.deepEqual(await pruneRecordings(path.join(root, 'missing'), 1, new Set(), now), []);
  });

  const sample = (timeMs: number, heap: number): MemorySample => ({
    timeMs,
    rssBytes: 100,
    heapTotalBytes: 50,
    heapUsedBytes: heap,
    externalBytes: 3,
    arrayBuffersBytes: 2,
  });

  it('exports samples and GC events interleaved in time as CSV', () => {
    const csv = samplesToCsv(
      [sample(1000, 10), sample(3000, 30)],
      [{ timeMs: 2000, kind: 'major', durationMs: 4.5, heapUsedAfterBytes: 7 }],
    );
    const lines = csv.trim().split('\n');
    assert.equal(
      lines[0],
      'time_iso,time_ms,heap_used_bytes,heap_total_bytes,rss_bytes,external_bytes,array_buffers_bytes,gc_kind,gc_duration_ms,heap_used_after_gc_bytes',
    );
    assert.equal(lines[1], '1970-01-01T00:00:01.000Z,1000,10,50,100,3,2,,,');
    assert.equal(lines[2], '1970-01-01T00:00:02.000Z,2000,,,,,,major,4.5,7');
    assert.equal(lines[3]!.split(',')[2], '30');
    assert.equal(lines.length, 4);
  });

  it('exports JSON with the report and the raw series', () => {
    const json = JSON.parse(recordingToJson({ schema: 1 } as never, [sample(1, 1)], [])) as {
      schema: number;
      kind: string;
      samples: MemorySample[];
      report: { schema: number };
    };
    assert.equal(json.kind, 'heapscope-recording-export');
    assert.equal(json.samples.length, 1);
    assert.equal(json.report.schema, 1);
  });
});
