// Benchmark (not a test) of the explorer's open path on a big snapshot, in-process, against
// DevTools' parse + dominators on the same file in the same rounds: the time from opening the file
// to the provisional class table (counts and shallow sizes, right after the parse), and to the
// analysed one (retained sizes), next to DevTools' whole run (`heap-snapshot-toolkit`: parse,
// dominators, retained sizes), one run of each per round so that both share the machine's load.
// Usage: npx tsx bench/explorer/open.ts <file.heapsnapshot> [--rounds N]
// (bench/snapshot/run.ts generates such files into .cache/bench.)
import { existsSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { bundledScript, devtoolsRunner, ROOT, timedNode } from '../snapshot/tools';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  process.stderr.write('usage: npx tsx bench/explorer/open.ts <file.heapsnapshot> [--rounds N]\n');
  process.exit(2);
}
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1]) || 1) : 2;

function explorerRunner(): Promise<string> {
  return bundledScript(
    'explorer-open',
    `import { openSnapshotExplorer } from ${JSON.stringify(path.join(ROOT, 'src/core/heapsnapshot/queries/client'))};
const t0 = performance.now();
let provisionalMs = -1;
let provisionalClasses = 0;
openSnapshotExplorer(process.argv[2], {
  inProcess: true,
  onProvisional: (table) => {
    provisionalMs = performance.now() - t0;
    provisionalClasses = table.classes.length;
  },
}).then((handle) => {
  const readyMs = performance.now() - t0;
  console.log(JSON.stringify({
    provisionalMs: Math.round(provisionalMs), provisionalClasses, readyMs: Math.round(readyMs),
    parseMs: handle.info.parseMs, analyseMs: handle.info.analyseMs, classes: handle.classes.length,
  }));
  process.exit(0);
});\n`,
  );
}

// DevTools needs about four times the file in JS heap (1.7 GB file: ~6.5 GB).
const heapMb = statSync(file).size > 1e9 ? 16000 : 6000;

function run(script: string): { seconds: number; peakMb: number; output: Record<string, number> } {
  const result = timedNode(script, [file], heapMb);
  if (!result.ok) throw new Error(`${script} failed: ${result.stderr}`);
  return {
    seconds: result.seconds,
    peakMb: result.peakRssMb,
    output: JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>,
  };
}

async function main(): Promise<void> {
  const explorer = await explorerRunner();
  const devtools = devtoolsRunner();
  const mb = Math.round(statSync(file).size / (1 << 20));
  process.stdout.write(`explorer open vs DevTools parse+dominators: ${file} (${mb} MiB)\n`);
  for (let round = 1; round <= rounds; round++) {
    const load = loadavg()[0].toFixed(1);
    const ours = run(explorer);
    const dt = run(devtools);
    const o = ours.output;
    process.stdout.write(
      `round ${round} (load ${load}): provisional table ${o.provisionalMs} ms (${o.provisionalClasses} classes), ` +
        `analysed table ${o.readyMs} ms (parse ${o.parseMs}, analysis ${o.analyseMs}), peak ${ours.peakMb} MiB; ` +
        `DevTools ${dt.seconds.toFixed(2)} s (whole process), peak ${dt.peakMb} MiB → ×${((dt.seconds * 1000) / o.provisionalMs).toFixed(1)} ` +
        `to the provisional table, ×${((dt.seconds * 1000) / o.readyMs).toFixed(1)} to the analysed one\n`,
    );
  }
}

void main();
