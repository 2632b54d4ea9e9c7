// heapscope/testing: leak assertions for test suites. Runs one iteration of the code under test many
// times in this process, forces full garbage collections between rounds, and fits the memory that
// stays (heap + off-heap, after GC) against the iteration count: a leak is memory that grows with
// every iteration. When it does, V8's sampling heap profiler (in-process, through node:inspector)
// names the functions whose allocations stayed, with file:line and bytes per iteration.
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { InProcessInspector } from './inspectorSession';
import { allocationSites, growingSites, type AllocationSite } from './sites';

export type { AllocationSite } from './sites';

export interface MeasureOptions {
  /** Measured iterations (default 300). */
  iterations?: number;
  /**
   * Iterations run first and not measured (default 30): caches fill, pools reach their size, code is
   * compiled. Give at least as many as a bounded cache takes to fill.
   */
  warmup?: number;
  /** The measured iterations are split into this many rounds, with a full GC after each (default 10). */
  rounds?: number;
  /** Sampling heap profiler interval in bytes (default 1024): smaller finds smaller sites, costs more. */
  samplingIntervalBytes?: number;
}

export interface NoLeakOptions extends MeasureOptions {
  /** Growth per iteration tolerated, in bytes (default 256: above the noise of a full GC's readings). */
  tolerance?: number;
}

export interface HeapStableOptions extends MeasureOptions {
  /** Growth over all measured iterations tolerated, in bytes (default 1 MiB). */
  maxGrowthBytes?: number;
}

export interface RetainedMeasurement {
  iterations: number;
  warmup: number;
  /** Slope (Theil–Sen) of the retained memory (heap used + external, after full GC) per iteration, bytes. */
  bytesPerIteration: number;
  /** Retained memory after the last round minus after the warm-up, bytes. */
  growthBytes: number;
  /** Retained memory after the warm-up and after each round, bytes. */
  readings: number[];
  /** Where the memory that stayed was allocated, largest first (sampled; at most 10). */
  sites: AllocationSite[];
  /** One line: growth per iteration and the top site. */
  summary: string;
}

/** Thrown by expectNoLeak / expectHeapStable; test runners show its message. */
export class LeakAssertionError extends Error {
  override readonly name = 'LeakAssertionError';
  constructor(
    message: string,
    readonly measurement: RetainedMeasurement,
  ) {
    super(message);
  }
}

const OWN_FILES = new Set([
  __filename,
  path.join(__dirname, 'testing.js'),
  path.join(__dirname, 'index.ts'),
  path.join(__dirname, 'sites.ts'),
  path.join(__dirname, 'inspectorSession.ts'),
]);

function retainedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** One loop for the warm-up and the rounds, so that its own compilation is done before measuring. */
async function runIterations(fn: () => unknown, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await fn();
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new TypeError(`heapscope/testing: ${name} must be a whole number ≥ ${min}, not ${String(value)}.`);
  return value;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Theil–Sen slope: the median of the slopes between every pair of readings. One reading off by a
 * step (a cache rehashing, a lazy compilation) moves it little; steady growth moves it fully.
 */
function medianSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++)
      if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
  if (!slopes.length) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

function siteLine(site: AllocationSite): string {
  return `${site.functionName} (${site.file}:${site.line}:${site.column}): +${formatBytes(site.bytesPerIteration)} per iteration`;
}

/**
 * Runs `fn` `warmup + iterations` times and measures the memory that stays per iteration. Never
 * throws for growth: expectNoLeak and expectHeapStable decide; this gives the figures.
 */
