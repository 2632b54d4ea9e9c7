import { strict as assert } from 'node:assert';
import type { MemorySample, TrendVerdict, Verdict } from '../../../src/core/types';
import { LEAK_NOTIFY_AFTER_MS, VerdictNotifier } from '../../../src/extension/verdictNotifier';

const MB = 1024 * 1024;
const T0 = 1_700_000_000_000;

function verdict(kind: Verdict, confidence = 0.97): TrendVerdict {
  return {
    verdict: kind,
    growth: { heapBytesPerMinute: 6 * MB, externalBytesPerMinute: 0, confidence },
    reason: 'test',
  };
}

function samplesUntil(seconds: number): MemorySample[] {
  const out: MemorySample[] = [];
  for (let s = 0; s <= seconds; s++)
    out.push({
      timeMs: T0 + s * 1000,
      rssBytes: 1,
      heapTotalBytes: 1,
      heapUsedBytes: 1,
      externalBytes: 1,
      arrayBuffersBytes: 1,
    });
  return out;
}

/** Feeds one verdict per second from `from` to `to` (inclusive); returns the messages raised. */
function feed(
  notifier: VerdictNotifier,
  from: number,
  to: number,
  kind: Verdict,
  minGrowth = MB,
): Array<[number, string]> {
  const raised: Array<[number, string]> = [];
  for (let s = from; s <= to; s++) {
    const message = notifier.observe(verdict(kind), samplesUntil(s), minGrowth);
    if (message) raised.push([s, message]);
  }
  return raised;
}

describe('extension/verdictNotifier: when a leak verdict becomes a notification', () => {
  it('waits until the leak has been shown for the stated time, then says how long the evidence spans', () => {
    assert.equal(LEAK_NOTIFY_AFTER_MS, 10_000);
    const notifier = new VerdictNotifier();
    assert.deepEqual(feed(notifier, 1, 52, 'inconclusive'), []);
    const raised = feed(notifier, 53, 90, 'leak');
    assert.equal(raised.length, 1, JSON.stringify(raised));
    assert.equal(raised[0][0], 63);
    assert.equal(
      raised[0][1],
      'leaks +6.0 MiB/min (confidence 97 %): memory has kept rising over 63 s of readings; leak shown for 10 s.',
    );
  });

  it('once per change: a leak withdrawn and called again is notified again; a blink before the hold is not', () => {
    const notifier = new VerdictNotifier();
    feed(notifier, 1, 52, 'inconclusive');
    assert.equal(feed(notifier, 53, 57, 'leak').length, 0, 'shown 5 s only');
    assert.equal(feed(notifier, 58, 70, 'inconclusive').length, 0);
    assert.deepEqual(
      feed(notifier, 71, 100, 'leak').map(([s]) => s),
      [81],
    );
    assert.equal(feed(notifier, 101, 120, 'no-leak').length, 0, 'no-leak is not notified');
    assert.deepEqual(
      feed(notifier, 121, 140, 'leak').map(([s]) => s),
      [131],
    );
  });

  it('respects the growth threshold setting (0 turns it off)', () => {
    assert.equal(feed(new VerdictNotifier(), 1, 40, 'leak', 7 * MB).length, 0, 'below the threshold');
    assert.equal(feed(new VerdictNotifier(), 1, 40, 'leak', 0).length, 0, 'turned off');
    assert.equal(new VerdictNotifier().observe(undefined, samplesUntil(5), MB), undefined);
    assert.equal(new VerdictNotifier().observe(verdict('leak'), [], MB), undefined);
  });
});
