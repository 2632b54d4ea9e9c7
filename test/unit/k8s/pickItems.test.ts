// The pod picker's items (src/extension/k8s/pickItems): the current context preselected, pods with
// status and age, non-running ones marked, containers with why they do not run.
import { strict as assert } from 'node:assert';
import { summarizePod } from '../../../src/core/k8s/pods';
import { containerItems, contextItems, podItems } from '../../../src/extension/k8s/pickItems';

describe('k8s picker items', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  const running = summarizePod(
    {
      metadata: {
        name: 'api-0',
        namespace: 'shop',
        creationTimestamp: '2026-11-22T12:00:00Z',
        annotations: { 'kubectl.kubernetes.io/default-container': 'app' },
      },
      spec: {
        containers: [
          { name: 'proxy', image: 'envoy:1' },
          { name: 'app', image: 'node:20' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'proxy',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
          { name: 'app', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    },
    now,
  );
  const pending = summarizePod(
    {
      metadata: { name: 'api-1', namespace: 'shop', creationTimestamp: '2026-11-24T11:59:30Z' },
      spec: { containers: [{ name: 'app' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }],
      },
    },
    now,
  );

  it('marks and preselects the current context', () => {
    const { items, active } = contextItems([
      { name: 'prod', current: true },
      { name: 'dev', current: false },
    ]);
    assert.equal(active, 'prod');
    assert.deepEqual(
      items.map((i) => [i.label, i.description]),
      [
        ['prod', 'current'],
        ['dev', undefined],
      ],
    );
  });

  it('shows each pod with status, age, readiness, restarts and containers', () => {
    const [a, b] = podItems([running, pending]);
    assert.equal(a!.label, '$(warning) api-0', 'a container of this pod is crash-looping');
    assert.equal(a!.description, 'CrashLoopBackOff · 2d');
    assert.equal(a!.detail, 'ready 1/2 · restarts 4 · containers: proxy, app');
    assert.equal(b!.label, '$(warning) api-1');
    assert.equal(b!.description, 'ContainerCreating · 30s');
  });

  it('lists containers with why they do not run, the default container preselected', () => {
    const { items, active } = containerItems(running);
    assert.equal(active, 'app');
    assert.deepEqual(
      items.map((i) => [i.label, i.description]),
      [
        ['proxy', 'CrashLoopBackOff · envoy:1'],
        ['app', 'node:20'],
      ],
    );
  });
});
