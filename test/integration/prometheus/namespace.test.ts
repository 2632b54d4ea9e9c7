// `heapscope prom --namespace` against the real `prometheus` over blocks written by `promtool`: a
// generated fleet (flat, daily cycles, leaks, OOM-restarting leaks) judged as generated and ranked
// leaks first, the JSON of the issue, the exit code, the selector; and the scan agrees with a single
// container's history for the shop scenarios (heap from prom-client, a joined workload).
import { strict as assert } from 'node:assert';
import { runCli as runCliProcess } from '../cliRunner';
import { PromClient, fetchHistory, scanNamespace, type FleetReportV1 } from '../../../src/core/prometheus';
import {
  DAY,
  leakScenario,
  oomScenario,
  sawtoothScenario,
  scenarioEnd,
  toOpenMetricsByDay,
} from '../../fixtures/prometheus/histories';
import { generateFleet, writeFleetOpenMetrics } from '../../fixtures/prometheus/fleet';
import { startPrometheus, type RunningPrometheus } from '../../fixtures/prometheus/server';
import { writeFile } from 'node:fs/promises';

const runCli = (args: string[]) => runCliProcess(args, { fromSource: true });

describe('heapscope prom --namespace against a real Prometheus', function () {
  this.timeout(180_000);
  const end = scenarioEnd();
  const start = end - 7 * DAY;
  const fleet = generateFleet({ namespace: 'fleet', containers: 20, start, end });
  const shop = [leakScenario(end), sawtoothScenario(end), oomScenario(end)];
  let prom: RunningPrometheus;

  before(async () => {
    const shopParts = toOpenMetricsByDay(shop.flatMap((s) => s.series));
    const days = 7;
    prom = await startPrometheus({
      count: shopParts.length + days,
      write: async (i, file) => {
        if (i < shopParts.length) return writeFile(file, shopParts[i]);
        const from = start + (i - shopParts.length) * DAY;
        // Each day's file ends one second before the next begins: no sample is written twice.
        await writeFleetOpenMetrics(
          file,
          fleet,
          from,
          i - shopParts.length === days - 1 ? end : from + DAY - 1,
          {
            workingSetSeconds: 60,
            stateSeconds: 60,
          },
        );
      },
    });
  });
  after(async () => {
    await prom?.stop();
  });

  it('ranks the generated fleet as generated, leaks first, and exits 1', async () => {
    const r = await runCli([
      'prom',
      '--url',
      prom.url,
      '--namespace',
      'fleet',
      '--window',
      '7d',
      '--end',
      String(end),
      '--json',
      '-',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as FleetReportV1;
    assert.equal(report.schema, 1);
    assert.equal(report.verdict, 'leak');
    assert.equal(report.containers.length, fleet.length);
    const truth = new Map(fleet.map((m) => [m.workload, m]));
    const wrong = report.containers.filter((c) => c.verdict !== truth.get(c.workload)!.truth);
    assert.deepEqual(
      wrong.map((c) => `${c.workload}: ${c.verdict} — ${c.reason}`),
      [],
    );
    const leaks = fleet.filter((m) => m.truth === 'leak').length;
    assert.ok(report.containers.slice(0, leaks).every((c) => c.verdict === 'leak'));
    const first = report.containers[0];
    for (const key of [
      'namespace',
      'workload',
      'pods',
      'container',
      'verdict',
      'growth',
      'minutesToLimit',
      'restarts',
      'oomKills',
    ])
      assert.ok(key in first, key);
    assert.deepEqual(first.pods, [truth.get(first.workload)!.pod]);
    for (const c of report.containers) {
      const m = truth.get(c.workload)!;
      const kills = m.oomAt.filter((t) => t > start && t <= end).length;
      assert.equal(c.oomKills, kills, `${c.workload} OOM kills`);
      assert.equal(c.restarts, kills, `${c.workload} restarts`);
      if (c.verdict === 'leak') assert.ok(c.minutesToLimit !== null && c.minutesToLimit >= 0, c.workload);
    }
    // The table went to stderr with --json -, leaks first.
    const rows = r.stderr.split('\n').filter((l) => /^(LEAK|NO-LEAK|INCONCLUSIVE)\s/.test(l));
    assert.equal(rows.length, fleet.length);
    assert.match(rows[0], /^LEAK\s+\+\d/);
    assert.ok(report.requests <= 12, `${report.requests} requests`);
  });

  it('scans only what the selector matches, and says so when nothing does', async () => {
    const r = await runCli([
      'prom',
      '--url',
      prom.url,
      '--namespace',
      'fleet',
      '--selector',
      'pod=~"svc00[0-9]-flat-.*"',
      '--window',
      '7d',
      '--end',
      String(end),
      '--json',
      '-',
      '--quiet',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as FleetReportV1;
    const flat = fleet.filter((m) => /^svc00[0-9]-flat$/.test(m.workload)).map((m) => m.workload);
    assert.deepEqual(report.containers.map((c) => c.workload).sort(), flat.sort());
    assert.equal(report.verdict, 'no-leak');
    assert.equal(report.selector, 'pod=~"svc00[0-9]-flat-.*"');

    const none = await runCli([
      'prom',
      '--url',
      prom.url,
      '--namespace',
      'no-such-ns',
      '--window',
      '7d',
      '--end',
      String(end),
    ]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No containers in namespace "no-such-ns"/);
    const bad = await runCli([
      'prom',
      '--url',
      prom.url,
      '--namespace',
      'fleet',
      '--selector',
      'x="a"} or vector(1)',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--selector: .* is not a label matcher/);
  });

  it('agrees with each container history of the shop namespace (heap basis, a joined workload)', async () => {
    const client = new PromClient({ url: prom.url });
    const scan = await scanNamespace(client, { namespace: 'shop', start, end });
    assert.deepEqual(
      scan.containers.map((c) => `${c.workload}/${c.container}:${c.verdict.verdict}`),
      ['cache/cache:leak', 'api/app:leak', 'worker/worker:no-leak'],
    );
    assert.ok(
      scan.containers[0].verdict.daysToLimit! < scan.containers[1].verdict.daysToLimit!,
      'sooner at its limit first',
    );
    for (const c of scan.containers) {
      const h = await fetchHistory(client, c.ref, { start, end });
      assert.equal(c.verdict.verdict, h.verdict.verdict, c.workload);
      assert.equal(c.verdict.basis, h.verdict.basis, c.workload);
      assert.equal(c.verdict.bytesPerDay, h.verdict.bytesPerDay, c.workload);
      assert.equal(c.verdict.daysToLimit, h.verdict.daysToLimit, c.workload);
    }
    const cache = scan.containers.find((c) => c.workload === 'cache')!;
    assert.deepEqual(cache.pods, [shop[2].series[0].labels.pod, shop[2].pod]);
    assert.equal(cache.oomKills, 1);
  });
});
