// mocha (CommonJS): npx mocha --no-config examples/testing/mocha.test.cjs
'use strict';
const { expectNoLeak } = require('heapscope/testing');
const orders = require('./orders.cjs');

describe('orders', function () {
  this.timeout(60_000);
  it('placing orders does not leak', async () => {
    let i = 0;
    await expectNoLeak(() => orders.placeOrder(orders.skusFor(i++)), { warmup: 400, iterations: 300 });
  });
});
