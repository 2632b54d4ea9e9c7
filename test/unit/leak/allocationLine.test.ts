import { strict as assert } from 'node:assert';
import {
  calleeAboveTop,
  callableName,
  findAllocationLine,
  maskSource,
} from '../../../src/core/leak/allocationLine';

/** 1-based line and column of `needle` in `source`, as V8 reports a function (its parameter list). */
function at(source: string, needle: string): [number, number] {
  const offset = source.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in source`);
  const before = source.slice(0, offset).split('\n');
  return [before.length, before[before.length - 1].length + 1];
}

const SERVER = `'use strict';
const http = require('node:http');

/** The leak: grows by one entry per request, forever. */
const sessionLog = [];

function recordSession(request) {
  const session = {
    id: Math.random().toString(36).slice(2),
    path: request.url,
    headers: { ...request.headers },
    startedAt: new Date().toISOString(),
    payload: 'x'.repeat(2048) + Math.random(),
  };
  sessionLog.push(session);
  return session;
}

function handle(request, response) {
  const session = recordSession(request);
  const scratch = Array.from({ length: 200 }, (_, i) => ({ i, v: Math.random() }));
  response.end(JSON.stringify({ ok: true, id: session.id, n: scratch.length, pad: 'y'.repeat(4) }));
}
`;

describe('leak/allocationLine: the call inside the culprit function', () => {
  it('function declaration: the one call to the folded builtin, with the callee as written', () => {
    const [line, column] = at(SERVER, '(request) {');
    assert.deepEqual(findAllocationLine(SERVER, line, column, 'repeat'), {
      line: 13,
      column: 18,
      callee: "'x'.repeat",
    });
    assert.deepEqual(findAllocationLine(SERVER, line, column, 'push'), {
      line: 15,
      column: 14,
      callee: 'sessionLog.push',
    });
    assert.deepEqual(findAllocationLine(SERVER, line, column, 'Date'), {
      line: 12,
      column: 16,
      callee: 'new Date',
    });
    // Only the function's own body is searched: handle's 'y'.repeat is not recordSession's.
    const [hLine, hColumn] = at(SERVER, '(request, response) {');
    assert.equal(findAllocationLine(SERVER, hLine, hColumn, 'repeat')?.line, 22);
    assert.equal(findAllocationLine(SERVER, hLine, hColumn, 'Buffer.alloc'), undefined);
    // V8 names a builtin reached through a namespace by its own name: `Array.from` is `from`.
    assert.deepEqual(findAllocationLine(SERVER, hLine, hColumn, 'from'), {
      line: 21,
      column: 25,
      callee: 'Array.from',
    });
  });

  it('class method, and a class reported at its head (the constructor is searched)', () => {
    const source = [
      'class Store {',
      '  constructor(limit) {',
      '    this.items = new Map();',
      '    this.limit = limit;',
      '  }',
      '  add(key, item) {',
      '    this.items.set(key, item);',
      '    return this;',
      '  }',
      '  set(key, value) {',
      '    return this.items.set(key, value);',
      '  }',
      '}',
    ].join('\n');
    const [line, column] = at(source, '(key, item) {');
    assert.deepEqual(findAllocationLine(source, line, column, 'set'), {
      line: 7,
      column: 16,
      callee: 'this.items.set',
    });
    // A method named like the callee is a definition, not a call: its own `set(` is skipped.
    assert.equal(findAllocationLine(source, 10, 3, 'set')?.line, 11);
    assert.deepEqual(findAllocationLine(source, 1, 1, 'Map'), { line: 3, column: 18, callee: 'new Map' });
  });

  it('arrow functions with a body and with a single expression', () => {
    const source = [
      'const replay = [];',
      'const keep = (i) => {',
      '  const chunk = Buffer.alloc(64 * 1024, i & 0xff);',
      '  replay.push(chunk);',
      '};',
      "const pad = (s) => s.padEnd(4096, ' ');",
      'const padMore = (s) => s.padEnd(8192);',
      'const wrap = (list) => list.map((s) => s.concat("!"), 1);',
    ].join('\n');
    // node:buffer's alloc is what Buffer.alloc runs.
    assert.deepEqual(findAllocationLine(source, ...at(source, '(i) =>'), 'alloc'), {
      line: 3,
      column: 24,
      callee: 'Buffer.alloc',
    });
    // The expression body ends with its line: padMore's call is not pad's.
    assert.deepEqual(findAllocationLine(source, ...at(source, '(s) => s.padEnd(4096'), 'padEnd'), {
      line: 6,
      column: 22,
      callee: 's.padEnd',
    });
    // An arrow passed as an argument ends at the argument's comma.
    const [line, column] = at(source, '(s) => s.concat');
    assert.equal(findAllocationLine(source, line, column, 'concat')?.column, 42);
    assert.equal(findAllocationLine(source, line, column, 'map'), undefined);
  });

  it('several calls on several lines: nothing; several on one line: the first', () => {
    const source = [
      'function build(n) {',
      "  const a = 'a'.repeat(n);",
      "  const b = 'b'.repeat(n);",
      "  const c = 'c'.repeat(n) + '-'.repeat(2);",
      '  return a + b + c;',
      '}',
      'function one(n) {',
      "  return 'c'.repeat(n) + '-'.repeat(2);",
      '}',
    ].join('\n');
    assert.equal(findAllocationLine(source, 1, 15, 'repeat'), undefined);
    assert.deepEqual(findAllocationLine(source, 7, 13, 'repeat'), {
      line: 8,
      column: 14,
      callee: "'c'.repeat",
    });
  });

  it('calls in comments, strings, template text and regular expressions are not calls', () => {
    const source = [
      'function log(entry) {',
      '  // entries.push(entry) was here; /* entries.push(x) */ too',
      '  /* entries.push(entry);',
      '     } */',
      '  const label = "entries.push(entry) {";',
      "  const other = 'push(';",
      '  const text = `push(${entry.id}) { ${ { a: "}" }.a }`;',
      '  const re = /push\\(}/g;',
      '  entries.push(entry);',
      '  return text + label + other + re;',
      '}',
      'function after() { entries.push(1); }',
    ].join('\n');
    assert.deepEqual(findAllocationLine(source, 1, 13, 'push'), {
      line: 9,
      column: 11,
      callee: 'entries.push',
    });
  });

  it('nested functions count as the outer function (V8 inlines callbacks): alone, or ambiguous', () => {
    // Documented choice: a call in a nested callback is a candidate too, because TurboFan inlines
    // forEach/map callbacks into their caller, whose frame is then charged with their allocations.
    const nestedOnly = [
      'function fill(items) {',
      '  items.forEach((x) => {',
      '    log.push(x.repeat(2));',
      '  });',
      '}',
    ].join('\n');
    assert.equal(findAllocationLine(nestedOnly, 1, 14, 'repeat')?.line, 3);
    const both = [
      'function fill(items) {',
      "  const head = 'h'.repeat(10);",
      '  items.forEach(function (x) {',
      '    log.push(x.repeat(2));',
      '  });',
      '  return head;',
      '}',
    ].join('\n');
    assert.equal(findAllocationLine(both, 1, 14, 'repeat'), undefined);
  });

  it('declarations named like the callee, missing calls and bad positions give nothing', () => {
    const source = ['function outer() {', '  function repeat(n) { return n; }', '  return repeat;', '}'].join(
      '\n',
    );
    assert.equal(findAllocationLine(source, 1, 15, 'repeat'), undefined);
    assert.equal(findAllocationLine(SERVER, 7, 23, 'concat'), undefined);
    assert.equal(findAllocationLine(SERVER, 400, 1, 'repeat'), undefined);
    assert.equal(findAllocationLine(SERVER, 7, 500, 'repeat'), undefined);
    assert.equal(findAllocationLine(SERVER, 7, 23, ''), undefined);
    assert.equal(findAllocationLine(SERVER, 7, 23, 'get size'), undefined);
    // A position that is not a function's (mid-statement): no body, no line.
    assert.equal(findAllocationLine('a = b;\nx.repeat(2);\n', 1, 1, 'repeat'), undefined);
  });

  it('masks literals but keeps offsets, newlines and template substitutions', () => {
    const source = "a(`x${ {b:1}.b + `y${c}` }z`, 'q' / 2, /r\\/[/]/g); // d\n/* e */ f";
    const masked = maskSource(source);
    assert.equal(masked.length, source.length);
    assert.equal(masked.split('\n').length, 2);
    assert.ok(masked.includes('{b:1}.b'));
    assert.ok(masked.includes(' c '));
    assert.ok(!/[`'xyzqre]/.test(masked.replace('{b:1}.b', '')));
    assert.ok(masked.includes('/ 2'));
    assert.ok(masked.endsWith(' f'));
  });

  it('names the callee from the frame just above the first user frame', () => {
    const user = { functionName: 'keep', url: '/srv/app.js', line: 3, column: 14 };
    assert.equal(
      calleeAboveTop([
        { functionName: 'FastBuffer', url: 'node:internal/buffer', line: 1, column: 1 },
        { functionName: 'alloc', url: 'node:buffer', line: 2, column: 1 },
        user,
      ])?.functionName,
      'alloc',
    );
    assert.equal(calleeAboveTop([{ functionName: 'repeat', url: '', line: 0, column: 0 }, user])?.url, '');
    assert.equal(calleeAboveTop([user]), undefined);
    assert.equal(callableName('Buffer.from'), 'from');
    assert.equal(callableName('(anonymous)'), undefined);
    assert.equal(callableName('set foo'), undefined);
  });
});
