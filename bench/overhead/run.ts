// Throughput cost of a `check` session: an HTTP server on loopback under a bounded load generator,
// requests/s in alternating phases without and with a MemorySession attached (metrics, GC events,
// allocation sampling at the default interval). Prints the ratio; writes bench/results/overhead.json.
// Run: npx tsx bench/overhead/run.ts [--phase-seconds 8] [--pairs 3] [--sampling-interval 32768]
//        [--no-sampling] (metrics + GC events only, to split the sampler's share from the rest)
// The machine is shared and noisy: each pair (baseline, check; order alternating) gives one ratio, and
// the figure is the median of those ratios with their spread, not a ratio of means that one slow
// phase can swing.
import { Agent, request } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchWithInspector } from '../../src/core/inspector';
import { MemorySession } from '../../src/core/session';
import { DEFAULT_SAMPLING_INTERVAL_BYTES } from '../../src/core/sampling';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const PHASE_SECONDS = Math.min(20, arg('phase-seconds', 8));
const PAIRS = arg('pairs', 3);
const CONCURRENCY = arg('concurrency', 16);
const SAMPLING_INTERVAL = arg('sampling-interval', DEFAULT_SAMPLING_INTERVAL_BYTES);
const SAMPLING = !process.argv.includes('--no-sampling');

/** Closed-loop load: CONCURRENCY requests in flight for `seconds`, then stops by itself. */
async function load(port: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let n = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: `/${n++}`, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            done++;
            resolve();
          });
        });
        req.on('error', reject);
        req.end();
      });
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return done / ((Date.now() - started) / 1000);
}

/**
 * CPU time the server process has used (user + system, ms), from /proc (Linux). Less sensitive to
 * neighbours than requests/s: work done per request does not change when another process takes the core.
 */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12] are utime, stime in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  let port = 0;
  const server = await launchWithInspector(process.execPath, [join(__dirname, 'server.js')], {
    onOutput: (line) => {
      const match = /listening (\d+)/.exec(line);
      if (match) port = Number(match[1]);
    },
  });
  try {
    while (!port) await new Promise((resolve) => setTimeout(resolve, 50));
    await load(port, 3); // warm-up: JIT and caches
    const baseline: number[] = [];
    const withCheck: number[] = [];
    const cpuPerKBaseline: number[] = [];
    const cpuPerKWithCheck: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      // Alternate the order so drift (thermal, neighbours) does not favour one side.
      for (const attached of pair % 2 === 0 ? [false, true] : [true, false]) {
        let session: MemorySession | undefined;
        if (attached) {
          session = new MemorySession({
            target: { kind: 'attach', address: server.inspectorUrl },
            samplingIntervalBytes: SAMPLING_INTERVAL,
            allocationSampling: SAMPLING,
          });
          await session.start();
        }
        const cpuBefore = cpuMsOf(server.pid);
        const rps = await load(port, PHASE_SECONDS);
        const cpuAfter = cpuMsOf(server.pid);
        if (cpuBefore !== undefined && cpuAfter !== undefined) {
          (attached ? cpuPerKWithCheck : cpuPerKBaseline).push(
            (cpuAfter - cpuBefore) / ((rps * PHASE_SECONDS) / 1000),
          );
        }
        if (session) {
          const report = await session.stop('bench phase done');
          process.stderr.write(`  (session: ${report.samples} samples, ${report.gcEvents} GCs)\n`);
        }
        (attached ? withCheck : baseline).push(rps);
        process.stderr.write(`phase ${attached ? 'with check' : 'baseline  '}: ${rps.toFixed(0)} req/s\n`);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const pairRatios = baseline.map((b, i) => withCheck[i]! / b);
    const ratio = median(pairRatios);
    const round4 = (x: number) => Math.round(x * 10000) / 10000;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      phaseSeconds: PHASE_SECONDS,
      pairs: PAIRS,
      concurrency: CONCURRENCY,
      samplingIntervalBytes: SAMPLING_INTERVAL,
      allocationSampling: SAMPLING,
      baselineRequestsPerSecond: baseline.map(Math.round),
      withCheckRequestsPerSecond: withCheck.map(Math.round),
      pairRatios: pairRatios.map(round4),
      /** Median of the per-pair ratios. */
      ratio: round4(ratio),
      ratioSpread: [round4(Math.min(...pairRatios)), round4(Math.max(...pairRatios))],
      throughputLossPercent: Math.round((1 - ratio) * 10000) / 100,
      goalLossPercent: 2,
      /** Server CPU ms per 1000 requests (median over phases): the cost the target pays per request. */
      serverCpuMsPerKRequests: {
        baseline: cpuPerKBaseline.length ? round4(median(cpuPerKBaseline)) : null,
        withCheck: cpuPerKWithCheck.length ? round4(median(cpuPerKWithCheck)) : null,
      },
    };
    mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(join(__dirname, '..', 'results', 'overhead.json'), JSON.stringify(result, null, 2) + '\n');
    const cpu = result.serverCpuMsPerKRequests;
    if (cpu.baseline && cpu.withCheck) {
      console.log(
        `server CPU per 1000 requests: ${cpu.withCheck.toFixed(1)} vs ${cpu.baseline.toFixed(1)} ms with/without check (+${((cpu.withCheck / cpu.baseline - 1) * 100).toFixed(1)}%)`,
      );
    }
    console.log(
      `overhead: ${mean(withCheck).toFixed(0)} vs ${mean(baseline).toFixed(0)} req/s with/without check: median pair ratio ${result.ratio} (spread ${result.ratioSpread.join('..')}; ${result.throughputLossPercent}% loss; goal <= 2%)`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
