// Benchmark (not a test): how long "stop" takes on a target whose heap is large and still growing,
// the case where a stop used to hang (holder snapshots of a heap that kept leaking). Each run
// launches test/fixtures/targets/grow.js through a MemorySession (as the extension and the CLI do),
// waits until its heap passes --heap-mb (default 300) while it keeps growing, then stops and times
// (a) stop() resolving (report written, recording closed) and (b) the target's pid being gone.
// Prints the median and the worst, and writes bench/results/stop-latency.json.
// With --cli, the whole `heapscope check` process instead (dist/cli.js, build first): Ctrl-C (SIGINT)
// once the target announces its heap, timed to the CLI's exit (report written) and the target gone.
// Usage: npx tsx bench/stop/run.ts [--runs 10] [--heap-mb 300] [--cli]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemorySession } from '../../src/core/session';

const ROOT = path.resolve(__dirname, '../..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 10);
const heapMb = arg('--heap-mb', 300);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The launched target's pid: the node process running grow.js with the run's marker. */
function targetPid(marker: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(marker) && cmdline.includes('--inspect=') && !cmdline.includes('cli.js'))
      return Number(entry);
  }
  return undefined;
}

async function cliRun(run: number, dir: string) {
  const marker = `--bench-${process.pid}-${run}`;
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'dist/cli.js'),
      'check',
      '--duration',
      '600',
      '--json',
      path.join(dir, `report-${run}.json`),
      '--',
      process.execPath,
      path.join(ROOT, 'test/fixtures/targets/grow.js'),
      marker,
    ],
    {
      env: { ...process.env, GROW_TARGET_MB: String(heapMb), GROW_RATE_MB_PER_S: '8' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/\[target\] grown \d+/.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`the CLI exited early: ${stderr}`)));
  });
  const pid = targetPid(marker);
  if (pid === undefined) throw new Error('target pid not found');
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const t0 = performance.now();
  child.kill('SIGINT');
  let targetGoneMs = -1;
  const gone = until(() => !alive(pid), 30_000).then(() => (targetGoneMs = performance.now() - t0));
  await exited;
  const stopMs = performance.now() - t0;
  await gone;
  const heapUsedBytes = Number(/grown (\d+)/.exec(stderr)?.[1] ?? 0) * 1048576;
  return { run, heapUsedBytes, stopMs: Math.round(stopMs), targetGoneMs: Math.round(targetGoneMs) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-stopbench-'));
  const rows: Array<{ run: number; heapUsedBytes: number; stopMs: number; targetGoneMs: number }> = [];
  try {
    for (let run = 1; run <= runs; run++) {
      if (process.argv.includes('--cli')) {
        const row = await cliRun(run, dir);
        rows.push(row);
        console.log(
          `run ${run}: heap ${(row.heapUsedBytes / 1048576).toFixed(0)} MiB, CLI exit ${row.stopMs} ms after Ctrl-C, target gone ${row.targetGoneMs} ms`,
        );
        continue;
      }
      const session = new MemorySession({
        target: {
          kind: 'launch',
          command: process.execPath,
          args: [path.join(ROOT, 'test/fixtures/targets/grow.js')],
          env: { GROW_TARGET_MB: String(heapMb), GROW_RATE_MB_PER_S: '8' },
        },
        recordingDir: path.join(dir, `rec-${run}`),
      });
      await session.start();
      const reached = await until(
        () => (session.samples.at(-1)?.heapUsedBytes ?? 0) > heapMb * 1048576,
        120_000,
        100,
      );
      if (!reached) throw new Error(`the heap did not reach ${heapMb} MiB`);
      const pid = session.target.pid!;
      const heapUsedBytes = session.samples.at(-1)!.heapUsedBytes;
      const t0 = performance.now();
      const stopping = session.stop('bench');
      let targetGoneMs = -1;
      const gone = until(() => !alive(pid), 30_000).then(() => (targetGoneMs = performance.now() - t0));
      await stopping;
      const stopMs = performance.now() - t0;
      await gone;
      rows.push({ run, heapUsedBytes, stopMs: Math.round(stopMs), targetGoneMs: Math.round(targetGoneMs) });
      console.log(
        `run ${run}: heap ${(heapUsedBytes / 1048576).toFixed(0)} MiB, stop() ${Math.round(stopMs)} ms, target gone ${Math.round(targetGoneMs)} ms`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const stops = rows.map((r) => r.stopMs);
  const gones = rows.map((r) => r.targetGoneMs);
  const summary = {
    mode: process.argv.includes('--cli') ? 'heapscope check, Ctrl-C to exit' : 'MemorySession.stop()',
    node: process.version,
    heapMb,
    runs: rows.length,
    stopMedianMs: median(stops),
    stopWorstMs: Math.max(...stops),
    targetGoneMedianMs: median(gones),
    targetGoneWorstMs: Math.max(...gones),
    rows,
  };
  console.log(
    `${summary.mode}: median ${summary.stopMedianMs} ms, worst ${summary.stopWorstMs} ms; target gone: median ${summary.targetGoneMedianMs} ms, worst ${summary.targetGoneWorstMs} ms`,
  );
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const name = process.argv.includes('--cli') ? 'stop-latency-cli.json' : 'stop-latency.json';
  writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(summary, null, 2)}\n`);
}

void main();
