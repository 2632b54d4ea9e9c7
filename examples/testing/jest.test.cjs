// jest (CommonJS): npx jest --config examples/testing/jest.config.cjs
'use strict';
const { expectNoLeak } = require('heapscope/testing');
const orders = require('./orders.cjs');

test('placing orders does not leak', async () => {
  let i = 0;
  await expectNoLeak(() => orders.placeOrder(orders.skusFor(i++)), { warmup: 400, iterations: 300 });
}, 60_000);
