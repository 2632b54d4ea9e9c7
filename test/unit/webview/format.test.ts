import { strict as assert } from 'node:assert';
import {
  byteTicks,
  formatBytes,
  formatConfidence,
  formatMinutes,
  formatRate,
  shortFile,
} from '../../../webview/format';

describe('webview figure formatting', () => {
  it('formats bytes in binary multiples', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(14 * 1024 * 1024), '14.0 MiB');
    assert.equal(formatBytes(300 * 1024 * 1024), '300 MiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
    assert.equal(formatBytes(-2048), '-2.0 KiB');
    assert.equal(formatBytes(Number.NaN), '–');
    assert.equal(formatBytes(1536, 2), '1.50 KiB');
  });

  it('formats rates with a sign', () => {
    assert.equal(formatRate(2.1 * 1024 * 1024), '+2.1 MiB/min');
    assert.equal(formatRate(-300 * 1024), '-300 KiB/min');
    assert.equal(formatRate(0), '±0 B/min');
  });

  it('formats confidence and time to the heap limit', () => {
    assert.equal(formatConfidence(0.873), '87 %');
    assert.equal(formatConfidence(1.4), '100 %');
    assert.equal(formatMinutes(undefined), '–');
    assert.equal(formatMinutes(0.5), '< 1 min');
    assert.equal(formatMinutes(12.4), '12 min');
    assert.equal(formatMinutes(204), '3.4 h');
    assert.equal(formatMinutes(31_000), '21.5 days');
  });

  it('puts byte-axis ticks on round values of the shown unit', () => {
    const MB = 1024 * 1024;
    const ticks = byteTicks(0, 300 * MB, 5);
    assert.deepEqual(
      ticks.map((t) => formatBytes(t)),
      ['0 B', '100 MiB', '200 MiB', '300 MiB'],
    );
    for (const t of byteTicks(3 * 1024, 900 * 1024, 4)) assert.match(formatBytes(t), /^\d+(\.0)? (B|KiB)$/);
    assert.deepEqual(byteTicks(5, 5, 4), [5]);
  });

  it('shortens script URLs to their file name', () => {
    assert.equal(shortFile('file:///work/app/server.js'), 'server.js');
    assert.equal(shortFile('C:\\app\\a.ts'), 'a.ts');
    assert.equal(shortFile('node:internal/timers'), 'timers');
    assert.equal(shortFile(''), '(unknown)');
  });
});