export async function measureRetained(
  fn: () => unknown,
  options: MeasureOptions = {},
): Promise<RetainedMeasurement> {
  if (typeof fn !== 'function') throw new TypeError('heapscope/testing: pass the iteration as a function.');
  const iterations = checkCount('iterations', options.iterations ?? 300, 2);
  const warmup = checkCount('warmup', options.warmup ?? 30, 0);
  const rounds = Math.min(iterations, checkCount('rounds', options.rounds ?? 10, 2));
  const inspector = new InProcessInspector();
  // V8 drops the bytecode of functions unused for a few GCs (here: the setup code, every round):
  // a step down of ~100 KiB that would hide a leak. Kept while measuring, restored after (unless the
  // process was started with it off).
  const flushing = !`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.includes(
    '--no-flush-bytecode',
  );
  if (flushing) setFlagsFromString('--no-flush-bytecode');
  try {
    // Sampling starts before the warm-up: a cache filled during it is then sampled too, and its
    // churn later (one entry replacing another) shows as constant live bytes, not as growth.
    await inspector.startSampling(
      checkCount('samplingIntervalBytes', options.samplingIntervalBytes ?? 1024, 64),
    );
    await runIterations(fn, warmup);
    // One more round before the baseline: what the first run under the profiler allocates once (the
    // loop's own code, the inspector's bookkeeping) must not count as growth.
    await runIterations(fn, Math.ceil(iterations / rounds));
    // The profile is read only here (before the first reading, so what is kept of it is in every
    // reading) and after the last one: a profile read per round would grow the heap a few KiB a round.
    await inspector.collectGarbage();
    const before = allocationSites(await inspector.samplingProfile(), OWN_FILES);
    await inspector.collectGarbage();
    const done = [0];
    const readings = [retainedBytes()];
    for (let r = 1; r <= rounds; r++) {
      const until = Math.round((iterations * r) / rounds);
      await runIterations(fn, until - done[done.length - 1]);
      await inspector.collectGarbage();
      done.push(until);
      readings.push(retainedBytes());
    }
    const after = allocationSites(await inspector.samplingProfile(), OWN_FILES);
    await inspector.stopSampling();
    const bytesPerIteration = medianSlope(done, readings);
    const sites = growingSites([before, after], [0, iterations], slope).slice(0, 10);
    const top = sites[0];
    const summary =
      `${formatBytes(bytesPerIteration)} retained per iteration over ${iterations} iterations` +
      (top && bytesPerIteration > 0 ? `; most from ${siteLine(top)}` : '');
    return {
      iterations,
      warmup,
      bytesPerIteration,
      growthBytes: readings[readings.length - 1] - readings[0],
      readings,
      sites,
      summary,
    };
  } finally {
    inspector.close();
    if (flushing) setFlagsFromString('--flush-bytecode');
  }
}

function failure(headline: string, m: RetainedMeasurement): string {
  const first = m.readings[0];
  const last = m.readings[m.readings.length - 1];
  const lines = [
    headline,
    `  retained after GC: ${formatBytes(first)} after the warm-up, ${formatBytes(last)} after ${m.iterations} more iterations (${m.growthBytes >= 0 ? '+' : ''}${formatBytes(m.growthBytes)})`,
  ];
  const sites = m.sites.filter((s) => s.bytesPerIteration >= 1).slice(0, 5);
  if (sites.length) {
    lines.push('  growing allocation sites (sampled):');
    for (const site of sites) lines.push(`    ${siteLine(site)}`);
  } else lines.push('  no allocation site of your code kept its samples (off-heap memory or native code?)');
  return lines.join('\n');
}

/**
 * Fails (throws LeakAssertionError) when each iteration of `fn` leaves more than `tolerance` bytes
 * behind after garbage collection. The message names the allocation sites whose memory stayed.
 */
export async function expectNoLeak(
  fn: () => unknown,
  options: NoLeakOptions = {},
): Promise<RetainedMeasurement> {
  const tolerance = options.tolerance ?? 256;
  if (!(tolerance >= 0))
    throw new TypeError(`heapscope/testing: tolerance must be ≥ 0 bytes, not ${String(tolerance)}.`);
  const m = await measureRetained(fn, options);
  // Both the fitted slope and the total growth must show it: one late reading cannot fail a test.
  if (m.bytesPerIteration > tolerance && m.growthBytes > tolerance * m.iterations * 0.5)
    throw new LeakAssertionError(
      failure(
        `Leak: ${formatBytes(m.bytesPerIteration)} retained per iteration (tolerance ${formatBytes(tolerance)}) over ${m.iterations} iterations after ${m.warmup} warm-up.`,
        m,
      ),
      m,
    );
  return m;
}

/**
 * Fails when the memory retained after all measured iterations exceeds `maxGrowthBytes` in total:
 * for code that may keep something, but a bounded amount.
 */
export async function expectHeapStable(
  fn: () => unknown,
  options: HeapStableOptions = {},
): Promise<RetainedMeasurement> {
  const maxGrowthBytes = options.maxGrowthBytes ?? 1024 * 1024;
  if (!(maxGrowthBytes >= 0))
    throw new TypeError(`heapscope/testing: maxGrowthBytes must be ≥ 0, not ${String(maxGrowthBytes)}.`);
  const m = await measureRetained(fn, options);
  if (m.growthBytes > maxGrowthBytes)
    throw new LeakAssertionError(
      failure(
        `Heap not stable: ${formatBytes(m.growthBytes)} retained over ${m.iterations} iterations (limit ${formatBytes(maxGrowthBytes)}).`,
        m,
      ),
      m,
    );
  return m;
}
