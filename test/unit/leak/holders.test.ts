import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attributeHolders, carryHolders, mergeHolders, wantsHolders } from '../../../src/core/leak';
import type { GrowthHolder } from '../../../src/core/heapsnapshot';
import type { Suspect, TrendVerdict } from '../../../src/core/types';

function suspect(
  rank: number,
  functionName: string,
  url: string,
  line: number,
  kind: Suspect['kind'] = 'heap',
): Suspect {
  return {
    rank,
    kind,
    functionName,
    url,
    line,
    column: 1,
    liveBytes: 1000 * rank,
    growthBytesPerMinute: 100_000 / rank,
    stack: [],
  };
}

function verdict(
  v: TrendVerdict['verdict'],
  heapBytesPerMinute: number,
  externalBytesPerMinute: number,
): TrendVerdict {
  return { verdict: v, growth: { heapBytesPerMinute, externalBytesPerMinute, confidence: 0.99 }, reason: '' };
}

const APP = '/srv/app/server.js';

describe('leak/holders: naming what keeps the suspects alive', () => {
  it('attaches a holder declared in the suspect file to that suspect', () => {
    const holders: GrowthHolder[] = [
      {
        constructorName: 'Object',
        addedCount: 900,
        addedBytes: 1_200_000,
        holder: {
          kind: 'Array',
          name: 'auditTrail',
          path: ['(module) server.js', 'auditTrail', '[]'],
          location: { functionName: '', url: APP, line: 8, column: 7 },
        },
      },
    ];
    const merged = mergeHolders(
      [suspect(1, 'recordAudit', APP, 9), suspect(2, 'other', '/srv/app/db.js', 3)],
      holders,
      verdict('leak', 5e6, 0),
      0.1,
    );
    assert.equal(merged[0].functionName, 'recordAudit');
    assert.equal(merged[0].holder?.name, 'auditTrail');
    assert.equal(merged[0].holder?.count, 900);
    assert.equal(merged[1].holder, undefined);
  });

  it('an off-heap leak puts Buffers first: a holder-only external suspect when no Buffer site was sampled', () => {
    const holders: GrowthHolder[] = [
      {
        constructorName: 'Buffer',
        addedCount: 120,
        addedBytes: 7_800_000,
        holder: {
          kind: 'Array',
          name: 'replayLog',
          path: ['replayLog', '[]'],
          location: { functionName: 'replayLog', url: '/srv/app/replay.js', line: 4, column: 7 },
        },
      },
    ];
    const merged = mergeHolders([suspect(1, 'handle', APP, 20)], holders, verdict('leak', 10_000, 60e6), 0.1);
    assert.equal(merged.length, 2);
    assert.equal(merged[0].kind, 'external');
    assert.equal(merged[0].rank, 1);
    assert.equal(merged[0].url, '/srv/app/replay.js');
    assert.equal(merged[0].holder?.name, 'replayLog');
    assert.match(merged[0].note ?? '', /never sampled/);
    assert.equal(merged[0].growthBytesPerMinute, 78_000_000);
    assert.equal(merged[1].rank, 2);
  });

  it('a sampled Buffer site takes the Buffer holder and stays first', () => {
    const holders: GrowthHolder[] = [
      {
        constructorName: 'Uint8Array',
        addedCount: 50,
        addedBytes: 3_000_000,
        holder: { kind: 'Array', name: 'chunks', path: [] },
      },
    ];
    const merged = mergeHolders(
      [suspect(1, 'parse', APP, 3), suspect(2, 'keep', APP, 30, 'external')],
      holders,
      verdict('leak', 0, 30e6),
      0.1,
    );
    assert.equal(merged[0].functionName, 'keep');
    assert.equal(merged[0].holder?.name, 'chunks');
    assert.equal(merged.length, 2);
  });

  it('one holder seen through two constructors is one suspect; a user holder beats an internal-only site', () => {
    const location = { functionName: 'seenClients', url: '/srv/app/clients.js', line: 6, column: 7 };
    const holders: GrowthHolder[] = [
      {
        constructorName: 'Object',
        addedCount: 300,
        addedBytes: 400_000,
        holder: { kind: 'Array', name: 'seenClients', path: [], location },
      },
      {
        constructorName: 'Array',
        addedCount: 300,
        addedBytes: 200_000,
        holder: { kind: 'Array', name: 'seenClients', path: [], location },
      },
    ];
    const internal: Suspect = {
      ...suspect(1, 'listOnTimeout', 'node:internal/timers', 524),
      stack: [{ functionName: 'listOnTimeout', url: 'node:internal/timers', line: 524, column: 25 }],
    };
    const merged = mergeHolders([internal], holders, verdict('leak', 2e6, 0), 0.1);
    assert.equal(merged.length, 2);
    assert.equal(merged[0].holder?.name, 'seenClients');
    assert.equal(merged[0].url, '/srv/app/clients.js');
    assert.equal(merged[1].functionName, 'listOnTimeout');
  });

  it('a user holder growing like the top sampled site outranks an unconfirmed site; a small one does not', () => {
    const driver = suspect(1, '(anonymous)', '/srv/app/lib/driver.js', 9);
    driver.growthBytesPerMinute = 2_000_000;
    const strong: GrowthHolder = {
      constructorName: 'Object',
      addedCount: 600,
      addedBytes: 150_000,
      holder: {
        kind: 'Array',
        name: 'seenClients',
        path: [],
        location: { functionName: 'seenClients', url: '/srv/app/clients.js', line: 6, column: 7 },
      },
    };
    const merged = mergeHolders([driver], [strong], verdict('leak', 2e6, 0), 0.1);
    assert.equal(merged[0].holder?.name, 'seenClients');
    assert.equal(merged[1].functionName, '(anonymous)');
    const weak = { ...strong, addedBytes: 70_000 };
    const merged2 = mergeHolders([driver], [weak], verdict('leak', 2e6, 0), 1);
    assert.equal(merged2[0].functionName, '(anonymous)');
    assert.equal(merged2[1].holder?.name, 'seenClients');
  });

  it('a block-scoped holder named from its closure attaches to the function that adds to it', () => {
    // cluster-one-worker-leak.js: `const traces = []` in an else block, filled by keepTrace.
    const file = '/srv/app/cluster-one-worker-leak.js';
    const suspects = [
      suspect(1, 'keepTrace', `file://${file}`, 13),
      suspect(2, 'drive', '/srv/app/_load.js', 6),
    ];
    const holders: GrowthHolder[] = [
      {
        constructorName: 'Object',
        addedCount: 220,
        addedBytes: 88_000,
        holder: {
          kind: 'Array',
          name: 'traces',
          path: [],
          location: { functionName: 'traces', url: file, line: 11, column: 9 },
        },
      },
    ];
    const merged = mergeHolders(suspects, holders, verdict('leak', 500_000, 0), 0.1);
    assert.equal(merged.length, 2);
    assert.equal(merged[0]!.functionName, 'keepTrace');
    assert.equal(merged[0]!.holder?.name, 'traces');
  });

  it('a holder known only by a slot number never names a suspect `0`', () => {
    const holders: GrowthHolder[] = [
      {
        constructorName: 'Object',
        addedCount: 220,
        addedBytes: 880_000,
        holder: { kind: 'Array', name: '0', path: [] },
      },
    ];
    const merged = mergeHolders(
      [suspect(1, 'keepTrace', APP, 13)],
      holders,
      verdict('leak', 500_000, 0),
      0.1,
    );
    const extra = merged.find((s) => s.functionName !== 'keepTrace');
    assert.ok(extra);
    assert.equal(extra.functionName, 'Object');
    assert.match(extra.note ?? '', /kept by an unnamed Array/);
  });

  it('snapshots only when there is something to explain', () => {
    assert.equal(wantsHolders(verdict('no-leak', 0, 0)), false);
    assert.equal(wantsHolders(verdict('inconclusive', 1e6, 0)), false);
    assert.equal(wantsHolders(verdict('leak', 1e6, 0)), true);
    assert.equal(wantsHolders(verdict('inconclusive', 0, 5e6)), true);
  });

  it('a failing snapshot never fails the session: the suspects come back unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heapscope-holders-'));
    try {
      const lines: string[] = [];
      let calls = 0;
      const suspects = [suspect(1, 'recordAudit', APP, 9)];
      const out = await attributeHolders(suspects, verdict('leak', 5e6, 0), {
        takeHeapSnapshot: async (file) => {
          calls++;
          if (calls > 1) throw new Error('target went away');
          writeFileSync(file, '{}');
          return file;
        },
        sources: { getScriptSource: async () => undefined },
        workDir: dir,
        snapshotGapMs: 1,
        log: (line) => lines.push(line),
      });
      assert.deepEqual(out, suspects);
      assert.equal(calls, 2);
      assert.match(lines.join('\n'), /target went away/);
      assert.equal(
        await attributeHolders(suspects, verdict('no-leak', 0, 0), {
          takeHeapSnapshot: async () => assert.fail('no snapshot without a leak'),
          sources: { getScriptSource: async () => undefined },
          workDir: dir,
        }).then((s) => s.length),
        1,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('leak/holders: holders outlive the next ranking', () => {
  const held = (s: Suspect, name: string): Suspect => ({
    ...s,
    holder: { kind: 'Array', name, path: ['(GC roots)', `Array ${name} → 10 × Object`] },
  });

  it('gives a site its holder back, keeps holder-only suspects and the named order', () => {
    const record = suspect(1, 'recordSession', APP, 10);
    const timers = suspect(2, 'processTimers', 'node:internal/timers', 603);
    const onlyHolder = { ...held(suspect(3, 'seenClients', APP, 4), 'seenClients'), stack: [] };
    const named = [held(record, 'sessionLog'), onlyHolder, timers];
    // The next profile read: sampled sites only, with new figures, in another order, one new site.
    const fresh = [
      { ...timers, rank: 1, liveBytes: 9 },
      { ...record, rank: 2, liveBytes: 7 },
      suspect(3, 'handle', APP, 22),
    ];
    const carried = carryHolders(fresh, named);
    assert.deepEqual(
      carried.map((s) => [s.rank, s.functionName, s.holder?.name, s.liveBytes]),
      [
        [1, 'recordSession', 'sessionLog', 7],
        [2, 'seenClients', 'seenClients', onlyHolder.liveBytes],
        [3, 'processTimers', undefined, 9],
        [4, 'handle', undefined, 3000],
      ],
    );
    // Inputs untouched.
    assert.equal(fresh[1].holder, undefined);
  });

  it('changes nothing before any holder is named', () => {
    const fresh = [suspect(1, 'a', APP, 1), suspect(2, 'b', APP, 2)];
    assert.deepEqual(carryHolders(fresh, []), fresh);
    assert.deepEqual(carryHolders(fresh, [suspect(1, 'b', APP, 2)]), fresh);
  });
});
