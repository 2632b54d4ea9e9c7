// The code under test in the examples: an order service with memory that is bounded on purpose (a
// price cache of at most 200 entries, a pool of at most 8 buffers). With HEAPSCOPE_EXAMPLE_LEAK=1 it
// also keeps every order in an audit log that nothing ever empties: the leak the tests must catch.
'use strict';

const CACHE_SIZE = 200;
const priceCache = new Map();
const bufferPool = [];
const auditLog = [];

function priceOf(sku) {
  let price = priceCache.get(sku);
  if (price === undefined) {
    price = { sku, cents: 100 + ((sku.length * 7919) % 900), label: `Item ${sku}`.padEnd(64, '.') };
    if (priceCache.size >= CACHE_SIZE) priceCache.delete(priceCache.keys().next().value);
    priceCache.set(sku, price);
  }
  return price;
}

function withBuffer(use) {
  const buffer = bufferPool.pop() ?? Buffer.alloc(16 * 1024);
  try {
    return use(buffer);
  } finally {
    if (bufferPool.length < 8) bufferPool.push(buffer);
  }
}

function receiptText(order, total) {
  const lines = order.lines.map((l) => `${l.sku.padEnd(40)} x${l.quantity}`.padEnd(120));
  return [`Order ${order.id}`.padEnd(120), ...lines, `Total ${total}`.padEnd(120)].join('\n');
}

function recordAudit(order, total) {
  if (process.env.HEAPSCOPE_EXAMPLE_LEAK !== '1') return;
  auditLog.push({ id: order.id, at: new Date().toISOString(), receipt: receiptText(order, total) });
}

let nextId = 0;

/** One request: price the lines (cached), render the receipt into a pooled buffer, audit. */
async function placeOrder(skus) {
  const order = { id: ++nextId, lines: skus.map((sku) => ({ sku, quantity: 1 + (sku.length % 3) })) };
  const total = order.lines.reduce((sum, line) => sum + priceOf(line.sku).cents * line.quantity, 0);
  const written = withBuffer((buffer) =>
    buffer.write(JSON.stringify({ id: order.id, total, lines: order.lines })),
  );
  recordAudit(order, total);
  await Promise.resolve();
  return { id: order.id, total, written };
}

/** The skus of the i-th example request: 500 distinct skus, so the cache fills, then evicts. */
function skusFor(i) {
  return [`sku-${i % 500}`, `sku-${(i * 7) % 500}`, `sku-${(i * 13) % 500}`];
}

module.exports = { placeOrder, skusFor, CACHE_SIZE };
