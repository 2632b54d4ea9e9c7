// Writes a heap snapshot whose heap holds one instance each of N distinct classes (Class0 …
// ClassN-1): the explorer's Summary then lists about N constructors (the scroll bench's 100k rows).
// Usage: node bench/explorer/manyClasses.js <out.heapsnapshot> [N = 100000]
'use strict';
const v8 = require('node:v8');

const [out, n = '100000'] = process.argv.slice(2);
if (!out) {
  console.error('usage: node bench/explorer/manyClasses.js <out.heapsnapshot> [N]');
  process.exit(2);
}
const kept = [];
for (let i = 0; i < Number(n); i++) {
  // A class of its own name each: V8 names the instances by their constructor.
  const Class = new Function(`return class Class${i} { constructor() { this.i = ${i}; } }`)();
  kept.push(new Class());
}
v8.writeHeapSnapshot(out);
console.log(`${out}: ${kept.length} classes`);
