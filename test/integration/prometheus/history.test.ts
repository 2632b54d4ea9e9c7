// Against the real `prometheus` server over generated 7-day histories: the stitched series point by
// point, the verdicts, the events, discovery, the CLI and its JSON.
import { strict as assert } from 'node:assert';
import { runCli as runCliProcess } from '../cliRunner';
import {
  PromClient,
  fetchHistory,
  listContainers,
  listNamespaces,
  listPods,
  parseContainerSpec,
  queryRange,
} from '../../../src/core/prometheus';
import { isHeapscopeError } from '../../../src/core/errors';
import type { PromReportV1 } from '../../../src/core/prometheus';
import {
  DAY,
  MiB,
  leakScenario,
  longScenario,
  oomScenario,
  sawtoothScenario,
  scenarioEnd,
  toOpenMetricsByDay,
  type GeneratedSeries,
  type Scenario,
} from '../../fixtures/prometheus/histories';
import { startPrometheus, type RunningPrometheus } from '../../fixtures/prometheus/server';

const LOOKBACK_SECONDS = 300;

/** What Prometheus (2.x) evaluates at t for max(series...): the newest sample of each series in [t-5m, t]. */
function expectedMax(series: GeneratedSeries[], t: number): number | undefined {
  let best: number | undefined;
  for (const s of series) {
    let lo = 0;
    let hi = s.points.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.points[mid][0] <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0 && s.points[found][0] >= t - LOOKBACK_SECONDS)
      best = Math.max(best ?? -Infinity, s.points[found][1]);
  }
  return best;
}

const runCli = (args: string[], env: Record<string, string> = {}) =>
  runCliProcess(args, { env, fromSource: true });

