// Benchmark (not a test): 7 days of one container at 15 s resolution (40,321 points per series, six
// memory series) from the real local `prometheus`, as `heapscope prom` fetches them: every default
// query, each split into ≤ 11,000-point chunks and stitched. Against the same fetch one request at a
// time, and against `promtool query range` (the reference client) for one 11,000-point chunk.
// Usage: npx tsx bench/prometheus/run.ts [--runs=5]
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PromClient, fetchHistory, parseContainerSpec, queryRange } from '../../src/core/prometheus';
import {
  DAY,
  MiB,
  toOpenMetricsByDay,
  scenarioEnd,
  type GeneratedSeries,
} from '../../test/fixtures/prometheus/histories';
import { startPrometheus } from '../../test/fixtures/prometheus/server';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 5);
const STEP = 15;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function generate(end: number): GeneratedSeries[] {
  const start = end - 7 * DAY;
  const labels = { namespace: 'bench', pod: 'api-7d9f8b6c5-x2kqz', container: 'app' };
  const app = { namespace: 'bench', pod: labels.pod, job: 'api' };
  const metrics: Array<[string, Record<string, string>, number]> = [
    ['container_memory_working_set_bytes', labels, 300],
    ['container_memory_rss', labels, 280],
    ['container_memory_usage_bytes', labels, 340],
    ['container_memory_cache', labels, 40],
    ['nodejs_heap_size_used_bytes', app, 150],
    ['nodejs_heap_size_total_bytes', app, 180],
  ];
  return metrics.map(([metric, l, baseMiB], k) => {
    const points: Array<[number, number]> = [];
    for (let t = start, i = 0; t <= end; t += STEP, i++)
      points.push([t, Math.round(baseMiB * MiB + i * 97 + ((i * 7919 + k) % 1000) * 1024)]);
    return { metric, labels: l, points };
  });
}

async function main() {
  const end = scenarioEnd();
  const series = generate(end);
  const pointsPerSeries = series[0].points.length;
  console.log(`generating blocks: ${series.length} series × ${pointsPerSeries} points`);
  const prom = await startPrometheus(toOpenMetricsByDay(series));
  console.log(`prometheus ready in ${prom.setupSeconds.toFixed(1)} s at ${prom.url}`);
  try {
    const ref = parseContainerSpec('bench/api-7d9f8b6c5-x2kqz/app');
    const once = async (concurrency: number) => {
      const client = new PromClient({ url: prom.url });
      const t0 = performance.now();
      const h = await fetchHistory(client, ref, {
        start: end - 7 * DAY,
        end,
        stepSeconds: STEP,
        concurrency,
      });
      const ms = performance.now() - t0;
      const points = h.series.reduce((n, s) => n + s.points.length, 0);
      return { ms, requests: h.requests, series: h.series.length, points, verdict: h.verdict.verdict };
    };
    await once(6); // warm the server's caches (page cache of the blocks) once, as a user's second look would
    const heapscope = [];
    const sequential = [];
    for (let i = 0; i < RUNS; i++) {
      heapscope.push(await once(6));
      sequential.push(await once(1));
    }
    const last = heapscope[heapscope.length - 1];
    // Reference client: promtool for one chunk of 11,000 points of one series, vs our client for the same chunk.
    const chunkEnd = end - 7 * DAY + (11_000 - 1) * STEP;
    const promql = 'max(container_memory_working_set_bytes{namespace="bench", container="app"})';
    const promtoolMs: number[] = [];
    const oursMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      const { stdout } = await run(
        'promtool',
        [
          'query',
          'range',
          '--start',
          String(end - 7 * DAY),
          '--end',
          String(chunkEnd),
          '--step',
          `${STEP}s`,
          prom.url,
          promql,
        ],
        {
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      promtoolMs.push(performance.now() - t0);
      if (!stdout.includes('@')) throw new Error('promtool returned no points');
      t0 = performance.now();
      await queryRange(new PromClient({ url: prom.url }), promql, end - 7 * DAY, chunkEnd, STEP);
      oursMs.push(performance.now() - t0);
    }
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      prometheus: (await run('prometheus', ['--version'])).stdout.split('\n')[0],
      runs: RUNS,
      window: '7d',
      stepSeconds: STEP,
      pointsPerSeries,
      seriesWithData: last.series,
      pointsFetched: last.points,
      requests: last.requests,
      wallMs: {
        median: Math.round(median(heapscope.map((r) => r.ms))),
        runs: heapscope.map((r) => Math.round(r.ms)),
      },
      goalMs: 2000,
      sequentialWallMs: {
        median: Math.round(median(sequential.map((r) => r.ms))),
        runs: sequential.map((r) => Math.round(r.ms)),
      },
      speedupVsSequential:
        Math.round((median(sequential.map((r) => r.ms)) / median(heapscope.map((r) => r.ms))) * 100) / 100,
      oneChunk11000Points: {
        heapscopeMs: Math.round(median(oursMs)),
        promtoolQueryRangeMs: Math.round(median(promtoolMs)),
        ratioHeapscopeToPromtool: Math.round((median(oursMs) / median(promtoolMs)) * 100) / 100,
      },
      verdict: last.verdict,
    };
    console.log(
      `7 days at ${STEP} s: ${result.pointsFetched} points in ${result.seriesWithData} series, ${result.requests} requests, ` +
        `median ${result.wallMs.median} ms (goal < 2000 ms); one request at a time ${result.sequentialWallMs.median} ms; ` +
        `one 11,000-point chunk: heapscope ${result.oneChunk11000Points.heapscopeMs} ms vs promtool ${result.oneChunk11000Points.promtoolQueryRangeMs} ms`,
    );
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/prometheus.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('wrote bench/results/prometheus.json');
  } finally {
    await prom.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
