// The snapshot tools on real snapshots of a real leaking process (the leaker fixture): compact
// answers within the budget that still name the leaking class and its holder.
import { strict as assert } from 'node:assert';
import { findAgentTool, type AgentTool } from '../../../src/core/agent';
import { runLeaker, tempDir } from '../../unit/heapsnapshot/helpers';

const tool = (name: string): AgentTool => findAgentTool(name)!;

describe('agent snapshot tools on real snapshots', function () {
  this.timeout(120_000);
  const tmp = tempDir('heapscope-agent-');
  let files: string[];
  before(() => {
    files = runLeaker(tmp.dir, 'array', 3000, 3000);
  });
  after(() => tmp.dispose());

  it('summary: the largest constructors, within the budget', async () => {
    const summary = tool('heapscope_snapshot_summary');
    const answer = await summary.run(summary.parse({ file: files[2], top: 50 }), { budgetChars: 4000 });
    assert.ok(JSON.stringify(answer.data).length <= 4000);
    const names = (answer.data.constructors as Array<{ name: string }>).map((c) => c.name);
    assert.ok(names.length >= 5);
    assert.ok(names.includes('LeakyRecord'), names.join(', '));
    assert.match(answer.summary, /c\.heapsnapshot: [\d.]+ (KiB|MiB) in \d+ objects; largest retained: /);
  });

  it('compare: the three-snapshot growth is LeakyRecord, with its holder', async () => {
    const compare = tool('heapscope_snapshot_compare');
    const answer = await compare.run(compare.parse({ files }), {});
    assert.ok(JSON.stringify(answer.data).length <= 8000);
    assert.match(answer.summary, /LeakyRecord ×3000 \([\d.]+ KiB\) held by Array /);
    const between = answer.data.allocatedBetween as { constructors: Array<{ name: string; count: number }> };
    assert.ok(between.constructors.some((c) => c.name === 'LeakyRecord' && c.count === 3000));
  });

  it('retainers: paths of the largest LeakyRecord objects, down from leakyRecords', async () => {
    const retainers = tool('heapscope_retainers');
    const answer = await retainers.run(
      retainers.parse({ file: files[2], constructorName: 'LeakyRecord', objects: 2 }),
      {},
    );
    assert.equal(answer.data.matched, 6000);
    const objects = answer.data.objects as Array<{ paths: string[][] }>;
    assert.equal(objects.length, 2);
    assert.ok(
      objects[0]!.paths[0]!.some((step) => step.includes('leakyRecords')),
      objects[0]!.paths[0]!.join('\n'),
    );
    assert.match(answer.summary, /^6000 object\(s\) matched; the largest, LeakyRecord @\d+/);
  });
});
