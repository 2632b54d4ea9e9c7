// Benchmark (not a test): parse + dominators + retained sizes of big server-shaped snapshots with
// Heapscope, Chrome DevTools' own code (heap-snapshot-toolkit), VS Code's parser
// (@vscode/v8-heap-parser, Rust compiled to WebAssembly) and memlab, each in its own child process,
// timing wall clock and reading peak RSS from /usr/bin/time -v. Heapscope is timed twice: the
// internal runner (parse + analysis, the unit the other tools do) and the `heapscope summary`
// command as a user runs it (the built dist/cli.js as a whole process: start-up, parse, analysis,
// summary, output).
// Usage: npx tsx bench/snapshot/run.ts [--small-only] [--runs N] [--no-memlab] [--no-vscode] [--warm]
// (run `npm run build` first: the command is the built CLI).
// --warm: each tool runs once untimed right before its timed run, so that both find the memory
// the last one freed still in the guest. On a VM that hands idle memory back to its host, a run
// after a pause first faults all of its memory in through the hypervisor (see
// docs/heapsnapshot.md#performance); --warm measures the tools rather than that. Its results go
// to bench/results/snapshot-warm.json.
// Each tool runs N times per file (default 3 on the small file, 1 on the large one), in rounds of
// one run of each tool, so the tools share whatever else the machine is doing; the figures are
// medians, and each round's own ratio is kept too (DevTools' time alone varied 11–18 s between
// runs on the same file here).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundledScript, CACHE, devtoolsRunner, ROOT, timedNode } from './tools';

const RESULTS = path.join(ROOT, 'bench/results');
mkdirSync(RESULTS, { recursive: true });

const smallOnly = process.argv.includes('--small-only');
const withMemlab = !process.argv.includes('--no-memlab');
const withVscode = !process.argv.includes('--no-vscode');
const warm = process.argv.includes('--warm');
const CLI = path.join(ROOT, 'dist/cli.js');
const runsArg = process.argv.indexOf('--runs');
const runsOption = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 1) : undefined;
const cases = [
  { name: 'small', nodes: 4_000_000, heapMb: 6000, runs: runsOption ?? 3 },
  ...(smallOnly ? [] : [{ name: 'large', nodes: 20_000_000, heapMb: 16000, runs: runsOption ?? 1 }]),
];

