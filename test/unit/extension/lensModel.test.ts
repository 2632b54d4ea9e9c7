import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Suspect } from '../../../src/core/types';
import { findDeclarationLine, lensesForFile } from '../../../src/extension/lensModel';
import { suspectMarkdown } from '../../../src/extension/suspectDetail';

const source = `'use strict';
const sessionLog = [];

function recordSession(request) {
  const session = {
    id: 1,
    payload: 'x'.repeat(2048),
  };
  sessionLog.push(session);
  return session;
}

class Cache {
  put(key, value) {
    this.map.set(key, value);
  }
}

const handler = async (req) => {
  return [req];
};
`.split('\n');

describe('extension CodeLens model', () => {
  it('puts the lens over the function, method, class or arrow that allocates', () => {
    assert.equal(findDeclarationLine(source, 'recordSession', 5), 4);
    assert.equal(findDeclarationLine(source, 'Cache.put', 15), 14);
    assert.equal(findDeclarationLine(source, 'Cache', 14), 13);
    assert.equal(findDeclarationLine(source, 'handler', 20), 19);
  });

  it('keeps the allocation line for anonymous functions and misses', () => {
    assert.equal(findDeclarationLine(source, '', 9), 9);
    assert.equal(findDeclarationLine(source, '(anonymous)', 9), 9);
    assert.equal(findDeclarationLine(source, 'notThere', 9), 9);
    assert.equal(findDeclarationLine(source, 'recordSession', 500), 4);
  });

  const root = path.resolve('/ws');
  const file = path.join(root, 'server.js');
  const suspect: Suspect = {
    rank: 1,
    kind: 'heap',
    functionName: 'recordSession',
    url: pathToFileURL(file).href,
    line: 5,
    column: 19,
    liveBytes: 14 * 1024 * 1024,
    growthBytesPerMinute: 2.1 * 1024 * 1024,
    stack: [
      { functionName: 'recordSession', url: pathToFileURL(file).href, line: 5, column: 19 },
      {
        functionName: 'handle',
        url: pathToFileURL(file).href,
        line: 23,
        column: 3,
        foldedFrom: 'node:_http_server',
      },
    ],
    holder: {
      kind: 'Array',
      name: 'sessionLog',
      path: ['(GC roots)', 'Context of server.js', 'sessionLog', 'Array'],
      location: { functionName: '', url: file, line: 2, column: 7 },
      count: 4000,
      retainedBytes: 9 * 1024 * 1024,
    },
    series: [
      [0, 1024],
      [60000, 2 * 1024 * 1024],
      [120000, 4 * 1024 * 1024],
    ],
  };

  it('makes a suspect lens and a holder lens in the suspect file only', () => {
    const lenses = lensesForFile(
      file,
      source,
      [{ sessionId: 's1', suspects: [suspect] }],
      [root],
      () => true,
    );
    assert.deepEqual(
      lenses.map((l) => [l.role, l.line, l.siteLine]),
      [
        ['suspect', 4, 5],
        ['holder', 2, 2],
      ],
    );
    assert.equal(lenses[0]!.title, '⚠ leak suspect · +2.1 MiB/min live · 14.0 MiB');
    assert.deepEqual(
      lensesForFile(
        path.join(root, 'other.js'),
        source,
        [{ sessionId: 's1', suspects: [suspect] }],
        [root],
        () => true,
      ),
      [],
    );
  });

  it('does not stack the same lens twice when two sessions watch one program', () => {
    const lenses = lensesForFile(
      file,
      source,
      [
        { sessionId: 's1', suspects: [suspect] },
        { sessionId: 's2', suspects: [suspect] },
      ],
      [root],
      () => true,
    );
    assert.equal(lenses.length, 2);
  });

  it('marks the allocation line in the ruler when known, and keeps the lens over the function', () => {
    const withAllocation: Suspect = {
      ...suspect,
      allocation: { line: 7, column: 18, callee: "'x'.repeat", how: 'callee-in-source' },
    };
    const lenses = lensesForFile(
      file,
      source,
      [{ sessionId: 's1', suspects: [withAllocation] }],
      [root],
      () => true,
    );
    assert.deepEqual(
      lenses.map((l) => [l.role, l.line, l.siteLine]),
      [
        ['suspect', 4, 7],
        ['holder', 2, 2],
      ],
    );
    const md = suspectMarkdown(withAllocation, 'api', [root], () => true);
    assert.match(md, /- Allocates at line \*\*7\*\* \(`'x'\.repeat`\)/);
    assert.doesNotMatch(
      suspectMarkdown(suspect, 'api', [root], () => true),
      /Allocates at/,
    );
  });

  it('writes the detail with stack, holder, retainer path and sparkline', () => {
    const md = suspectMarkdown(suspect, 'api', [root], () => true);
    assert.match(md, /Leak suspect #1: `recordSession`/);
    assert.match(md, /Held by: \*\*Array `sessionLog`\*\* \(4000 objects, 9\.0 MiB\) at server\.js:2/);
    assert.match(md, /\(GC roots\)\n {2}└ Context of server\.js\n {4}└ sessionLog/);
    assert.match(md, /at handle \(server\.js:23:3\)\s+\[via node:_http_server\]/);
    assert.match(md, /Growth: `▁[▁-█]*█`/);
  });
});
