import { strict as assert } from 'node:assert';
import type { DiffResult, SummaryResult } from '../../../src/core/heapsnapshot';
import { diffSnapshotFiles, summarizeSnapshotFile } from '../../../src/core/heapsnapshot';
import {
  codeSpan,
  diffMarkdown,
  escapeMarkdown,
  locationLink,
  shellQuote,
  summaryMarkdown,
} from '../../../src/extension/snapshotReport';
import { fixtureLine, LEAKER, runLeaker, tempDir } from '../heapsnapshot/helpers';

const KB = 1024;
const MB = 1024 * 1024;

function summary(): SummaryResult {
  return {
    file: '/tmp/snaps/app server.heapsnapshot',
    fileBytes: 12.5 * MB,
    nodeCount: 123456,
    edgeCount: 654321,
    totalBytes: 8 * MB,
    unreachableCount: 42,
    timings: { parseMs: 1200, analyseMs: 340 },
    // Deliberately not in retained order: the report sorts.
    constructors: [
      {
        name: 'Object',
        count: 5000,
        shallowBytes: 160 * KB,
        retainedBytes: 1 * MB,
        distance: 2,
        largestId: 101,
      },
      {
        name: '(compiled code)',
        count: 900,
        shallowBytes: 2 * MB,
        retainedBytes: 3 * MB,
        distance: 3,
        largestId: 102,
      },
      {
        name: 'LeakyRecord',
        count: 2000,
        shallowBytes: 80000,
        retainedBytes: 2 * MB,
        distance: 4,
        largestId: 103,
      },
      { name: 'a|b<script>', count: 1, shallowBytes: 16, retainedBytes: 16, distance: 5, largestId: 104 },
    ],
  };
}

function lines(markdown: string): string[] {
  return markdown.split('\n');
}

