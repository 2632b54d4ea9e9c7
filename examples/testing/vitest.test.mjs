// vitest (ESM): npx vitest run --config examples/testing/vitest.config.mjs
import { test } from 'vitest';
import { expectNoLeak } from 'heapscope/testing';
import orders from './orders.cjs';

test('placing orders does not leak', async () => {
  let i = 0;
  await expectNoLeak(() => orders.placeOrder(orders.skusFor(i++)), { warmup: 400, iterations: 300 });
}, 60_000);
