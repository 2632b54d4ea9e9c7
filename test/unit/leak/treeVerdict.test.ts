// The verdict of a launched process tree: a leak anywhere but in a wrapper is the tree's and says
// where; flatness is decided by the apps running now; wrappers, supervisors' flatness and ended
// processes' unfinished verdicts hold nothing back.
import { strict as assert } from 'node:assert';
import { combineTreeVerdicts, type TreeMemberVerdict } from '../../../src/core/leak';
import type { TrendVerdict, Verdict } from '../../../src/core/types';

function v(verdict: Verdict, confidence: number, reason: string, heap = 0): TrendVerdict {
  return { verdict, growth: { heapBytesPerMinute: heap, externalBytesPerMinute: 0, confidence }, reason };
}

function m(
  label: string,
  role: TreeMemberVerdict['role'],
  verdict?: TrendVerdict,
  ended = false,
): TreeMemberVerdict {
  return { label, role, verdict, ended };
}

describe('leak/treeVerdict: one verdict for every process of a launched tree', () => {
  it('one app behind wrappers: its own verdict, as it is', () => {
    const app = v('leak', 0.9, 'Heap floor rises.');
    assert.equal(
      combineTreeVerdicts([m('pid 1 (npm)', 'wrapper'), m('pid 2 (node server.js)', 'app', app)]),
      app,
    );
  });

  it('a leak in one cluster worker beside a flat one and a flat primary: leak, naming that worker', () => {
    const out = combineTreeVerdicts([
      m('pid 10 (node cluster.js)', 'supervisor', v('no-leak', 0.9, 'Flat.')),
      m('pid 11 (node cluster.js)', 'app', v('leak', 0.97, 'Heap floor rises 3 MiB/min.', 3e6)),
      m('pid 12 (node cluster.js)', 'app', v('no-leak', 0.95, 'Flat.')),
    ]);
    assert.equal(out.verdict, 'leak');
    assert.equal(out.growth.heapBytesPerMinute, 3e6);
    assert.equal(out.reason, 'In pid 11 (node cluster.js): heap floor rises 3 MiB/min.');
  });

  it('a leak in an earlier life of a restarted app is still a leak', () => {
    const out = combineTreeVerdicts([
      m('pid 20 (node app.js)', 'app', v('leak', 0.9, 'Rises.'), true),
      m('pid 21 (node app.js)', 'app', v('inconclusive', 0, 'Not enough data yet.')),
    ]);
    assert.equal(out.verdict, 'leak');
    assert.match(out.reason, /^In pid 20/);
  });

  it('no-leak only when every running app is flat; the least certain one sets the confidence', () => {
    const out = combineTreeVerdicts([
      m('pid 10 (node cluster.js)', 'supervisor', v('inconclusive', 0, 'Not enough data yet.')),
      m('pid 11 (node cluster.js)', 'app', v('no-leak', 0.95, 'Flat.')),
      m('pid 12 (node cluster.js)', 'app', v('no-leak', 0.8, 'Flat too.')),
      m('pid 9 (node cluster.js)', 'app', v('inconclusive', 0, 'Ended early.'), true),
    ]);
    assert.equal(out.verdict, 'no-leak');
    assert.equal(out.growth.confidence, 0.8);
    assert.match(
      out.reason,
      /^Every process that does the work is flat \(pid 11 .*, pid 12 .*\)\. Flat too\.$/,
    );
  });

  it('one running app not settled: inconclusive, naming it', () => {
    const out = combineTreeVerdicts([
      m('pid 11 (node a.js)', 'app', v('no-leak', 0.95, 'Flat.')),
      m('pid 12 (node a.js)', 'app', v('inconclusive', 0, 'Heap floor rises, not yet sustained.')),
    ]);
    assert.equal(out.verdict, 'inconclusive');
    assert.equal(out.growth.confidence, 0);
    assert.equal(out.reason, 'In pid 12 (node a.js): heap floor rises, not yet sustained.');
  });

  it('a supervisor alone decides when no app runs; nothing observed yet is inconclusive', () => {
    assert.equal(
      combineTreeVerdicts([
        m('pid 10 (node p.js)', 'supervisor', v('no-leak', 0.9, 'Flat.')),
        m('pid 11 (node p.js)', 'app', v('inconclusive', 0, 'Short.'), true),
      ]).verdict,
      'no-leak',
    );
    const none = combineTreeVerdicts([m('pid 1 (npm)', 'wrapper'), m('pid 2 (node a.js)', 'app')]);
    assert.equal(none.verdict, 'inconclusive');
    assert.match(none.reason, /No process of the tree that does the work has readings yet/);
    const gone = combineTreeVerdicts([
      m('pid 2 (node a.js)', 'app', v('inconclusive', 0, 'Short.'), true),
      m('pid 3 (node a.js)', 'app', v('no-leak', 0.9, 'Flat.'), true),
    ]);
    assert.equal(gone.verdict, 'inconclusive');
    assert.match(gone.reason, /ended without a leak call/);
  });
});