describe('snapshot report (Markdown of the heap snapshot view)', () => {
  it('titles a summary with the file name, size, node count and totals', () => {
    const md = lines(summaryMarkdown(summary()));
    assert.equal(md[0], '# Heap snapshot: app server.heapsnapshot');
    assert.ok(md.includes('`/tmp/snaps/app server.heapsnapshot`'));
    assert.ok(md.includes('- File size: **12.5 MiB**'));
    assert.ok(md.includes('- Nodes: **123,456**, edges: **654,321**'));
    assert.ok(md.includes('- Total shallow size: **8.0 MiB** in 4 constructors'));
    assert.ok(md.includes('- Unreachable nodes: 42'));
    assert.ok(md.includes('- Parsed in 1,200 ms, analysed in 340 ms'));
  });

  it('lists constructors by retained size with count, shallow and retained, escaping names', () => {
    const md = lines(summaryMarkdown(summary()));
    const header = md.indexOf('| Constructor | Count | Shallow size | Retained size |');
    assert.ok(header > 0);
    assert.equal(md[header + 1], '| :--- | ---: | ---: | ---: |');
    assert.deepEqual(md.slice(header + 2, header + 6), [
      '| (compiled code) | 900 | 2.0 MiB | 3.0 MiB |',
      '| LeakyRecord | 2,000 | 78.1 KiB | 2.0 MiB |',
      '| Object | 5,000 | 160 KiB | 1.0 MiB |',
      '| a\\|b\\<script\\> | 1 | 16 B | 16 B |',
    ]);
    assert.equal(md[header + 6], '');
  });

  it('limits the rows and says how many were left out', () => {
    const md = lines(summaryMarkdown(summary(), { rows: 2 }));
    const header = md.indexOf('| Constructor | Count | Shallow size | Retained size |');
    assert.equal(md[header + 3], '| LeakyRecord | 2,000 | 78.1 KiB | 2.0 MiB |');
    assert.equal(md[header + 4], '');
    assert.equal(md[header + 5], 'Showing the first 2 of 4 constructors.');
    assert.ok(!md.some((l) => l.startsWith('| Object')));
  });

  it('points at the CLI for retainer paths of the largest non-internal constructor', () => {
    const md = summaryMarkdown(summary());
    assert.match(md, /## Next steps/);
    assert.ok(
      md.includes("`heapscope retainers '/tmp/snaps/app server.heapsnapshot' --constructor LeakyRecord`"),
      md,
    );
  });

  const two: DiffResult = {
    files: ['/s/a.heapsnapshot', '/s/b.heapsnapshot'],
    diff: {
      newCount: 1300,
      newBytes: 2 * MB + 12000,
      freedCount: 200,
      freedBytes: 64 * KB,
      constructors: [
        {
          name: 'Closure',
          newCount: 0,
          newBytes: 0,
          freedCount: 200,
          freedBytes: 64 * KB,
          survivingCount: 10,
          survivingBytes: 640,
          countDelta: -200,
          bytesDelta: -64 * KB,
        },
        {
          name: 'LeakyRecord',
          newCount: 300,
          newBytes: 12000,
          freedCount: 0,
          freedBytes: 0,
          survivingCount: 0,
          survivingBytes: 0,
          countDelta: 300,
          bytesDelta: 12000,
        },
        {
          name: 'Unchanged',
          newCount: 0,
          newBytes: 0,
          freedCount: 0,
          freedBytes: 0,
          survivingCount: 7,
          survivingBytes: 700,
          countDelta: 0,
          bytesDelta: 0,
        },
        {
          name: 'Buffer',
          newCount: 1000,
          newBytes: 2 * MB,
          freedCount: 0,
          freedBytes: 0,
          survivingCount: 5,
          survivingBytes: 400,
          countDelta: 1000,
          bytesDelta: 2 * MB,
        },
      ],
    },
  };

  it('diffs two snapshots: totals, then new / freed / surviving per constructor, largest growth first', () => {
    const md = lines(diffMarkdown(two, { fileBytes: [2 * MB, 5 * MB] }));
    assert.equal(md[0], '# Heap snapshot diff: a.heapsnapshot → b.heapsnapshot');
    assert.ok(md.includes('1. `/s/a.heapsnapshot` (2.0 MiB)'));
    assert.ok(md.includes('2. `/s/b.heapsnapshot` (5.0 MiB)'));
    assert.ok(md.includes('## a.heapsnapshot → b.heapsnapshot'));
    assert.ok(md.includes('- New: **1,300** objects (2.0 MiB)'));
    assert.ok(md.includes('- Freed: **200** objects (64.0 KiB)'));
    assert.ok(md.includes('- Net: +1,100 objects (+1.9 MiB)'));
    const header = md.indexOf(
      '| Constructor | New | New size | Freed | Freed size | Surviving | Surviving size | Δ count | Δ size |',
    );
    assert.ok(header > 0);
    assert.deepEqual(md.slice(header + 2, header + 5), [
      '| Buffer | 1,000 | 2.0 MiB | 0 | 0 B | 5 | 400 B | +1,000 | +2.0 MiB |',
      '| LeakyRecord | 300 | 11.7 KiB | 0 | 0 B | 0 | 0 B | +300 | +11.7 KiB |',
      '| Closure | 0 | 0 B | 200 | 64.0 KiB | 10 | 640 B | -200 | -64.0 KiB |',
    ]);
    assert.equal(md[header + 5], '');
    assert.equal(md[header + 6], '1 constructor with no new and no freed objects not listed.');
    assert.ok(!md.some((l) => l.includes('Unchanged')));
    assert.ok(!md.some((l) => l.includes('Allocated between')));
    assert.ok(md.includes('## Next steps'));
    assert.ok(md.some((l) => l.includes('`heapscope retainers /s/b.heapsnapshot --constructor Buffer`')));
  });

  it('adds "allocated between 1 and 2 and still alive in 3" with three snapshots', () => {
    const three: DiffResult = {
      files: ['/s/a.heapsnapshot', '/s/b.heapsnapshot', '/s/c.heapsnapshot'],
      diff: { ...two.diff },
      allocatedBetween: {
        total: 305,
        bytes: 12000 + 5 * 80,
        constructors: [
          { name: '(system)', count: 5, bytes: 400 },
          { name: 'LeakyRecord', count: 300, bytes: 12000 },
        ],
      },
    };
    const md = lines(diffMarkdown(three));
    assert.equal(md[0], '# Heap snapshot diff: a.heapsnapshot → b.heapsnapshot → c.heapsnapshot');
    // The per-constructor diff is of the last two files.
    assert.ok(md.includes('## b.heapsnapshot → c.heapsnapshot'));
    const section = md.indexOf('## Allocated between 1 and 2 and still alive in 3');
    assert.ok(section > 0);
    assert.equal(
      md[section + 2],
      'Objects absent from a.heapsnapshot, present in b.heapsnapshot and still alive in c.heapsnapshot: **305** objects (12.1 KiB). These are the likeliest leaks.',
    );
    assert.deepEqual(md.slice(section + 4, section + 8), [
      '| Constructor | Count | Size |',
      '| :--- | ---: | ---: |',
      '| LeakyRecord | 300 | 11.7 KiB |',
      '| (system) | 5 | 400 B |',
    ]);
    // The next step names the largest program constructor among the objects that stayed.
    assert.ok(
      md.some((l) => l.includes('`heapscope retainers /s/c.heapsnapshot --constructor LeakyRecord`')),
    );
  });

  it('gives the largest object its allocation stack when the snapshot carries one', () => {
    const md = lines(
      summaryMarkdown({
        ...summary(),
        largest: [
          {
            id: 103,
            className: 'LeakyRecord',
            name: 'LeakyRecord',
            selfBytes: 40,
            retainedBytes: 72,
            distance: 4,
            paths: [{ steps: [], text: ['(root) @1 [1]', 'LeakyRecord @103'] }],
            allocationStack: [
              { functionName: 'leak', scriptName: '/srv/app/leaker.js', line: 25, column: 14 },
            ],
          },
        ],
      }),
    );
    const at = md.indexOf('Allocated:');
    assert.ok(at > md.indexOf('### LeakyRecord @103: retained 72 B'));
    assert.equal(md[at + 2], '- in `leak`, declared at [leaker.js:25](file:///srv/app/leaker.js#L25)');
  });

  it('shows where the objects were allocated when the snapshots carry allocation stacks', () => {
    const tracked: DiffResult = {
      ...two,
      allocationSites: [
        {
          count: 300,
          bytes: 12000,
          constructors: [{ name: 'LeakyRecord', count: 300 }],
          frames: [
            { functionName: 'leak', scriptName: '/srv/app/leaker.js', line: 25, column: 14 },
            { functionName: '', scriptName: 'node:internal/timers', line: 0, column: 0 },
            { functionName: 'push', scriptName: '', line: 0, column: 0 },
          ],
        },
      ],
    };
    const md = lines(diffMarkdown(tracked));
    const section = md.indexOf('## Where they were allocated');
    assert.ok(section > 0);
    assert.deepEqual(md.slice(section + 4, section + 8), [
      '- **300** objects (11.7 KiB): LeakyRecord ×300',
      '  - in `leak`, declared at [leaker.js:25](file:///srv/app/leaker.js#L25)',
      '  - in `(anonymous)`, declared at `node:internal/timers`',
      '  - in `push`',
    ]);
    assert.ok(section < md.indexOf('## Next steps'));
    // Tracked snapshots whose objects all predate tracking say so; untracked ones have no section.
    assert.ok(
      lines(diffMarkdown({ ...two, allocationSites: [] })).includes(
        'None of these objects has an allocation stack: they were allocated before allocation tracking started.',
      ),
    );
    assert.ok(!lines(diffMarkdown(two)).includes('## Where they were allocated'));
  });

  it('links files on disk at their line and shows other script URLs as code', () => {
    assert.equal(
      locationLink({ url: '/srv/app (v2)/server.js', line: 12 }),
      '[server.js:12](file:///srv/app%20%28v2%29/server.js#L12)',
    );
    assert.equal(
      locationLink({ url: 'file:///srv/app/server.js', line: 0 }),
      '[server.js](file:///srv/app/server.js)',
    );
    assert.equal(locationLink({ url: 'node:internal/timers', line: 5 }), '`node:internal/timers:5`');
  });

  it('escapes Markdown, fences code spans around backticks and quotes shell words', () => {
    assert.equal(escapeMarkdown('a|b *c* <d>\n`e`'), 'a\\|b \\*c\\* \\<d\\> \\`e\\`');
    assert.equal(codeSpan('x`y'), '``x`y``');
    assert.equal(codeSpan('`x'), '`` `x ``');
    assert.equal(shellQuote('/a/b.heapsnapshot'), '/a/b.heapsnapshot');
    assert.equal(shellQuote("it's here"), "'it'\\''s here'");
    assert.equal(shellQuote('system / Context'), "'system / Context'");
  });

  describe('with real snapshots of a leaking process', function () {
    this.timeout(120_000);
    const tmp = tempDir();
    let files: string[] = [];
    before(() => {
      files = runLeaker(tmp.dir, 'array', 300, 120);
    });
    after(() => tmp.dispose());

    it('shows the leaked class with its exact count and size in the summary and the diff', async () => {
      const sum = summaryMarkdown(await summarizeSnapshotFile(files[2], 0, { inProcess: true }), { rows: 0 });
      // 420 LeakyRecord objects of 40 bytes each are alive in c.
      assert.match(sum, /^\| LeakyRecord \| 420 \| 16\.4 KiB \| [\d.]+ KiB \|$/m);
      assert.match(sum, /^# Heap snapshot: c\.heapsnapshot$/m);

      const diff = diffMarkdown(await diffSnapshotFiles(files, 0, { inProcess: true }), { rows: 0 });
      // b → c: 120 new, the 300 of a → b survive; allocated between a and b, alive in c: 300.
      assert.match(
        diff,
        /^\| LeakyRecord \| 120 \| 4\.7 KiB \| 0 \| 0 B \| 300 \| 11\.7 KiB \| \+120 \| \+4\.7 KiB \|$/m,
      );
      const between = diff.slice(diff.indexOf('## Allocated between 1 and 2 and still alive in 3'));
      assert.match(between, /^\| LeakyRecord \| 300 \| 11\.7 KiB \|$/m);
      assert.doesNotMatch(diff, /## What holds them/, 'holders only when asked for');
    });

    it('shows what holds the largest instance of the biggest program constructors', async () => {
      const result = await summarizeSnapshotFile(files[2], 0, { inProcess: true, largest: 20 });
      const leaky = result.constructors.find((c) => c.name === 'LeakyRecord');
      assert.ok(leaky && leaky.largestId > 0);
      assert.ok(result.largest && result.largest.length <= 20);
      assert.ok(
        result.largest.every((o) => !o.className.startsWith('(') && o.className !== 'Object'),
        'V8 groups and generic classes are left out',
      );
      const record = result.largest.find((o) => o.className === 'LeakyRecord');
      assert.ok(record, result.largest.map((o) => o.className).join(', '));
      assert.equal(record.id, leaky.largestId);
      const markdown = summaryMarkdown(result);
      const section = markdown.slice(
        markdown.indexOf('## What holds the largest objects'),
        markdown.indexOf('## Next steps'),
      );
      const line = fixtureLine('constructor(i)');
      assert.ok(section.includes(`### LeakyRecord @${record.id}: retained `), section);
      assert.ok(section.includes(`Defined at [leaker.js:${line}](file://${LEAKER}#L${line}).`), section);
      assert.match(section, /^```text\n\(root\)[^]*leakyRecords[^]*LeakyRecord @\d+\n```$/m);
      assert.doesNotMatch(summaryMarkdown({ ...result, largest: undefined }), /What holds the largest/);
    });

    it('names what holds the grown objects, with a link to the line that declares it', async () => {
      const result = await diffSnapshotFiles(files, 0, { inProcess: true, holders: 5 });
      const group = result.holders?.find((h) => h.constructorName === 'LeakyRecord');
      assert.ok(group, JSON.stringify(result.holders));
      assert.equal(group.addedCount, 300, 'allocated between a and b, alive in c');
      assert.equal(group.holder.name, 'leakyRecords');
      assert.equal('declaration' in group, false, 'the worker-side query is not handed out');
      const markdown = diffMarkdown(result);
      const section = markdown.slice(
        markdown.indexOf('## What holds them'),
        markdown.indexOf('## Next steps'),
      );
      const line = fixtureLine('const leakyRecords = [];');
      assert.match(section, /^### LeakyRecord: 300 objects \([\d.]+ KiB\)$/m);
      assert.ok(
        section.includes(
          `Held by **\`leakyRecords\`** (Array), declared at [leaker.js:${line}](file://${LEAKER}#L${line}).`,
        ),
        section,
      );
      assert.match(section, /^```text\n\(root\)/m, 'the retainer path from the root, in a code block');
    });
  });
});
