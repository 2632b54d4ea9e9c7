'use strict';
// Builds a server-shaped heap (sessions in a Map, request logs in arrays, per-session closures,
// many small strings) of about `nodes` snapshot nodes, then writes a heap snapshot.
// Usage: node --max-old-space-size=N generate.js <out.heapsnapshot> <nodes>
const v8 = require('node:v8');
const [out, nodesArg] = process.argv.slice(2);
// About 9 snapshot nodes per session (object, strings, arrays, closure, context, log entry).
const sessions = Math.round(Number(nodesArg) / 9);
const byId = new Map();
const recent = [];
const handlers = [];
class Session {
  constructor(i) {
    this.id = i;
    this.user = `user-${i}`;
    this.roles = ['reader', i % 7 === 0 ? 'admin' : 'writer'];
    this.hits = i % 100;
    this.lastSeen = { at: 1700000000000 + i, path: `/api/items/${i % 5000}` };
  }
}
for (let i = 0; i < sessions; i++) {
  const session = new Session(i);
  byId.set(`s${i}`, session);
  if (i % 2 === 0) recent.push({ session, status: 200 + (i % 3) });
  if (i % 4 === 0) handlers.push(() => session.hits);
}
globalThis.state = { byId, recent, handlers };
v8.writeHeapSnapshot(out);
