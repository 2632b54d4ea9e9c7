// The namespace scan's ranking and assembly on synthetic fleets: the order (leaks first, soonest at
// their limit first), the worst verdict, the selector's parsing, the request gate's bound, and the whole
// scan over a generated fleet through a fake Prometheus that answers from the fleet's own functions.
import { strict as assert } from 'node:assert';
import {
  parseLabelSelector,
  rankContainers,
  requestGate,
  scanNamespace,
  worstVerdict,
  fleetReport,
  formatFleetText,
  type PromClient,
} from '../../../src/core/prometheus';
import type { FleetContainer } from '../../../src/shared/fleetTypes';
import type { PromVerdict } from '../../../src/shared/prometheusTypes';
import { HeapscopeError, isHeapscopeError } from '../../../src/core/errors';
import { generateFleet, restartsAt, type FleetMember } from '../../fixtures/prometheus/fleet';
import { DAY, MiB } from '../../fixtures/prometheus/histories';

function container(
  workload: string,
  verdict: PromVerdict['verdict'],
  extra: Partial<PromVerdict> = {},
  counts: { restarts?: number; oomKills?: number } = {},
): FleetContainer {
  return {
    namespace: 'ns',
    workload,
    pods: [`${workload}-0`],
    container: 'app',
    ref: { namespace: 'ns', pod: `${workload}-0`, container: 'app' },
    verdict: {
      verdict,
      growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0.9 },
      reason: '',
      summary: '',
      basis: 'workingSet',
      bytesPerDay: 0,
      segments: 1,
      ...extra,
    },
    restarts: counts.restarts ?? 0,
    oomKills: counts.oomKills ?? 0,
  };
}

/** A fake /api/v1 answering from the fleet's functions, as `max by (pod, container)` would. */
class FakeFleetPrometheus {
  requests = 0;
  readonly displayUrl = 'http://fake-prometheus';
  readonly queries: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly members: FleetMember[],
    /** Queries naming more pods than this time out, as a loaded server would. */
    private readonly timeoutAbovePods = Infinity,
  ) {}

  async api<T>(path: string, params: Array<[string, string]>): Promise<T> {
    this.requests++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setImmediate(r));
      const get = (name: string) => params.find(([k]) => k === name)?.[1] ?? '';
      if (path.endsWith('series')) {
        const ns = /namespace="([^"]*)"/.exec(get('match[]'))?.[1];
        return this.members
          .filter((m) => m.namespace === ns)
          .map((m) => ({
            __name__: 'container_memory_working_set_bytes',
            namespace: ns,
            pod: m.pod,
            container: m.container,
          })) as T;
      }
      const query = get('query');
      this.queries.push(query);
      const metric = /([a-z_]+)\{/.exec(query)?.[1] ?? '';
      const podRegex = JSON.parse(/pod=~("(?:[^"\\]|\\.)*")/.exec(query)![1]) as string;
      const pods = new Set(podRegex.split('|').map((p) => p.replace(/\\(.)/g, '$1')));
      if (pods.size > this.timeoutAbovePods)
        throw new HeapscopeError('prometheus-timeout', 'Prometheus at fake did not answer within 30 s.');
      const value = (m: FleetMember, t: number): number | undefined => {
        switch (metric) {
          case 'container_memory_working_set_bytes':
            return m.workingSet(t);
          case 'kube_pod_container_resource_limits':
            return m.limitBytes;
          case 'kube_pod_container_status_restarts_total':
          case 'container_oom_events_total':
            return restartsAt(m, t);
          default:
            return undefined;
        }
      };
      const [start, end, step] = [Number(get('start')), Number(get('end')), Number(get('step'))];
      const result = this.members
        .filter((m) => pods.has(m.pod))
        .flatMap((m) => {
          const values: Array<[number, string]> = [];
          for (let t = start; t <= end; t += step) {
            const v = value(m, t);
            if (v !== undefined) values.push([t, String(v)]);
          }
          return values.length ? [{ metric: { pod: m.pod, container: m.container }, values }] : [];
        });
      return { resultType: 'matrix', result } as T;
    } finally {
      this.inFlight--;
    }
  }
}

