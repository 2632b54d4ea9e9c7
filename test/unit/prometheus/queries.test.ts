import { strict as assert } from 'node:assert';
import { parseContainerSpec, parseTime, parseWindow } from '../../../src/core/prometheus/history';
import { containerSelector, planQueries, workloadPattern } from '../../../src/core/prometheus/queries';
import { isHeapscopeError } from '../../../src/core/errors';

describe('prometheus queries', () => {
  it('joins the pods of a Deployment across rollouts, keeps StatefulSet pods exact', () => {
    const w = workloadPattern('api-7d9f8b6c5-x2kqz');
    assert.equal(w?.workload, 'api');
    const re = new RegExp(`^${w!.pattern}$`);
    assert.ok(re.test('api-5c6d7f8b9-bcdfg'), 'a new ReplicaSet hash');
    assert.ok(!re.test('api-gateway-7d9f8b6c5-x2kqz'), 'another Deployment with the same prefix');
    assert.equal(workloadPattern('db-0'), undefined);
    assert.equal(workloadPattern('node-exporter-7xk2p')?.workload, 'node-exporter');
    assert.equal(workloadPattern('my.app-7d9f8b6c5-x2kqz')?.pattern.startsWith('my[.]app-'), true);
  });

  it('builds container matchers and shows every query as PromQL, overridable and extendable', () => {
    const ref = parseContainerSpec('shop/api-7d9f8b6c5-x2kqz/app');
    assert.ok(ref.podPattern);
    assert.match(containerSelector(ref), /^namespace="shop", pod=~"api-.*", container="app"$/);
    const exact = parseContainerSpec('shop/api-7d9f8b6c5-x2kqz/app', true);
    assert.equal(containerSelector(exact), 'namespace="shop", pod="api-7d9f8b6c5-x2kqz", container="app"');
    const plan = planQueries(exact, 600, {
      overrides: { rss: 'max(my_rss{$selector})' },
      custom: [{ name: 'arrays', promql: 'sum(my_arrays{$selector_pod})' }],
    });
    const byName = Object.fromEntries(plan.map((q) => [q.name, q.promql]));
    assert.equal(
      byName.workingSet,
      'max(container_memory_working_set_bytes{namespace="shop", pod="api-7d9f8b6c5-x2kqz", container="app"})',
    );
    assert.equal(byName.rss, 'max(my_rss{namespace="shop", pod="api-7d9f8b6c5-x2kqz", container="app"})');
    assert.equal(byName['custom:arrays'], 'sum(my_arrays{namespace="shop", pod="api-7d9f8b6c5-x2kqz"})');
    assert.match(byName.gcSeconds, /rate\(nodejs_gc_duration_seconds_sum\{[^}]+\}\[600s\]\)/);
    assert.match(
      byName.limit,
      /kube_pod_container_resource_limits\{.*resource="memory"\}\) or max\(container_spec_memory_limit_bytes/,
    );
  });

  it('parses windows, times and container specs, and says what is wrong', () => {
    assert.equal(parseWindow('7d'), 7 * 86400);
    assert.equal(parseWindow('90m'), 5400);
    assert.equal(parseTime('1700000000'), 1_700_000_000);
    assert.equal(parseTime('2023-11-14T22:13:20Z'), 1_700_000_000);
    for (const bad of [
      () => parseWindow('7 days'),
      () => parseWindow('10s'),
      () => parseContainerSpec('shop/api'),
      () => parseTime('yesterday'),
    ]) {
      assert.throws(bad, (e: unknown) => isHeapscopeError(e, 'usage'));
    }
  });
});