function generate(name: string, nodes: number, heapMb: number): string {
  const file = path.join(CACHE, `server-${name}-${nodes}.heapsnapshot`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} (${nodes} nodes)…\n`);
    execFileSync(
      process.execPath,
      [`--max-old-space-size=${heapMb}`, path.join(__dirname, 'generate.js'), file, String(nodes)],
      { stdio: 'inherit' },
    );
  }
  return file;
}

function buildHeapscopeRunner(): Promise<string> {
  return bundledScript(
    'heapscope-analyse',
    `import { analyseTask } from ${JSON.stringify(path.join(ROOT, 'src/core/heapsnapshot/tasks'))};
analyseTask(process.argv[2]).then((r) => console.log(JSON.stringify(r)));\n`,
  );
}

function memlabRunner(): string | undefined {
  const pkg = path.join(CACHE, 'node_modules/@memlab/heap-analysis');
  if (!existsSync(pkg)) {
    process.stderr.write('installing @memlab/heap-analysis into .cache/bench…\n');
    const result = spawnSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefix', CACHE, '@memlab/heap-analysis'],
      {
        stdio: 'inherit',
        env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
      },
    );
    if (result.status !== 0 || !existsSync(pkg)) return undefined;
  }
  const out = path.join(CACHE, 'memlab-analyse.js');
  writeFileSync(
    out,
    `const { getFullHeapFromFile } = require(${JSON.stringify(pkg)});
getFullHeapFromFile(process.argv[2]).then((heap) => { console.log(JSON.stringify({ nodeCount: heap.nodes.length })); process.exit(0); });\n`,
  );
  return out;
}

/**
 * VS Code's heap snapshot parser, installed into .cache/bench like memlab (a reference, not a
 * dependency of the extension): decode, then the class groups with retained sizes (its dominators).
 */
function vscodeParserRunner(): string | undefined {
  const pkg = path.join(CACHE, 'node_modules/@vscode/v8-heap-parser');
  if (!existsSync(pkg)) {
    process.stderr.write('installing @vscode/v8-heap-parser into .cache/bench…\n');
    const result = spawnSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefix', CACHE, '@vscode/v8-heap-parser'],
      {
        stdio: 'inherit',
      },
    );
    if (result.status !== 0 || !existsSync(pkg)) return undefined;
  }
  const out = path.join(CACHE, 'vscode-parser-analyse.js');
  writeFileSync(
    out,
    `const { readFileSync } = require('node:fs');
const { decode_bytes } = require(${JSON.stringify(pkg)});
const graph = decode_bytes(readFileSync(process.argv[2]));
const groups = graph.get_class_groups(0, 1e9, false);
console.log(JSON.stringify({ classGroups: groups.length }));\n`,
  );
  return out;
}

interface Measure {
  tool: string;
  seconds: number;
  /** user + sys CPU seconds: less sensitive than wall time to other work on a shared machine. */
  cpuSeconds: number;
  peakRssMb: number;
  ok: boolean;
  output?: unknown;
  error?: string;
}

function measure(
  tool: string,
  script: string,
  file: string,
  heapMb: number,
  args: string[] = [file],
): Measure {
  process.stderr.write(`  ${tool}…\n`);
  const run = timedNode(script, args, heapMb, warm);
  const { seconds, cpuSeconds, peakRssMb, ok } = run;
  let output: unknown;
  try {
    output = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
  } catch {
    output = undefined;
  }
  const m: Measure = { tool, seconds, cpuSeconds, peakRssMb, ok, output };
  if (!ok)
    m.error = run.stderr
      .split('\n')
      .filter((l) => l && !/^\t/.test(l))
      .slice(-5)
      .join(' | ');
  process.stderr.write(
    `    ${m.seconds} s wall, ${cpuSeconds} s CPU, ${peakRssMb} MB${ok ? '' : ` FAILED ${m.error}`}\n`,
  );
  return m;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 100) / 100;
}

/** Medians of several runs of one tool (peak memory: the largest); every run is kept. */
function combine(runs: Measure[]): Measure & { runs?: Measure[] } {
  if (runs.length === 1) return runs[0];
  const ok = runs.every((r) => r.ok);
  return {
    tool: runs[0].tool,
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    ok,
    output: runs[runs.length - 1].output,
    ...(ok ? {} : { error: runs.find((r) => !r.ok)?.error }),
    runs,
  };
}

async function main(): Promise<void> {
  const heapscope = await buildHeapscopeRunner();
  const devtools = devtoolsRunner();
  const memlab = withMemlab ? memlabRunner() : undefined;
  const vscodeParser = withVscode ? vscodeParserRunner() : undefined;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first.`);
  const report: Array<Record<string, unknown>> = [];
  for (const c of cases) {
    const file = generate(c.name, c.nodes, c.heapMb);
    const fileMb = Math.round(statSync(file).size / (1 << 20));
    process.stderr.write(`${c.name}: ${file} (${fileMb} MB)\n`);
    const rounds: Array<{ ours: Measure; cli: Measure; dt: Measure; vs?: Measure; ml?: Measure }> = [];
    for (let round = 1; round <= c.runs; round++) {
      if (c.runs > 1) process.stderr.write(` round ${round} of ${c.runs}\n`);
      rounds.push({
        ours: measure('heapscope', heapscope, file, c.heapMb),
        // The command as users run it; --json - so that the output is one line to check.
        cli: measure('heapscope summary', CLI, file, c.heapMb, [
          'summary',
          file,
          '--quiet',
          '--top',
          '20',
          '--json',
          '-',
        ]),
        dt: measure('devtools', devtools, file, c.heapMb * 2),
        vs: vscodeParser ? measure('@vscode/v8-heap-parser', vscodeParser, file, c.heapMb * 2) : undefined,
        ml: memlab ? measure('memlab', memlab, file, c.heapMb * 2) : undefined,
      });
    }
    const ours = combine(rounds.map((r) => r.ours));
    const cli = combine(rounds.map((r) => r.cli));
    const dt = combine(rounds.map((r) => r.dt));
    const vs = vscodeParser ? combine(rounds.map((r) => r.vs!)) : undefined;
    const ratio = (other: Measure | undefined, mine: Measure): number | undefined =>
      other?.ok && mine.ok ? Math.round((other.seconds / mine.seconds) * 10) / 10 : undefined;
    const ml = memlab ? combine(rounds.map((r) => r.ml!)) : undefined;
    // Each round's own ratio: the two tools ran back to back, under the same load.
    const roundSpeedups = rounds
      .filter((r) => r.ours.ok && r.dt.ok)
      .map((r) => Math.round((r.dt.seconds / r.ours.seconds) * 10) / 10);
    const row: Record<string, unknown> = {
      case: c.name,
      measuredAt: new Date().toISOString(),
      fileMb,
      nodeCount: (ours.output as { nodeCount?: number } | undefined)?.nodeCount,
      edgeCount: (ours.output as { edgeCount?: number } | undefined)?.edgeCount,
      heapscope: ours,
      heapscopeSummaryCommand: cli,
      devtools: dt,
      vscodeHeapParser: vs,
      memlab: ml,
      runs: c.runs,
      speedupVsDevtools: dt.ok && ours.ok ? Math.round((dt.seconds / ours.seconds) * 10) / 10 : undefined,
      roundSpeedupsVsDevtools: roundSpeedups,
      /** The `heapscope summary` command (whole process) against DevTools' parse + dominators. */
      commandSpeedupVsDevtools: ratio(dt, cli),
      commandRoundSpeedupsVsDevtools: rounds
        .filter((r) => r.cli.ok && r.dt.ok)
        .map((r) => Math.round((r.dt.seconds / r.cli.seconds) * 10) / 10),
      speedupVsVscodeParser: ratio(vs, ours),
      commandSpeedupVsVscodeParser: ratio(vs, cli),
      speedupVsMemlab: ml?.ok && ours.ok ? Math.round((ml.seconds / ours.seconds) * 10) / 10 : undefined,
      cpuSpeedupVsDevtools:
        dt.ok && ours.ok ? Math.round((dt.cpuSeconds / ours.cpuSeconds) * 10) / 10 : undefined,
      memoryRatioVsDevtools:
        dt.ok && ours.ok ? Math.round((dt.peakRssMb / ours.peakRssMb) * 10) / 10 : undefined,
      sameRootRetained:
        dt.ok && ours.ok
          ? (dt.output as { rootRetainedBytes?: number })?.rootRetainedBytes ===
            (ours.output as { rootRetainedBytes?: number })?.rootRetainedBytes
          : undefined,
    };
    report.push(row);
    console.log(
      `${c.name} (${fileMb} MB, ${row.nodeCount} nodes, ${row.edgeCount} edges): heapscope ${ours.seconds} s (${ours.cpuSeconds} s CPU) / ${ours.peakRssMb} MB; ` +
        `devtools ${dt.seconds} s (${dt.cpuSeconds} s CPU) / ${dt.peakRssMb} MB${ml ? `; memlab ${ml.seconds} s (${ml.cpuSeconds} s CPU) / ${ml.peakRssMb} MB` : ''}; ` +
        `speed-up ×${row.speedupVsDevtools ?? '?'} wall (×${row.cpuSpeedupVsDevtools ?? '?'} CPU) vs DevTools, ×${row.speedupVsMemlab ?? '?'} vs memlab; memory ÷${row.memoryRatioVsDevtools ?? '?'} vs DevTools; root retained equal: ${row.sameRootRetained}` +
        (c.runs > 1 ? ` (medians of ${c.runs} runs; per-round speed-ups ×${roundSpeedups.join(', ×')})` : ''),
    );
    console.log(
      `${c.name}: \`heapscope summary\` (whole process) ${cli.seconds} s (${cli.cpuSeconds} s CPU) / ${cli.peakRssMb} MB: ×${row.commandSpeedupVsDevtools ?? '?'} vs DevTools` +
        (vs
          ? `; @vscode/v8-heap-parser ${vs.seconds} s (${vs.cpuSeconds} s CPU) / ${vs.peakRssMb} MB: runner ×${row.speedupVsVscodeParser ?? '?'}, command ×${row.commandSpeedupVsVscodeParser ?? '?'}`
          : ''),
    );
  }
  // A --small-only run keeps the last large figures (marked with their own date).
  const resultsFile = path.join(RESULTS, warm ? 'snapshot-warm.json' : 'snapshot.json');
  if (existsSync(resultsFile)) {
    try {
      const previous = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
        date: string;
        cases: Array<Record<string, unknown>>;
      };
      for (const old of previous.cases)
        if (!report.some((row) => row.case === old.case))
          report.push({ ...old, measuredAt: old.measuredAt ?? previous.date });
    } catch {
      // unreadable: overwrite
    }
  }
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, warm, cases: report }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
