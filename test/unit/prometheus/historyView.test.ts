// The history view's pure parts: which live session belongs to a history, the chart model (joined
// line or one line per replica), the CSV/JSON export, and the intents the host accepts.
import { strict as assert } from 'node:assert';
import { historyCsv, historyJson } from '../../../src/core/prometheus';
import { sessionMatchesRef } from '../../../src/extension/prometheus/liveMatch';
import { parseHistoryIntent } from '../../../src/shared/historyProtocol';
import type { PromHistory } from '../../../src/shared/prometheusTypes';
import { buildChartModel } from '../../../webview/history/model';
import { timeToLimit } from '../../../webview/history/words';

const MiB = 1024 * 1024;

function history(): PromHistory {
  const grid = (from: number, to: number, f: (t: number) => number): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    for (let t = from; t <= to; t += 600) out.push([t, f(t)]);
    return out;
  };
  return {
    endpoint: 'http://prom:9090',
    container: { namespace: 'shop', pod: 'api', container: 'app', podPattern: 'api-x' },
    start: 0,
    end: 6000,
    stepSeconds: 600,
    series: [
      { name: 'workingSet', promql: 'max(ws)', unit: 'bytes', points: grid(0, 6000, (t) => 100 * MiB + t) },
      { name: 'limit', promql: 'max(limit)', unit: 'bytes', points: grid(0, 6000, () => 512 * MiB) },
      { name: 'cache', promql: 'max(cache)', unit: 'bytes', points: grid(0, 6000, () => MiB) },
    ],
    replicas: [
      { name: 'pod:api-a', promql: 'pods', unit: 'bytes', points: grid(0, 3000, () => 90 * MiB) },
      { name: 'pod:api-b', promql: 'pods', unit: 'bytes', points: grid(3600, 6000, () => 95 * MiB) },
    ],
    events: [{ kind: 'oom-kill', time: 3600, pod: 'api-a', source: 'container_oom_events_total +1' }],
    verdict: {
      verdict: 'leak',
      growth: { heapBytesPerMinute: 1000, externalBytesPerMinute: 0, confidence: 0.9 },
      reason: 'rising, "quoted"',
      summary: 'growing',
      basis: 'workingSet',
      bytesPerDay: 1_440_000,
      limitBytes: 512 * MiB,
      daysToLimit: 1.3,
      segments: 2,
    },
    requests: 14,
    warnings: [],
  };
}

describe('history view: pure parts', () => {
  it('matches a live k8s session to a pod or to a workload pattern, same namespace and container', () => {
    const ref = {
      namespace: 'shop',
      pod: 'api',
      container: 'app',
      podPattern: 'api-[a-z0-9]{6,10}-[a-z0-9]{5}',
    };
    assert.ok(sessionMatchesRef('shop/api-7d9f8b6c5-x2kqz/app', ref));
    assert.ok(sessionMatchesRef('shop/api-7d9f8b6c5-x2kqz', ref));
    assert.ok(!sessionMatchesRef('shop/api-7d9f8b6c5-x2kqz/sidecar', ref));
    assert.ok(!sessionMatchesRef('other/api-7d9f8b6c5-x2kqz/app', ref));
    assert.ok(!sessionMatchesRef('shop/apix-7d9f8b6c5-x2kqz/app', ref));
    assert.ok(!sessionMatchesRef(undefined, ref));
    assert.ok(sessionMatchesRef('data/db-0/db', { namespace: 'data', pod: 'db-0', container: 'db' }));
    assert.ok(!sessionMatchesRef('data/db-1/db', { namespace: 'data', pod: 'db-0', container: 'db' }));
  });

  it('draws the joined working set, RSS, heap and limit; comparing replicas draws one line per pod', () => {
    const joined = buildChartModel(history(), false);
    assert.deepEqual(
      joined.lines.map((l) => l.id),
      ['workingSet', 'limit'],
    );
    assert.equal(joined.times.length, 11);
    assert.equal(joined.points, 22);
    assert.equal(joined.events.length, 1);
    const compared = buildChartModel(history(), true);
    assert.deepEqual(
      compared.lines.map((l) => l.label),
      ['Working set api-a', 'Working set api-b', 'Memory limit'],
    );
    // api-b starts after api-a is gone: no value where a pod did not exist (a gap, not a zero).
    assert.equal(compared.lines[1].values[0], null);
    assert.equal(compared.lines[0].values[10], null);
  });

  it('exports CSV with every series and replica, events in time order, and JSON with the report', () => {
    const csv = historyCsv(history()).trim().split('\n');
    assert.equal(
      csv[0],
      'time,unixSeconds,event,workingSet (bytes),limit (bytes),cache (bytes),pod:api-a (bytes),pod:api-b (bytes)',
    );
    assert.equal(csv.length, 1 + 11 + 1);
    const eventRow = csv.findIndex((l) => l.includes('oom-kill'));
    assert.match(
      csv[eventRow],
      /^1970-01-01T01:00:00.000Z,3600,oom-kill api-a \(container_oom_events_total \+1\),,,,,$/,
    );
    assert.match(csv[eventRow + 1], /^1970-01-01T01:00:00.000Z,3600,,/);
    const json = JSON.parse(historyJson(history())) as {
      verdict: string;
      replicas: unknown[];
      series: unknown[];
    };
    assert.equal(json.verdict, 'leak');
    assert.equal(json.replicas.length, 2);
    assert.equal(json.series.length, 3);
  });

  it('accepts only the intents it knows', () => {
    assert.deepEqual(parseHistoryIntent({ type: 'export', format: 'csv' }), {
      type: 'export',
      format: 'csv',
    });
    assert.equal(parseHistoryIntent({ type: 'export', format: 'exe' }), undefined);
    assert.equal(parseHistoryIntent({ type: 'runCommand' }), undefined);
    assert.equal(parseHistoryIntent(null), undefined);
    assert.deepEqual(parseHistoryIntent({ type: 'attach', extra: 1 }), { type: 'attach' });
  });

  it('says the time to the limit in words', () => {
    assert.equal(timeToLimit(undefined), undefined);
    assert.equal(timeToLimit(0), 'at its limit');
    assert.equal(timeToLimit(1.3), '~31 hours');
    assert.equal(timeToLimit(3.2), '~3 days');
    assert.equal(timeToLimit(0.05), '~72 minutes');
  });
});