describe('namespace scan: ranking', () => {
  it('puts leaks first, the soonest at its limit first, then inconclusive, then flat', () => {
    const list = [
      container('flat-a', 'no-leak'),
      container('slow-leak', 'leak', { bytesPerDay: 10 * MiB, daysToLimit: 20 }),
      container('unsure', 'inconclusive'),
      container('leak-no-limit', 'leak', { bytesPerDay: 90 * MiB }),
      container('fast-leak', 'leak', { bytesPerDay: 80 * MiB, daysToLimit: 1.3 }),
      container('flat-oom', 'no-leak', {}, { restarts: 2, oomKills: 2 }),
    ];
    for (let rotation = 0; rotation < list.length; rotation++) {
      const input = [...list.slice(rotation), ...list.slice(0, rotation)];
      assert.deepEqual(
        rankContainers(input).map((c) => c.workload),
        ['fast-leak', 'slow-leak', 'leak-no-limit', 'unsure', 'flat-oom', 'flat-a'],
      );
    }
  });

  it('among leaks without a known limit, the fastest growing first', () => {
    const ranked = rankContainers([
      container('a', 'leak', { bytesPerDay: 5 * MiB }),
      container('b', 'leak', { bytesPerDay: 50 * MiB }),
    ]);
    assert.deepEqual(
      ranked.map((c) => c.workload),
      ['b', 'a'],
    );
  });

  it('says the worst verdict', () => {
    assert.equal(worstVerdict(['no-leak', 'inconclusive', 'leak', 'no-leak']), 'leak');
    assert.equal(worstVerdict(['no-leak', 'inconclusive']), 'inconclusive');
    assert.equal(worstVerdict(['no-leak']), 'no-leak');
    assert.equal(worstVerdict([]), 'inconclusive');
  });
});

