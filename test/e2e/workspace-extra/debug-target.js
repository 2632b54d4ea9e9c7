// Debug target of the e2e test "debug session": allocates steadily, stops at a `debugger` statement
// (a breakpoint, as far as the debugger is concerned) after a few seconds, then keeps running.
'use strict';
const kept = [];
let ticks = 0;

function work() {
  ticks++;
  kept.push({ tick: ticks, data: 'y'.repeat(4096) });
  if (ticks === 8) {
    debugger; // the test waits for "paused" here, then continues
  }
  if (ticks > 600) process.exit(0);
}

console.log('debug-target running');
setInterval(work, 1000);
