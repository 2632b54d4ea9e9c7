// Throughput cost of a `check` session: an HTTP server on loopback under a bounded load generator,
// requests/s in alternating phases without and with a MemorySession attached (metrics, GC events,
// allocation sampling at the default interval). Prints the ratio; writes bench/results/overhead.json.
// Run: npx tsx bench/overhead/run.ts [--phase-seconds 8] [--pairs 3] [--sampling-interval 32768]
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
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
    for (let pair = 0; pair < PAIRS; pair++) {
      // Alternate the order so drift (thermal, neighbours) does not favour one side.
      for (const attached of pair % 2 === 0 ? [false, true] : [true, false]) {
        let session: MemorySession | undefined;
        if (attached) {
          session = new MemorySession({
            target: { kind: 'attach', address: server.inspectorUrl },
            samplingIntervalBytes: SAMPLING_INTERVAL,
            holders: false,
          });
          await session.start();
        }
        const rps = await load(port, PHASE_SECONDS);
        if (session) {
          const report = await session.stop('bench phase done');
          process.stderr.write(`  (session: ${report.samples} samples, ${report.gcEvents} GCs)\n`);
        }
        (attached ? withCheck : baseline).push(rps);
        process.stderr.write(`phase ${attached ? 'with check' : 'baseline  '}: ${rps.toFixed(0)} req/s\n`);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(withCheck) / mean(baseline);
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      phaseSeconds: PHASE_SECONDS,
      pairs: PAIRS,
      concurrency: CONCURRENCY,
      samplingIntervalBytes: SAMPLING_INTERVAL,
      baselineRequestsPerSecond: baseline.map(Math.round),
      withCheckRequestsPerSecond: withCheck.map(Math.round),
      ratio: Math.round(ratio * 10000) / 10000,
      throughputLossPercent: Math.round((1 - ratio) * 10000) / 100,
      goalLossPercent: 2,
    };
    mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(join(__dirname, '..', 'results', 'overhead.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(
      `overhead: ${mean(withCheck).toFixed(0)} vs ${mean(baseline).toFixed(0)} req/s with/without check: ratio ${result.ratio} (${result.throughputLossPercent}% loss; goal <= 2%)`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
