// The service under load for bench/overhead: a JSON endpoint that does typical per-request work
// (parse, build objects, serialise), with a bounded cache so it has a live heap but does not leak.
'use strict';
const http = require('node:http');
const cache = new Map();
const server = http.createServer((req, res) => {
  const id = Number(req.url.slice(1)) % 5000;
  let entry = cache.get(id);
  if (!entry) {
    entry = { id, name: `item-${id}`, tags: Array.from({ length: 8 }, (_, i) => `t${i}`) };
    cache.set(id, entry);
  }
  const items = Array.from({ length: 50 }, (_, i) => ({ i, v: i * id, s: entry.name }));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ entry, items }));
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
