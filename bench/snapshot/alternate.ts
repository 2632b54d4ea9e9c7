// Two builds of `heapscope summary` against each other: each checkout's built dist/cli.js runs on
// the same snapshot in alternating rounds, with a pause before every run, so that both meet the
// machine and its memory in the same state (the pause matters on a VM that hands idle memory back to
// its host: see docs/heapsnapshot.md#performance). Prints each run and the medians; writes nothing.
//
// Usage: npx tsx bench/snapshot/alternate.ts <checkout A> <checkout B> [--rounds N] [--pause S]
//        [--file F]   (default: 8 rounds, 6 s, .cache/bench/server-small-4000000.heapsnapshot)
// A checkout is a git worktree with `npm run build` done, e.g. `git worktree add ../base <rev>`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CACHE, timedNode } from './tools';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const checkouts = process.argv.slice(2, 4);
const rounds = Math.max(1, Number(option('--rounds', '8')) || 8);
const pauseSeconds = Math.max(0, Number(option('--pause', '6')));
const file = path.resolve(option('--file', path.join(CACHE, 'server-small-4000000.heapsnapshot')));

if (checkouts.length !== 2 || checkouts.some((c) => c.startsWith('--'))) {
  process.stderr.write('usage: alternate.ts <checkout A> <checkout B> [--rounds N] [--pause S] [--file F]\n');
  process.exit(2);
}
const clis = checkouts.map((c) => path.resolve(c, 'dist/cli.js'));
for (const cli of clis) if (!existsSync(cli)) throw new Error(`${cli} is missing: build that checkout first`);
if (!existsSync(file)) throw new Error(`${file} is missing: run bench/snapshot/run.ts once to generate it`);

const pause = new Int32Array(new SharedArrayBuffer(4));
const seconds: number[][] = clis.map(() => []);
for (let round = 1; round <= rounds; round++) {
  clis.forEach((cli, i) => {
    Atomics.wait(pause, 0, 0, pauseSeconds * 1000);
    const run = timedNode(cli, ['summary', file, '--quiet', '--top', '20', '--json', '-'], 6000);
    if (!run.ok) throw new Error(`${checkouts[i]} failed: ${run.stderr.slice(-500)}`);
    seconds[i]!.push(run.seconds);
    process.stdout.write(
      `round ${round} ${checkouts[i]}: ${run.seconds} s wall, ${run.cpuSeconds} s CPU, ${run.peakRssMb} MB\n`,
    );
  });
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
checkouts.forEach((checkout, i) =>
  process.stdout.write(`${checkout}: median ${median(seconds[i]!)} s (${seconds[i]!.join(', ')})\n`),
);
