import { strict as assert } from 'node:assert';
import {
  codeLensTitle,
  formatBytes,
  formatMinutes,
  formatRate,
  holderLensTitle,
  sparkline,
  statusBarText,
  verdictWord,
} from '../../../src/extension/format';
import type { TrendVerdict } from '../../../src/core/types';

const leak: TrendVerdict = {
  verdict: 'leak',
  growth: { heapBytesPerMinute: 2.1 * 1024 * 1024, externalBytesPerMinute: 0, confidence: 0.9 },
  reason: 'floor rises',
};

describe('extension format', () => {
  it('formats bytes with binary units and sensible digits', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(14 * 1024 * 1024), '14.0 MiB');
    assert.equal(formatBytes(150 * 1024 * 1024), '150 MiB');
    assert.equal(formatBytes(-2048), '-2.0 KiB');
    assert.equal(formatBytes(Number.NaN), '–');
  });

  it('formats signed rates', () => {
    assert.equal(formatRate(2.1 * 1024 * 1024), '+2.1 MiB/min');
    assert.equal(formatRate(-512), '-512 B/min');
    assert.equal(formatRate(0), '±0 B/min');
  });

  it('writes the CodeLens title of a suspect as the issue shows it', () => {
    assert.equal(
      codeLensTitle({ kind: 'heap', growthBytesPerMinute: 2.1 * 1024 * 1024, liveBytes: 14 * 1024 * 1024 }),
      '⚠ leak suspect · +2.1 MiB/min live · 14.0 MiB',
    );
    assert.match(
      codeLensTitle({ kind: 'external', growthBytesPerMinute: 1024, liveBytes: 2048 }),
      /off-heap/,
    );
    assert.match(
      codeLensTitle({ kind: 'heap', growthBytesPerMinute: 1, liveBytes: 1, note: 'inlined' }),
      /approximate/,
    );
  });

  it('names the holder in its lens', () => {
    const title = holderLensTitle({
      growthBytesPerMinute: 1024 * 1024,
      holder: { kind: 'Array', name: 'sessionLog', path: [], retainedBytes: 3 * 1024 * 1024, count: 1200 },
    });
    assert.equal(
      title,
      '⚠ holds leaking objects (Array sessionLog) · keeps 3.0 MiB in 1200 objects · +1.0 MiB/min',
    );
  });

  it('says the state, the verdict and the heap in the status bar', () => {
    assert.equal(
      statusBarText({ name: 'api', state: 'observing', verdict: leak, heapUsedBytes: 84 * 1024 * 1024 }),
      '$(warning) api: leak +2.1 MiB/min · 84.0 MiB',
    );
    assert.equal(
      statusBarText({ name: 'api', state: 'paused', verdict: leak }),
      '$(debug-pause) api: paused',
    );
    assert.equal(statusBarText({ name: 'w', state: 'connecting' }), '$(pulse) w: connecting…');
    assert.equal(verdictWord({ ...leak, verdict: 'no-leak' }, 'observing'), 'no leak');
    assert.equal(verdictWord({ ...leak, verdict: 'inconclusive' }, 'observing'), 'watching…');
    assert.equal(verdictWord(undefined, 'target-exited'), 'target exited');
  });

  it('draws sparklines from low to high and flat when constant', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([5, 5, 5]), '▁▁▁');
    assert.equal(sparkline([]), '');
    const long = Array.from({ length: 1000 }, (_, i) => i);
    const line = sparkline(long, 10);
    assert.equal([...line].length, 10);
    assert.equal([...line][0], '▁');
    assert.equal([...line][9], '█');
  });

  it('formats minutes to a heap limit', () => {
    assert.equal(formatMinutes(0.5), '< 1 min');
    assert.equal(formatMinutes(45.4), '45 min');
    // The same rule as the CLI and the live view (src/shared/format.ts).
    assert.equal(formatMinutes(200), '3.3 h');
    assert.equal(formatMinutes(150), '2.5 h');
    assert.equal(formatMinutes(60 * 24 * 3), '3.0 days');
    assert.equal(formatMinutes(Number.POSITIVE_INFINITY), '–');
  });
});
