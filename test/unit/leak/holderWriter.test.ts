// A holder-only suspect is named by the function that adds to the holder, found in the holder's file.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameHolderWriters } from '../../../src/core/leak/holders';
import { findHolderWriter } from '../../../src/core/leak/holderWriter';
import type { Suspect } from '../../../src/core/types';

const corpus = join(__dirname, '..', '..', 'fixtures', 'leaks');
const read = (file: string) => readFileSync(join(corpus, file), 'utf8');

describe('leak/holderWriter: the function that adds to a holder', () => {
  it('finds the culprit function of the corpus from its holder', () => {
    for (const [file, holder, fn, line] of [
      ['slow-leak-churn.js', 'seenClients', 'noteClient', 9],
      ['buffers-offheap.js', 'replayLog', 'keepForReplay', 8],
      ['large-heap-slow-leak.js', 'orderHistory', 'recordOrder', 11],
      ['npm-app/server.js', 'auditEntries', 'auditRequest', 8],
    ] as const) {
      const writer = findHolderWriter(read(file), holder);
      assert.deepEqual([writer?.functionName, writer?.line], [fn, line], file);
    }
  });

  it('says nothing when two functions write, when writes are at module level, or for `this`', () => {
    const two = `const log = [];\nfunction a(x) { log.push(x); }\nfunction b(x) { log.push(x); }\n`;
    assert.equal(findHolderWriter(two, 'log'), undefined);
    assert.equal(findHolderWriter(`const log = [];\nlog.push(1);\n`, 'log'), undefined);
    assert.equal(findHolderWriter(`class A { add(x) { this.items.push(x); } }`, 'this.items'), undefined);
    // Reads, comparisons and other names are not writes.
    const reads = `const seen = new Map();\nfunction look(k) { return seen.get(k) === seen[k] == 1; }\nfunction w(k) { unseen.set(k, 1); }\n`;
    assert.equal(findHolderWriter(reads, 'seen'), undefined);
    // Indexed assignment, arrow functions and a nested holder path.
    const arrow = `const cache = {};\nconst remember = (k, v) => {\n  cache[k] = v;\n};\n`;
    assert.deepEqual(findHolderWriter(arrow, 'cache.entries'), {
      functionName: 'remember',
      line: 2,
      column: 7,
      writeLine: 3,
    });
  });

  it('renames a holder-only suspect and keeps its holder; sampled suspects are untouched', async () => {
    const url = 'file:///app/slow-leak-churn.js';
    const holderOnly: Suspect = {
      rank: 1,
      kind: 'heap',
      functionName: 'seenClients',
      url,
      line: 6,
      column: 7,
      liveBytes: 1000,
      growthBytesPerMinute: 100,
      stack: [{ functionName: 'seenClients', url, line: 6, column: 7 }],
      holder: { name: 'seenClients', kind: 'Array', path: ['(module) seenClients'] },
      note: '40 Object objects kept by seenClients; no sampled allocation site explains them.',
    };
    const sampled: Suspect = {
      ...holderOnly,
      rank: 2,
      functionName: 'handle',
      holder: undefined,
      note: undefined,
    };
    const [renamed, same] = await nameHolderWriters([holderOnly, sampled], async () =>
      read('slow-leak-churn.js'),
    );
    assert.equal(renamed.functionName, 'noteClient');
    assert.equal(renamed.line, 9);
    assert.equal(renamed.holder?.name, 'seenClients');
    assert.match(renamed.note ?? '', /^noteClient adds to seenClients at line 10\. 40 Object objects/);
    assert.equal(renamed.stack[0].functionName, 'noteClient');
    assert.deepEqual(same, sampled);
  });
});
