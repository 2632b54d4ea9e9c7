// docs/performance.md's table is generated from bench/results by `npm run bench:report`: it must
// match what the committed results give, and each bench's JSON must turn into its row.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderedDoc, rowsFrom } from '../../bench/report';

describe('bench report', function () {
  this.timeout(20_000);

  it('docs/performance.md holds the table the committed results give (run npm run bench:report)', async () => {
    const { doc, next } = await renderedDoc();
    assert.equal(doc, next);
  });

  it('makes one row per bench from its JSON, and names what it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-bench-'));
    try {
      writeFileSync(
        join(dir, 'prometheus.json'),
        JSON.stringify({
          date: '2026-01-02T00:00:00Z',
          node: 'v20',
          window: '7d',
          stepSeconds: 15,
          runs: 5,
          wallMs: { median: 528 },
          requests: 56,
          seriesWithData: 6,
          pointsFetched: 241926,
          goalMs: 2000,
        }),
      );
      writeFileSync(join(dir, 'odd.json'), '{}');
      writeFileSync(join(dir, 'accuracy.json'), 'not json');
      const { rows, unknown } = rowsFrom(dir);
      assert.deepEqual(
        rows.map((r) => r.bench),
        ['Prometheus, 7d at 15 s'],
      );
      assert.match(rows[0].result, /median 528 ms, 56 requests/);
      assert.equal(rows[0].measured, '2026-01-02, v20');
      assert.deepEqual(unknown.sort(), ['accuracy.json (not JSON)', 'odd.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
