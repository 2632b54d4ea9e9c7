// node:test (ESM): node --test examples/testing/node-test.test.mjs
import { test } from 'node:test';
import { expectNoLeak } from 'heapscope/testing';
import orders from './orders.cjs';

test('placing orders does not leak', async () => {
  let i = 0;
  // The warm-up fills the 200-entry price cache and the buffer pool; after it, memory must stay flat.
  await expectNoLeak(() => orders.placeOrder(orders.skusFor(i++)), { warmup: 400, iterations: 300 });
});
