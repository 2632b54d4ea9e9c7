// The live flame graph's file refresher: writes at start, then on every tick, one write at a time;
// the first failure stops it and is reported once; stop means stop.
import { strict as assert } from 'node:assert';
import { LiveProfileExport } from '../../../src/core/heapprofile/liveExport';

describe('live heap profile export', () => {
  it('writes at start and then every interval until stopped', async () => {
    let writes = 0;
    let reached!: () => void;
    const threeWrites = new Promise<void>((resolve) => (reached = resolve));
    const live = new LiveProfileExport(
      async () => {
        writes++;
        if (writes === 3) reached();
      },
      '/tmp/x.heapprofile',
      5,
    );
    await live.start();
    assert.equal(writes, 1);
    await threeWrites;
    live.stop();
    const after = writes;
    // Stopped: another interval's worth of waiting adds no write.
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(writes, after);
    assert.equal(live.running, false);
  });

  it('throws the first write’s error, and stops on a later failure, reporting it once', async () => {
    const failing = new LiveProfileExport(async () => {
      throw new Error('There is no allocation sampling profile yet');
    }, '/tmp/y.heapprofile');
    await assert.rejects(failing.start(), /no allocation sampling profile/);

    let calls = 0;
    const reported: unknown[] = [];
    let stopped!: () => void;
    const onStop = new Promise<void>((resolve) => (stopped = resolve));
    const live = new LiveProfileExport(
      async () => {
        calls++;
        if (calls > 1) throw new Error('session ended');
      },
      '/tmp/z.heapprofile',
      5,
      (error) => {
        reported.push(error);
        stopped();
      },
    );
    await live.start();
    await onStop;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(calls, 2);
    assert.equal(reported.length, 1);
    assert.equal(live.running, false);
  });
});