describe('prometheus history against a real Prometheus', function () {
  this.timeout(120_000);
  const end = scenarioEnd();
  const leak = leakScenario(end);
  const saw = sawtoothScenario(end);
  const oom = oomScenario(end);
  const long = longScenario(end);
  let prom: RunningPrometheus;
  let client: PromClient;

  before(async () => {
    prom = await startPrometheus(
      toOpenMetricsByDay([...leak.series, ...saw.series, ...oom.series, ...long.series]),
    );
    client = new PromClient({ url: prom.url });
  });
  after(async () => {
    await prom?.stop();
  });

  const ref = (s: Scenario) => parseContainerSpec(`${s.namespace}/${s.pod}/${s.container}`);
  const workingSet = (s: Scenario) =>
    s.series.filter((g) => g.metric === 'container_memory_working_set_bytes');

  it('stitches 7 days at 30 s (20,161 points, over the 11,000 limit) point by point, at the server limit and in 21 small chunks', async () => {
    const promql = 'max(container_memory_working_set_bytes{namespace="shop", container="app"})';
    const expected = workingSet(leak)[0].points;
    assert.equal(expected.length, 20_161);
    for (const maxPoints of [undefined, 997]) {
      const before = client.requests;
      const [series, ...rest] = await queryRange(client, promql, leak.start, leak.end, 30, { maxPoints });
      assert.equal(rest.length, 0);
      assert.equal(client.requests - before, maxPoints ? Math.ceil(20_161 / 997) : 2);
      assert.equal(series.points.length, expected.length, 'no gaps, no duplicates');
      for (let i = 0; i < expected.length; i++) {
        if (series.points[i][0] !== expected[i][0] || series.points[i][1] !== expected[i][1]) {
          assert.fail(`point ${i}: got ${series.points[i].join(',')}, generated ${expected[i].join(',')}`);
        }
      }
    }
  });

  it('joins the pods of a workload across an OOM kill and a deploy, point by point', async () => {
    const history = await fetchHistory(client, ref(oom), {
      start: oom.start,
      end: oom.end,
      stepSeconds: 60,
      maxPointsPerRequest: 3000,
    });
    const ws = history.series.find((s) => s.name === 'workingSet')!;
    const gen = workingSet(oom);
    assert.equal(gen.length, 2, 'two pod names');
    assert.equal(ws.points.length, 7 * 1440 + 1);
    for (const [t, v] of ws.points) assert.equal(v, expectedMax(gen, t), `at ${t}`);
    assert.deepEqual(
      history.events.map((e) => e.kind),
      ['oom-kill', 'restart', 'pod-change'],
      'no restart assumed where the old pod leaves the 5-minute lookback',
    );
  });

  it('finds the leak, its rate and the time to the limit; the heap is the basis when prom-client exports it', async () => {
    const h = await fetchHistory(client, ref(leak), { start: leak.start, end: leak.end });
    assert.equal(h.stepSeconds, 600);
    assert.equal(h.verdict.verdict, 'leak');
    assert.equal(h.verdict.basis, 'heapUsed');
    assert.ok(
      Math.abs(h.verdict.bytesPerDay - 30 * MiB) < 1.5 * MiB,
      `rate ${h.verdict.bytesPerDay / MiB} MiB/day`,
    );
    assert.equal(h.verdict.limitBytes, 512 * MiB);
    // Working set ends near 150 + 7*38 = 416 MiB; 96 MiB left at 30 MiB/day.
    assert.ok(h.verdict.daysToLimit! > 2.6 && h.verdict.daysToLimit! < 3.6, `${h.verdict.daysToLimit}`);
    assert.match(
      h.verdict.summary,
      /^growing 30\.\d MiB\/day since the window's start on .*; at this rate it reaches its 512\.0 MiB limit in ~3 days$/,
    );
    assert.deepEqual(h.events, []);
    const names = h.series.map((s) => s.name).sort();
    assert.deepEqual(names, [
      'cache',
      'external',
      'gcSeconds',
      'heapTotal',
      'heapUsed',
      'limit',
      'processRss',
      'rss',
      'usage',
      'workingSet',
    ]);
    const gc = h.series.find((s) => s.name === 'gcSeconds')!;
    assert.equal(gc.unit, 'seconds/second');
    assert.ok(
      gc.points.every(([, v]) => Math.abs(v - 0.01) < 1e-9),
      'rate() of the GC-seconds counter',
    );
    for (const s of h.series)
      assert.ok(s.points.length >= 1000 && s.points.length <= 1009, `${s.name}: ${s.points.length}`);
  });

  it('calls a daily saw-tooth no leak', async () => {
    const h = await fetchHistory(client, ref(saw), { start: saw.start, end: saw.end });
    assert.equal(h.verdict.verdict, 'no-leak', h.verdict.reason);
    assert.equal(h.verdict.basis, 'workingSet');
    assert.equal(
      h.verdict.limitBytes,
      1024 * MiB,
      'container_spec_memory_limit_bytes when kube-state-metrics is absent',
    );
    assert.ok(h.warnings.some((w) => w.startsWith('heapUsed: no data')));
  });

  it('marks the OOM kill and the new pod, and judges the growth after the deploy only', async () => {
    const h = await fetchHistory(client, ref(oom), { start: oom.start, end: oom.end });
    const kinds = h.events.map((e) => `${e.kind}@${e.time}`);
    const step = h.stepSeconds;
    const at = (t: number) => Math.ceil(t / step) * step;
    assert.ok(kinds.includes(`oom-kill@${at(oom.oomAt!)}`), kinds.join(' '));
    assert.ok(kinds.includes(`restart@${at(oom.oomAt!)}`), kinds.join(' '));
    assert.ok(kinds.includes(`pod-change@${at(oom.deployAt!)}`), kinds.join(' '));
    assert.equal(
      h.events.filter((e) => e.kind === 'oom-kill').length,
      1,
      'the counter and the termination reason are one event',
    );
    assert.equal(h.verdict.verdict, 'leak');
    assert.equal(h.verdict.segments, 3);
    assert.equal(h.verdict.segment?.startedBy, 'pod-change');
    assert.ok(Math.abs(h.verdict.bytesPerDay - 80 * MiB) < 3 * MiB, `${h.verdict.bytesPerDay / MiB}`);
    assert.match(
      h.verdict.summary,
      /since the deploy on .*384\.0 MiB limit in ~(3\d) hours \(1 OOM kill; 2 restarts\/new pods/,
    );
  });

  it('reads 30 days back (hourly step) point by point and finds a slow leak without a limit', async () => {
    const h = await fetchHistory(client, ref(long), { start: long.start, end: long.end });
    assert.equal(h.stepSeconds, 3600);
    assert.equal(h.container.podPattern, undefined, 'a StatefulSet pod keeps its name');
    const ws = h.series.find((s) => s.name === 'workingSet')!;
    const gen = new Map(long.series[0].points);
    assert.equal(ws.points.length, 30 * 24 + 1);
    for (const [t, v] of ws.points) assert.equal(v, gen.get(t), `at ${t}`);
    assert.equal(h.verdict.verdict, 'leak');
    assert.ok(Math.abs(h.verdict.bytesPerDay - 5 * MiB) < 0.5 * MiB, `${h.verdict.bytesPerDay / MiB}`);
    assert.equal(h.verdict.limitBytes, undefined);
    assert.match(h.verdict.summary, /^growing 5\.\d MiB\/day since the window's start on [^;]*$/);
  });

  it('offers namespaces, pods (and the workload joining them) and containers from the server labels', async () => {
    const range = { start: end - 7 * DAY, end };
    assert.deepEqual(await listNamespaces(client, range), ['data', 'shop']);
    const pods = await listPods(client, 'shop', range);
    const cache = pods.find((p) => p.kind === 'workload' && p.name === 'cache');
    assert.deepEqual(cache?.pods, ['cache-5f7c9d8b6-bcdfg', 'cache-8c4d6f7b9-hjklm']);
    assert.ok(pods.some((p) => p.kind === 'pod' && p.name === 'api-7d9f8b6c5-x2kqz'));
    assert.deepEqual(
      await listContainers(client, 'shop', { name: 'cache', pattern: cache!.pattern }, range),
      ['cache'],
    );
    assert.deepEqual(
      await listContainers(client, 'shop', { name: 'worker-6b8d7f9c4-q7w2m', exact: true }, range),
      ['worker'],
    );
  });

  it("shows the server's own message for bad PromQL, and keeps the history when only a custom series fails", async () => {
    await assert.rejects(
      client.api('api/v1/query', [['query', 'sum(']]),
      (e: unknown) =>
        isHeapscopeError(e, 'prometheus-query') && /bad_data: .*parse error/.test((e as Error).message),
    );
    const h = await fetchHistory(client, ref(saw), {
      start: saw.start,
      end: saw.end,
      custom: [{ name: 'broken', promql: 'rate(' }],
    });
    assert.equal(h.verdict.verdict, 'no-leak');
    assert.ok(
      h.warnings.some((w) => w.startsWith('custom:broken: ') && /bad_data/.test(w)),
      h.warnings.join('\n'),
    );
  });

  it('CLI: prints the verdict, writes the JSON report, exits 1 on a leak and 0 without', async () => {
    const leakRun = await runCli([
      'prom',
      '--url',
      prom.url,
      '--container',
      `shop/${oom.pod}/cache`,
      '--window',
      '7d',
      '--end',
      String(end),
      '--json',
      '-',
    ]);
    assert.equal(leakRun.code, 1, leakRun.stderr);
    const report = JSON.parse(leakRun.stdout) as PromReportV1;
    assert.equal(report.schema, 1);
    assert.equal(report.verdict, 'leak');
    assert.equal(report.target.kind, 'prometheus');
    assert.ok(report.growth.heapBytesPerMinute > 0 && report.growth.confidence > 0.9);
    const ws = report.series.find((s) => s.name === 'workingSet')!;
    assert.match(ws.promql, /^max\(container_memory_working_set_bytes\{namespace="shop", pod=~"cache-/);
    assert.equal(ws.unit, 'bytes');
    assert.ok(
      Array.isArray(ws.points[0]) && ws.points[0].length === 2 && typeof ws.points[0][0] === 'number',
    );
    assert.deepEqual(report.events.map((e) => e.kind).sort(), ['oom-kill', 'pod-change', 'restart']);
    assert.match(leakRun.stderr, /verdict: LEAK — growing 80\.\d MiB\/day since the deploy/);
    const flat = await runCli([
      'prom',
      '--url',
      prom.url,
      '--container',
      `shop/${saw.pod}/worker`,
      '--window',
      '7d',
      '--end',
      String(end),
      '--quiet',
    ]);
    assert.equal(flat.code, 0, flat.stderr);
    assert.match(flat.stdout, /^no-leak: no leak/);
  });
});
