'use strict';
// One measurement of heapscope/testing in a fresh process: node case.js <kind> <bytes> <iterations> <warmup>
// kind: leak (keeps <bytes> per iteration), cache (a full LRU of 1,000 entries that evicts), pool
// (objects borrowed from and returned to a pool of 64). Prints the measurement as JSON.
const { measureRetained } = require('heapscope/testing');

const [kind, bytesText, iterationsText, warmupText] = process.argv.slice(2);
const bytes = Number(bytesText);
const kept = [];
const cache = new Map();
const pool = Array.from({ length: 64 }, () => ({ buffer: new Float64Array(128), used: 0 }));

function leak() {
  // A double array holds 8 bytes per element plus its header: size it to the asked bytes.
  kept.push(new Array(Math.max(1, Math.round((bytes - 32) / 8))).fill(0.5));
}

let i = 0;
function lruCache() {
  const key = `k${i++ % 3000}`;
  let value = cache.get(key);
  if (value) {
    cache.delete(key);
  } else {
    value = { key, payload: 'v'.repeat(512) + key };
    if (cache.size >= 1000) cache.delete(cache.keys().next().value);
  }
  cache.set(key, value);
  return value.payload.length;
}

async function pooled() {
  const item = pool.pop();
  item.used++;
  item.buffer.fill(item.used);
  await Promise.resolve();
  pool.push(item);
}

const fn = { leak, cache: lruCache, pool: pooled }[kind];
measureRetained(fn, { iterations: Number(iterationsText), warmup: Number(warmupText) }).then((m) => {
  process.stdout.write(
    JSON.stringify({
      bytesPerIteration: m.bytesPerIteration,
      growthBytes: m.growthBytes,
      top: m.sites[0]?.functionName,
    }),
  );
});
