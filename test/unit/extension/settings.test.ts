import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_SETTINGS,
  notificationsDue,
  readSettings,
  SETTING_KEYS,
} from '../../../src/extension/settings';

describe('extension settings', () => {
  it('falls back to defaults on missing, mistyped or out-of-range values', () => {
    const values: Record<string, unknown> = {
      'metrics.intervalMs': 5,
      'sampling.intervalBytes': 'big',
      'debug.autoFollow': false,
      'recording.folder': '  rec  ',
      'recording.retentionDays': 0,
    };
    const s = readSettings((k) => values[k]);
    assert.equal(s.metricsIntervalMs, DEFAULT_SETTINGS.metricsIntervalMs);
    assert.equal(s.samplingIntervalBytes, 0);
    assert.equal(s.autoFollowDebugSessions, false);
    assert.equal(s.recordingFolder, 'rec');
    assert.equal(s.recordingRetentionDays, 0);
    assert.equal(s.problemsForConfirmedLeaks, false);
  });

  it('contributes every setting it reads, with the same default, in package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    const props = pkg.contributes.configuration.properties;
    for (const [field, key] of Object.entries(SETTING_KEYS)) {
      const contributed = props[`heapscope.${key}`];
      assert.ok(contributed, `heapscope.${key} missing in package.json`);
      assert.deepEqual(contributed.default, DEFAULT_SETTINGS[field as keyof typeof DEFAULT_SETTINGS], key);
    }
  });

  it('notifies the heap threshold once per session (the leak notification is verdictNotifier.ts)', () => {
    const settings = { notifyHeapUsedBytes: 5000 };
    const state = { heapNotified: false };
    assert.deepEqual(notificationsDue(settings, state, { heapUsedBytes: 10 }), []);
    assert.deepEqual(notificationsDue(settings, state, {}), []);
    assert.deepEqual(notificationsDue(settings, state, { heapUsedBytes: 5000 }), ['heap']);
    assert.deepEqual(notificationsDue(settings, { heapNotified: true }, { heapUsedBytes: 1e9 }), []);
    assert.deepEqual(notificationsDue({ notifyHeapUsedBytes: 0 }, state, { heapUsedBytes: 1e9 }), []);
  });
});