describe('namespace scan: selector and request gate', () => {
  it('turns PromQL and kubectl-like matchers into quoted PromQL', () => {
    assert.equal(parseLabelSelector(undefined), '');
    assert.equal(parseLabelSelector('container=app'), 'container="app"');
    assert.equal(
      parseLabelSelector('{container="app", pod=~"api-.*",image!=x}'),
      'container="app", pod=~"api-.*", image!="x"',
    );
    assert.equal(parseLabelSelector('pod=~"a,b"'), 'pod=~"a,b"');
  });

  it('refuses what is not a matcher, so nothing else reaches the query', () => {
    for (const bad of ['container', 'x="a"} or vector(1) or {y="', 'namespace="other"', 'a="b', '1a="b"'])
      assert.throws(
        () => parseLabelSelector(bad),
        (e: unknown) => isHeapscopeError(e, 'usage'),
        bad,
      );
  });

  it('never runs more than its bound at once and serves waiters in order', async () => {
    const gate = requestGate(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gate(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          order.push(i);
          active--;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      order,
      Array.from({ length: 20 }, (_, i) => i),
    );
  });
});

describe('namespace scan over a synthetic fleet', function () {
  this.timeout(60_000);
  const end = 1_780_000_000 - (1_780_000_000 % 3600);
  const start = end - 7 * DAY;
  const members = generateFleet({ namespace: 'shop', containers: 40, start, end });

  it('judges every container as generated and ranks the leaks first', async () => {
    const fake = new FakeFleetPrometheus(members);
    const scan = await scanNamespace(fake as unknown as PromClient, {
      namespace: 'shop',
      start,
      end,
      concurrency: 3,
    });
    assert.equal(scan.containers.length, members.length);
    const truth = new Map(members.map((m) => [m.workload, m]));
    const wrong = scan.containers.filter((c) => c.verdict.verdict !== truth.get(c.workload)!.truth);
    assert.deepEqual(
      wrong.map((c) => `${c.workload}: ${c.verdict.verdict} (${c.verdict.reason})`),
      [],
    );
    const leaks = members.filter((m) => m.truth === 'leak').length;
    assert.ok(scan.containers.slice(0, leaks).every((c) => c.verdict.verdict === 'leak'));
    assert.equal(scan.verdict, 'leak');
    for (const c of scan.containers) {
      const m = truth.get(c.workload)!;
      assert.equal(c.oomKills, m.oomAt.filter((t) => t > scan.start && t <= scan.end).length, c.workload);
      assert.deepEqual(c.pods, [m.pod]);
    }
    // A leak without an OOM kill in the window: its growth per day within 15 % of the generated one.
    for (const c of scan.containers.filter((x) => truth.get(x.workload)!.kind === 'leak')) {
      const expected = truth.get(c.workload)!.bytesPerDay;
      assert.ok(
        Math.abs(c.verdict.bytesPerDay - expected) < 0.15 * expected,
        `${c.workload}: ${c.verdict.bytesPerDay} vs ${expected}`,
      );
      assert.ok(c.verdict.daysToLimit !== undefined && c.verdict.daysToLimit > 0);
    }
    assert.ok(fake.maxInFlight <= 3, `in flight ${fake.maxInFlight}`);
    // One series request and eight metric queries (one batch).
    assert.equal(scan.requests, 9);
    const report = fleetReport(scan);
    assert.equal(report.schema, 1);
    assert.equal(report.containers[0].verdict, 'leak');
    assert.ok(report.containers[0].minutesToLimit !== null);
    assert.match(formatFleetText(scan), /VERDICT\s+GROWTH\s+TO LIMIT/);
  });

  it('splits the pods into batches when the answers would pass the point budget, with the same result', async () => {
    const whole = await scanNamespace(new FakeFleetPrometheus(members) as unknown as PromClient, {
      namespace: 'shop',
      start,
      end,
    });
    const fake = new FakeFleetPrometheus(members);
    const batched = await scanNamespace(fake as unknown as PromClient, {
      namespace: 'shop',
      start,
      end,
      maxPointsPerResponse: 10 * 1009,
    });
    assert.equal(batched.requests, 1 + 4 * 8);
    assert.deepEqual(
      batched.containers.map((c) => [c.workload, c.verdict.verdict, c.verdict.bytesPerDay]),
      whole.containers.map((c) => [c.workload, c.verdict.verdict, c.verdict.bytesPerDay]),
    );
  });

  it('asks again in halves when a request times out, with the same result and a note', async () => {
    const whole = await scanNamespace(new FakeFleetPrometheus(members) as unknown as PromClient, {
      namespace: 'shop',
      start,
      end,
    });
    const split = await scanNamespace(new FakeFleetPrometheus(members, 12) as unknown as PromClient, {
      namespace: 'shop',
      start,
      end,
    });
    assert.deepEqual(
      split.containers.map((c) => [c.workload, c.verdict.verdict, c.verdict.bytesPerDay]),
      whole.containers.map((c) => [c.workload, c.verdict.verdict, c.verdict.bytesPerDay]),
    );
    assert.ok(split.warnings.some((w) => /timed out and were asked again in halves/.test(w)));
    await assert.rejects(
      scanNamespace(new FakeFleetPrometheus(members, 0) as unknown as PromClient, {
        namespace: 'shop',
        start,
        end,
      }),
      (e: unknown) => isHeapscopeError(e, 'prometheus-timeout'),
    );
  });

  it('says so when the namespace has no containers in the window', async () => {
    await assert.rejects(
      scanNamespace(new FakeFleetPrometheus(members) as unknown as PromClient, {
        namespace: 'nothing-here',
        start,
        end,
      }),
      (e: unknown) =>
        isHeapscopeError(e, 'usage') && /No containers in namespace "nothing-here"/.test(e.message),
    );
  });
});
