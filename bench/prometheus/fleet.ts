// Benchmark (not a test): the namespace scan as users run it, `heapscope prom --namespace` as a whole
// process, against the real `prometheus` over blocks that `promtool tsdb create-blocks-from openmetrics`
// wrote from a generated fleet (flat, daily cycles, leaks, OOM-restarting leaks; see
// test/fixtures/prometheus/fleet.ts). Reports the wall time, the requests, and the accuracy on the
// generated truth (correct, confidently wrong, inconclusive; the leaks' growth per day).
// Usage: npm run -s build && npx tsx bench/prometheus/fleet.ts [--containers=500] [--days=7]
//          [--interval=15] [--state-interval=60] [--runs=3] [--concurrency=4]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { FleetReportV1 } from '../../src/core/prometheus';
import { DAY, scenarioEnd } from '../../test/fixtures/prometheus/histories';
import { generateFleet, writeFleetOpenMetrics, type FleetKind } from '../../test/fixtures/prometheus/fleet';
import { startPrometheus } from '../../test/fixtures/prometheus/server';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const flag = (name: string, fallback: number): number => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  return value;
};
const CONTAINERS = flag('containers', 500);
const DAYS = flag('days', 7);
const INTERVAL = flag('interval', 15);
const STATE_INTERVAL = flag('state-interval', 60);
const RUNS = flag('runs', 3);
const CONCURRENCY = flag('concurrency', 4);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run -s build` first');
  const end = scenarioEnd();
  const start = end - DAYS * DAY;
  const fleet = generateFleet({ namespace: 'fleet', containers: CONTAINERS, start, end });
  const points = Math.floor((DAYS * DAY) / INTERVAL) + 1;
  console.log(
    `fleet: ${CONTAINERS} containers × ${DAYS} days at ${INTERVAL} s (${points} points each, ` +
      `${((points * CONTAINERS) / 1e6).toFixed(1)} M working-set samples; state every ${STATE_INTERVAL} s)`,
  );
  const prom = await startPrometheus({
    count: Math.ceil(DAYS),
    write: (i, file) => {
      const from = start + i * DAY;
      const to = i === Math.ceil(DAYS) - 1 ? end : from + DAY - 1;
      return writeFleetOpenMetrics(file, fleet, from, to, {
        workingSetSeconds: INTERVAL,
        stateSeconds: STATE_INTERVAL,
      });
    },
  });
  console.log(`promtool blocks + prometheus ready in ${prom.setupSeconds.toFixed(1)} s at ${prom.url}`);
  const out = mkdtempSync(path.join(tmpdir(), 'heapscope-fleet-bench-'));
  try {
    const args = [
      CLI,
      'prom',
      '--url',
      prom.url,
      '--namespace',
      'fleet',
      '--window',
      `${DAYS * 24}h`,
      '--end',
      String(end),
      '--concurrency',
      String(CONCURRENCY),
      '--quiet',
      '--json',
      path.join(out, 'scan.json'),
    ];
    const wallMs: number[] = [];
    const load: number[] = [];
    let report: FleetReportV1 | undefined;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      // Exit code 1: leaks found, which the fleet has.
      await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }).catch((error: { code?: number }) => {
        if (error.code !== 1) throw error;
      });
      wallMs.push(performance.now() - t0);
      load.push(Math.round(loadavg()[0]! * 10) / 10);
      report = JSON.parse(readFileSync(path.join(out, 'scan.json'), 'utf8')) as FleetReportV1;
    }
    const scan = report!;
    const truth = new Map(fleet.map((m) => [m.workload, m]));
    const byKind: Record<FleetKind, { n: number; correct: number; wrong: number; inconclusive: number }> = {
      flat: { n: 0, correct: 0, wrong: 0, inconclusive: 0 },
      daily: { n: 0, correct: 0, wrong: 0, inconclusive: 0 },
      leak: { n: 0, correct: 0, wrong: 0, inconclusive: 0 },
      oom: { n: 0, correct: 0, wrong: 0, inconclusive: 0 },
    };
    const rateErrors: number[] = [];
    let oomKillsFound = 0;
    let oomKillsTrue = 0;
    for (const c of scan.containers) {
      const m = truth.get(c.workload);
      if (!m) throw new Error(`scan reported an unknown container ${c.workload}`);
      const k = byKind[m.kind];
      k.n++;
      if (c.verdict === 'inconclusive') k.inconclusive++;
      else if (c.verdict === m.truth) k.correct++;
      else k.wrong++;
      if (m.kind === 'leak' && c.verdict === 'leak')
        rateErrors.push(Math.abs(c.growth.bytesPerDay - m.bytesPerDay) / m.bytesPerDay);
      oomKillsFound += c.oomKills;
      oomKillsTrue += m.oomAt.filter((t) => t > start && t <= end).length;
    }
    const kinds = Object.values(byKind);
    const total = kinds.reduce((n, k) => n + k.n, 0);
    const correct = kinds.reduce((n, k) => n + k.correct, 0);
    const wrong = kinds.reduce((n, k) => n + k.wrong, 0);
    const leaks = fleet.filter((m) => m.truth === 'leak').length;
    const leaksFirst = scan.containers
      .slice(0, leaks)
      .filter((c) => truth.get(c.workload)!.truth === 'leak').length;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      prometheus: (await run('prometheus', ['--version'])).stdout.split('\n')[0],
      fleet: {
        containers: CONTAINERS,
        days: DAYS,
        intervalSeconds: INTERVAL,
        stateIntervalSeconds: STATE_INTERVAL,
      },
      setupSeconds: Math.round(prom.setupSeconds),
      scan: {
        command: `heapscope ${args.slice(1).join(' ')}`,
        runs: RUNS,
        wallMs: { median: Math.round(median(wallMs)), runs: wallMs.map(Math.round) },
        requests: scan.requests,
        concurrency: CONCURRENCY,
        stepSeconds: scan.window.stepSeconds,
        /** The machine's 1-minute load average after each run (2 cores): how shared it was. */
        loadAverage: load,
        warnings: scan.warnings,
      },
      accuracy: {
        containersScanned: scan.containers.length,
        correct,
        confidentlyWrong: wrong,
        inconclusive: total - correct - wrong,
        share: Math.round((correct / total) * 1000) / 1000,
        byKind,
        leaksRankedFirst: `${leaksFirst}/${leaks}`,
        leakGrowthErrorMedian: rateErrors.length ? Math.round(median(rateErrors) * 1000) / 1000 : null,
        oomKills: { found: oomKillsFound, generated: oomKillsTrue },
      },
    };
    console.log(
      `scan of ${scan.containers.length} containers: median ${result.scan.wallMs.median} ms (whole process), ` +
        `${scan.requests} requests; ${correct}/${total} correct, ${wrong} confidently wrong, ` +
        `${total - correct - wrong} inconclusive; leaks ranked first ${leaksFirst}/${leaks}; ` +
        `leak growth error median ${result.accuracy.leakGrowthErrorMedian}; ` +
        `OOM kills ${oomKillsFound}/${oomKillsTrue}`,
    );
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      path.join(ROOT, 'bench/results/prometheus-fleet.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log('wrote bench/results/prometheus-fleet.json');
  } finally {
    rmSync(out, { recursive: true, force: true });
    await prom.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
