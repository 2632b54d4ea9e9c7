// heapscope/testing in this very process (mocha, no --expose-gc): expectHeapStable's total bound,
// measureRetained's figures, and clear messages for bad options.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { expectHeapStable, expectNoLeak, LeakAssertionError, measureRetained } from '../../../src/testing';

describe('heapscope/testing API (in-process)', function () {
  this.timeout(60_000);

  it('expectHeapStable allows a bounded total and fails past it, naming the site', async () => {
    const kept: number[][] = [];
    // Keeps 64 arrays of ~1 KiB, then nothing more: ~70 KiB in all, under a 1 MiB bound.
    const boundedKeeper = () => {
      if (kept.length < 64) kept.push(new Array(128).fill(1.5));
    };
    await expectHeapStable(boundedKeeper, { iterations: 200, warmup: 0 });

    const forever: number[][] = [];
    const growForever = () => {
      forever.push(new Array(2048).fill(2.5));
    };
    await assert.rejects(
      expectHeapStable(growForever, { iterations: 200, maxGrowthBytes: 512 * 1024 }),
      (error) => {
        assert.ok(error instanceof LeakAssertionError);
        assert.match(
          error.message,
          /^Heap not stable: [\d.]+ (KiB|MiB) retained over 200 iterations \(limit 512\.0 KiB\)/,
        );
        // This file runs compiled (tsx): the site is mapped back to the line written here.
        const line =
          readFileSync(__filename, 'utf8')
            .split('\n')
            .findIndex((l) => l.includes('const growForever')) + 1;
        assert.match(
          error.message,
          new RegExp(`\\(${__filename}:${line}:\\d+\\): \\+[\\d.]+ KiB per iteration`),
        );
        assert.ok(error.measurement.bytesPerIteration > 12_000, `${error.measurement.bytesPerIteration}`);
        return true;
      },
    );
  });

  it('measureRetained reports the readings and a summary without judging', async () => {
    const kept: number[][] = [];
    const m = await measureRetained(() => kept.push(new Array(512).fill(kept.length + 0.5)), {
      iterations: 100,
      rounds: 5,
    });
    assert.equal(m.readings.length, 6);
    assert.equal(m.iterations, 100);
    assert.ok(m.bytesPerIteration > 3000, `${m.bytesPerIteration}`);
    assert.match(m.summary, /KiB retained per iteration over 100 iterations; most from /);
  });

  it('refuses bad options with a message', async () => {
    await assert.rejects(
      expectNoLeak(() => 1, { iterations: 1 }),
      /iterations must be a whole number ≥ 2, not 1/,
    );
    await assert.rejects(
      expectNoLeak(() => 1, { tolerance: -1 }),
      /tolerance must be ≥ 0 bytes, not -1/,
    );
    await assert.rejects(
      measureRetained('not a function' as unknown as () => unknown),
      /pass the iteration as a function/,
    );
  });
});
