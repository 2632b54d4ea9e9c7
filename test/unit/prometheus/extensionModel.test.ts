import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  parseCustomWindow,
  sanitizeCustomSeries,
  sanitizeEndpoints,
  toTemplate,
} from '../../../src/extension/prometheus/model';
import { planQueries } from '../../../src/core/prometheus/queries';
import { parseContainerSpec } from '../../../src/core/prometheus/history';

describe('prometheus face: settings and custom series', () => {
  it('reads endpoints from settings without ever carrying a secret field', () => {
    const list = sanitizeEndpoints([
      {
        name: 'prod',
        url: 'https://thanos',
        auth: 'bearer',
        token: 'leaked?',
        password: 'x',
        headerNames: ['X-Scope-OrgID', 3],
      },
      { url: 'no-name' },
      'junk',
    ]);
    assert.deepEqual(list, [
      { name: 'prod', url: 'https://thanos', auth: 'bearer', headerNames: ['X-Scope-OrgID'] },
    ]);
    assert.deepEqual(sanitizeEndpoints(undefined), []);
  });

  it('contributes settings whose schema has no secret fields', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: {
        configuration: { properties: Record<string, { items?: { properties?: Record<string, unknown> } }> };
      };
    };
    const endpoints = pkg.contributes.configuration.properties['heapscope.prometheus.endpoints'];
    const fields = Object.keys(endpoints.items?.properties ?? {});
    assert.ok(fields.includes('url') && fields.includes('auth'));
    for (const f of fields) assert.doesNotMatch(f, /token|password|secret/i);
    assert.ok(pkg.contributes.configuration.properties['heapscope.prometheus.customSeries']);
  });

  it('saves an edited query as a template that fits every container', () => {
    const ref = parseContainerSpec('shop/api-7d9f8b6c5-x2kqz/app');
    const heap = planQueries(ref, 600).find((q) => q.name === 'heapUsed')!.promql;
    const ws = planQueries(ref, 600).find((q) => q.name === 'workingSet')!.promql;
    assert.equal(toTemplate(`${ws} - 1`, ref), 'max(container_memory_working_set_bytes{$selector}) - 1');
    assert.equal(toTemplate(heap, ref), 'max(nodejs_heap_size_used_bytes{$selector_pod})');
    const other = parseContainerSpec('data/db-0/db');
    const [custom] = planQueries(other, 60, {
      custom: sanitizeCustomSeries([{ name: 'x', promql: toTemplate(ws, ref), unit: 'bytes' }]),
    }).slice(-1);
    assert.equal(
      custom.promql,
      'max(container_memory_working_set_bytes{namespace="data", pod="db-0", container="db"})',
    );
  });

  it('parses custom windows', () => {
    assert.deepEqual(parseCustomWindow('3d', 1_000_000), { start: 1_000_000 - 3 * 86400, end: 1_000_000 });
    assert.deepEqual(parseCustomWindow('12h ending 2023-11-14T22:13:20Z', 0), {
      start: 1_700_000_000 - 43200,
      end: 1_700_000_000,
    });
    assert.equal(parseCustomWindow('soon', 0), undefined);
    assert.equal(parseCustomWindow('3d ending whenever', 0), undefined);
  });
});
