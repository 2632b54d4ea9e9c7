// The verdict of a process with worker threads: a leak in any isolate is the process's, and says
// where; a no-leak needs every isolate flat.
import { strict as assert } from 'node:assert';
import { combineIsolateVerdicts, ProcessVerdictHistory } from '../../../src/core/leak';
import type { TrendVerdict, Verdict } from '../../../src/core/types';

function v(verdict: Verdict, confidence: number, reason: string): TrendVerdict {
  return { verdict, growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence }, reason };
}

describe('leak/processVerdict: one verdict for every isolate of a process', () => {
  it('without workers, the main thread verdict as it is', () => {
    const main = v('no-leak', 0.9, 'Flat.');
    assert.equal(combineIsolateVerdicts(main, []), main);
    assert.equal(combineIsolateVerdicts(main, [{ label: 'worker a', verdict: undefined }]), main);
  });

  it('a leaking worker under a flat main thread: leak, naming the worker', () => {
    const out = combineIsolateVerdicts(v('no-leak', 0.95, 'Flat.'), [
      { label: 'worker pool-0', verdict: v('no-leak', 0.9, 'Flat.') },
      { label: 'worker builder', verdict: v('leak', 0.97, 'JS heap post-GC floor rises 3 MiB/min.') },
    ]);
    assert.equal(out.verdict, 'leak');
    assert.equal(out.growth.confidence, 0.97);
    assert.match(out.reason, /^In the worker builder: /);
  });

  it('a flat main thread and a worker not settled yet: inconclusive, never no-leak', () => {
    const out = combineIsolateVerdicts(v('no-leak', 0.95, 'Flat.'), [
      { label: 'worker builder', verdict: v('inconclusive', 0, 'Heap floor rising 3 MiB/min for 40 s.') },
    ]);
    assert.equal(out.verdict, 'inconclusive');
    assert.equal(out.growth.confidence, 0);
    assert.match(out.reason, /worker builder is not settled/);
  });

  it('every isolate flat: no-leak at the weakest confidence', () => {
    const out = combineIsolateVerdicts(v('no-leak', 0.95, 'Flat.'), [
      { label: 'worker a', verdict: v('no-leak', 0.8, 'Flat.') },
    ]);
    assert.equal(out.verdict, 'no-leak');
    assert.equal(out.growth.confidence, 0.8);
  });

  it('an inconclusive main thread stays inconclusive whatever the workers say', () => {
    const main = v('inconclusive', 0, 'Not enough data yet.');
    assert.equal(
      combineIsolateVerdicts(main, [{ label: 'worker a', verdict: v('no-leak', 0.9, 'x') }]),
      main,
    );
  });

  it('the history keeps changes only', () => {
    const history = new ProcessVerdictHistory();
    history.note(v('inconclusive', 0, 'a'), 1000, 1000);
    history.note(v('inconclusive', 0, 'b'), 2000, 1000);
    history.note(v('leak', 0.9, 'c'), 52_000, 1000);
    assert.deepEqual(
      history.history.map((c) => [c.verdict, c.atSeconds]),
      [
        ['inconclusive', 0],
        ['leak', 51],
      ],
    );
  });
});
