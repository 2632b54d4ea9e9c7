// A context variable the snapshot leaves unnamed (a hidden slot `[0]` of a block context, as Node 20
// writes for `const traces = []` inside an `else { }` block that a closure captures) is named from
// the source of the closure that owns the context, or stays unknown: never a guess.
import { strict as assert } from 'node:assert';
import { resolveDeclarations, type GrowthCandidate } from '../../../src/core/heapsnapshot/growth';

const URL = 'file:///app/cluster-worker.js';
const WORKER = `'use strict';
const cluster = require('node:cluster');

if (cluster.isPrimary) {
  const workers = [];
  for (let n = 0; n < 2; n++) workers.push(cluster.fork());
} else {
  const { drive } = require('./_load');
  const traces = [];
  const seen = new Map();

  function keepTrace(i) {
    if (process.env.SHARD === '1') traces.push({ i, span: 's'.repeat(300) + i });
    return i;
  }

  drive(200, keepTrace);
}
`;

function candidate(closureLine: number, containerKind = 'Array'): GrowthCandidate {
  return {
    constructorName: 'Object',
    addedCount: 220,
    addedBytes: 88_000,
    holder: {
      kind: containerKind,
      name: '(a variable of keepTrace)',
      path: [],
      location: { functionName: 'keepTrace', url: URL, line: closureLine + 1, column: 3 },
    },
    declaration: {
      url: URL,
      name: '',
      kind: 'unnamed-variable',
      fromLine: 0,
      closure: { line: closureLine, column: 2 },
      containerKind,
    },
  };
}

async function resolve(source: string, c: GrowthCandidate): Promise<GrowthCandidate> {
  await resolveDeclarations([c], async (key) => (key === URL ? source : undefined));
  return c;
}

describe('heapsnapshot: naming a context variable the snapshot left unnamed', () => {
  it('the one Array declared before the closure that the closure uses: `traces`', async () => {
    const c = await resolve(WORKER, candidate(11));
    assert.equal(c.holder.name, 'traces');
    assert.deepEqual(c.holder.location, { functionName: 'traces', url: URL, line: 9, column: 9 });
  });

  it('a Map holder is named by the Map the closure uses, not by the Array', async () => {
    const source = WORKER.replace('traces.push(', 'seen.set(i, ').replace(
      "process.env.SHARD === '1'",
      'true',
    );
    const c = await resolve(source, candidate(11, 'Map'));
    assert.equal(c.holder.name, 'seen');
  });

  it('stays unknown (named by its closure) when two such variables are used, or none', async () => {
    const both = WORKER.replace(
      'return i;',
      'seen.set(i, traces.length); return [].concat(workers);',
    ).replace('const seen = new Map();', 'const seen = [];');
    const ambiguous = await resolve(both, candidate(11));
    assert.equal(ambiguous.holder.name, '(a variable of keepTrace)');
    assert.equal(ambiguous.holder.location?.functionName, 'keepTrace');
    const none = WORKER.replace('traces.push(', 'console.log(');
    assert.equal((await resolve(none, candidate(11))).holder.name, '(a variable of keepTrace)');
  });

  it('stays unknown when the source cannot be read', async () => {
    const c = candidate(11);
    await resolveDeclarations([c], async () => undefined);
    assert.equal(c.holder.name, '(a variable of keepTrace)');
  });
});
