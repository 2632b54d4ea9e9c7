import { strict as assert } from 'node:assert';
import { SampleStore } from '../../../webview/store';

const at = (timeMs: number, heapUsedBytes = 1) => ({
  timeMs,
  rssBytes: 5,
  heapTotalBytes: 4,
  heapUsedBytes,
  externalBytes: 2,
  arrayBuffersBytes: 1,
});

describe('webview sample store', () => {
  it('appends in time order, growing past its first capacity', () => {
    const store = new SampleStore();
    const n = 86_400;
    const batch = Array.from({ length: n }, (_, i) => at(i * 1000, i));
    assert.equal(store.append(batch), n);
    assert.equal(store.length, n);
    assert.equal(store.ys[0]![n - 1], n - 1); // heapUsed is the first series
    assert.equal(store.ys[2]![0], 5); // RSS
    assert.equal(store.firstTimeMs, 0);
    assert.equal(store.lastTimeMs, (n - 1) * 1000);
  });

  it('drops readings that are not newer than the last one (replayed batches)', () => {
    const store = new SampleStore();
    store.append([at(1000), at(2000)]);
    assert.equal(store.append([at(2000), at(1500), at(3000)]), 1);
    assert.deepEqual(Array.from(store.x.subarray(0, store.length)), [1000, 2000, 3000]);
  });

  it('marks only major GCs but counts all', () => {
    const store = new SampleStore();
    store.appendGc([
      { timeMs: 1, kind: 'minor', durationMs: 1, heapUsedAfterBytes: 10 },
      { timeMs: 2, kind: 'major', durationMs: 5, heapUsedAfterBytes: 20 },
    ]);
    assert.equal(store.gcCount, 2);
    assert.deepEqual(store.gcTimesMs, [2]);
    assert.deepEqual(store.gcHeapAfterBytes, [20]);
    store.clear();
    assert.equal(store.length, 0);
    assert.equal(store.gcCount, 0);
  });
});
