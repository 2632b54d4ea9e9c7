import { strict as assert } from 'node:assert';
import { runInNewContext } from 'node:vm';
import {
  flattenProfile,
  gcKind,
  METRICS_EXPRESSION,
  parseGcPayload,
  toMemorySample,
} from '../../../src/core/sampling';
import type { SamplingHeapProfile } from '../../../src/core/sampling';

const frame = (functionName: string, line: number, url = 'file:///app/x.js', scriptId = '7') => ({
  functionName,
  scriptId,
  url,
  lineNumber: line,
  columnNumber: 2,
});

describe('sampling', () => {
  it('maps the metrics expression result (evaluated here, as the target would) to a sample', () => {
    const value = runInNewContext(METRICS_EXPRESSION, { process, Symbol, Object, globalThis: {} });
    const sample = toMemorySample(value);
    assert.ok(sample);
    const now = process.memoryUsage();
    assert.ok(sample.heapUsedBytes > 0 && sample.heapUsedBytes < now.heapTotal * 2);
    assert.ok(sample.rssBytes >= sample.heapTotalBytes);
    assert.ok(sample.heapLimitBytes! > 1e8);
    assert.ok(sample.spaces!.old_space > 0);
    assert.ok(Math.abs(sample.timeMs - Date.now()) < 5000);
    assert.equal(toMemorySample(null), undefined);
    assert.equal(toMemorySample([1, 2]), undefined);
  });

  it('parses batched GC events and maps kind bits', () => {
    assert.equal(gcKind(1), 'minor');
    assert.equal(gcKind(4), 'major');
    assert.equal(gcKind(8), 'incremental');
    assert.equal(gcKind(16), 'weakcb');
    const events = parseGcPayload(
      JSON.stringify([[1000, 4, 3.5, 2_000_000, 10_000], [1001, 1, 0.4, 1_900_000, 9_000], ['bad']]),
    );
    assert.deepEqual(events, [
      {
        timeMs: 1000,
        kind: 'major',
        durationMs: 3.5,
        heapUsedAfterBytes: 2_000_000,
        externalAfterBytes: 10_000,
      },
      {
        timeMs: 1001,
        kind: 'minor',
        durationMs: 0.4,
        heapUsedAfterBytes: 1_900_000,
        externalAfterBytes: 9_000,
      },
    ]);
    assert.deepEqual(parseGcPayload('not json'), []);
  });

  it('flattens a sampling profile into sites with full stacks, top first', () => {
    const profile: SamplingHeapProfile = {
      head: {
        callFrame: frame('(root)', -1, '', '0'),
        selfSize: 0,
        id: 1,
        children: [
          {
            callFrame: frame('main', 0),
            selfSize: 100,
            id: 2,
            children: [{ callFrame: frame('leaf', 9), selfSize: 65536, id: 3, children: [] }],
          },
          { callFrame: frame('idle', 20), selfSize: 0, id: 4, children: [] },
        ],
      },
      samples: [
        { size: 32768, nodeId: 3, ordinal: 1 },
        { size: 32768, nodeId: 3, ordinal: 2 },
        { size: 100, nodeId: 2, ordinal: 3 },
      ],
    };
    const reading = flattenProfile(profile, 42);
    assert.equal(reading.timeMs, 42);
    assert.equal(reading.sites.length, 2);
    const leaf = reading.sites.find((s) => s.stack[0].functionName === 'leaf')!;
    assert.deepEqual(
      leaf.stack.map((f) => f.functionName),
      ['leaf', 'main'],
    );
    assert.equal(leaf.liveBytes, 65536);
    assert.equal(leaf.sampleCount, 2);
    assert.equal(leaf.stack[0].lineNumber, 9);
    assert.notEqual(leaf.key, reading.sites.find((s) => s.stack[0].functionName === 'main')!.key);
  });
});
