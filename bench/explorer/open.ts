// Benchmark (not a test) of the explorer's open path on a big snapshot, in-process, against
// DevTools' parse + dominators on the same file in the same rounds: the time from opening the file
// to the provisional class table (counts and shallow sizes, right after the parse), and to the
// analysed one (retained sizes), next to DevTools' whole run (`heap-snapshot-toolkit`: parse,
// dominators, retained sizes), one run of each per round so that both share the machine's load.
// Usage: npx tsx bench/explorer/open.ts <file.heapsnapshot> [--rounds N]
// (bench/snapshot/run.ts generates such files into .cache/bench.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, '.cache/bench');
mkdirSync(CACHE, { recursive: true });

const file = process.argv[2];
if (!file || !existsSync(file)) {
  process.stderr.write('usage: npx tsx bench/explorer/open.ts <file.heapsnapshot> [--rounds N]\n');
  process.exit(2);
}
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1]) || 1) : 2;

async function explorerRunner(): Promise<string> {
  const entry = path.join(CACHE, 'explorer-open.ts');
  writeFileSync(
    entry,
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
  const out = path.join(CACHE, 'explorer-open.js');
  await esbuild.build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
    external: ['chrome-remote-interface'],
  });
  return out;
}

function devtoolsRunner(): string {
  const out = path.join(CACHE, 'devtools-analyse.mjs');
  const toolkit = path.join(ROOT, 'node_modules/heap-snapshot-toolkit/index.js');
  writeFileSync(
    out,
    `import { createReadStream } from 'node:fs';
import { parse } from ${JSON.stringify(toolkit)};
const snapshot = await parse(createReadStream(process.argv[2], 'utf-8'));
console.log(JSON.stringify({ nodeCount: snapshot.nodeCount, rootRetainedBytes: snapshot.rootNode().retainedSize() }));\n`,
  );
  return out;
}

const { NODE_EXTRA_CA_CERTS: _extraCerts, ...toolEnv } = process.env;

// DevTools needs about four times the file in JS heap (1.7 GB file: ~6.5 GB).
const heapMb = statSync(file).size > 1e9 ? 16000 : 6000;

function run(script: string): { seconds: number; peakMb: number; output: Record<string, number> } {
  const t0 = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, `--max-old-space-size=${heapMb}`, script, file],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: toolEnv,
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr ?? '');
  return {
    seconds,
    peakMb: rss ? Math.round(Number(rss[1]) / 1024) : -1,
    output: JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'),
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
