// A slow round trip must say where its time went: to the host, in the host and worker, or back
// (the e2e prints the split). The host stamps its own clock; the page subtracts.
import { strict as assert } from 'node:assert';
import { ask, settle, timings } from '../../../webview/explorer/rpc';

describe('explorer round trips', () => {
  const global = globalThis as unknown as { window?: { __explorerIntents?: unknown[] } };
  before(() => {
    global.window = {};
  });
  after(() => {
    delete global.window;
  });

  it('splits a round trip into the way to the host, the host and the way back', async () => {
    const before = performance.timeOrigin + performance.now();
    const answered = ask({ kind: 'objects', classIndex: 2 });
    const sent = global.window!.__explorerIntents!.at(-1) as { id: number };
    // The host's clock: the query arrived 20 ms after it left, the answer left 5 ms later.
    const receivedAt = before + 20;
    const answeredAt = before + 25;
    assert.equal(
      settle({ type: 'answer', id: sent.id, answer: 'rows', ms: 5, receivedAt, answeredAt }),
      true,
    );
    assert.equal(await answered, 'rows');
    const timing = timings.at(-1)!;
    assert.equal(timing.kind, 'objects');
    assert.equal(timing.hostMs, 5);
    assert.ok(Math.abs(timing.toHostMs - 20) < 5, `to the host: ${timing.toHostMs}`);
    // The three parts add up to the round trip (the way back may be negative: two clocks).
    assert.ok(Math.abs(timing.toHostMs + 5 + timing.fromHostMs - timing.roundTripMs) < 0.01);
  });
});
