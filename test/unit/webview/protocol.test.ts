import { strict as assert } from 'node:assert';
import { isHostMessage, parseWebviewIntent } from '../../../src/shared/protocol';

const sample = {
  timeMs: 1,
  rssBytes: 5,
  heapTotalBytes: 4,
  heapUsedBytes: 3,
  externalBytes: 2,
  arrayBuffersBytes: 1,
};

describe('webview protocol guards', () => {
  it('accepts the host messages the view renders', () => {
    assert.ok(isHostMessage({ type: 'samples', sessionId: 's', samples: [sample, sample] }));
    assert.ok(isHostMessage({ type: 'sample', sessionId: 's', sample }));
    assert.ok(
      isHostMessage({
        type: 'gc',
        sessionId: 's',
        gc: { timeMs: 1, kind: 'major', durationMs: 2, heapUsedAfterBytes: 3 },
      }),
    );
    assert.ok(isHostMessage({ type: 'verdict', sessionId: 's', verdict: null }));
    assert.ok(isHostMessage({ type: 'sessions', sessions: [{ id: 'a', name: 'A' }], currentId: null }));
    assert.ok(
      isHostMessage({
        type: 'init',
        sessionId: 's',
        name: 'n',
        readOnly: false,
        status: { state: 'observing' },
        samples: [sample],
        gcEvents: [],
        verdict: {
          verdict: 'leak',
          growth: { heapBytesPerMinute: 1, externalBytesPerMinute: 0, confidence: 1 },
          reason: '',
        },
        suspects: [{ functionName: 'f', url: 'u', line: 1, liveBytes: 2, growthBytesPerMinute: 3 }],
        allocationSampling: true,
      }),
    );
    assert.ok(
      isHostMessage({
        type: 'prometheusHistory',
        sessionId: 's',
        series: [{ label: 'l', points: [[1, 2]] }],
      }),
    );
    assert.ok(isHostMessage({ type: 'notice', level: 'warning', text: 't' }));
  });

  it('rejects malformed or foreign messages', () => {
    assert.ok(!isHostMessage(null));
    assert.ok(!isHostMessage('samples'));
    assert.ok(!isHostMessage({ type: 'unknown' }));
    assert.ok(!isHostMessage({ type: 'samples', sessionId: 's', samples: [{ ...sample, rssBytes: 'x' }] }));
    assert.ok(
      !isHostMessage({ type: 'samples', sessionId: 's', samples: [{ ...sample, timeMs: Infinity }] }),
    );
    assert.ok(!isHostMessage({ type: 'samples', samples: [] }));
    assert.ok(!isHostMessage({ type: 'verdict', sessionId: 's', verdict: { verdict: 'leak' } }));
    assert.ok(
      !isHostMessage({ type: 'prometheusHistory', sessionId: 's', series: [{ label: 'l', points: [[1]] }] }),
    );
    assert.ok(!isHostMessage({ type: 'notice', level: 'debug', text: 't' }));
  });

  it('parses intents into clean copies', () => {
    assert.deepEqual(parseWebviewIntent({ type: 'ready', protocolVersion: 1, extra: 1 }), {
      type: 'ready',
      protocolVersion: 1,
    });
    assert.deepEqual(parseWebviewIntent({ type: 'forceGc', sessionId: 's', evil: '<x>' }), {
      type: 'forceGc',
      sessionId: 's',
    });
    assert.deepEqual(parseWebviewIntent({ type: 'exportRecording', format: 'csv' }), {
      type: 'exportRecording',
      format: 'csv',
    });
    assert.deepEqual(parseWebviewIntent({ type: 'openSource', url: 'file:///a.js', line: 3.7, column: 2 }), {
      type: 'openSource',
      url: 'file:///a.js',
      line: 3,
      column: 2,
    });
    assert.deepEqual(parseWebviewIntent({ type: 'toggleSampling', on: false }), {
      type: 'toggleSampling',
      on: false,
    });
    assert.deepEqual(parseWebviewIntent({ type: 'setFollow', follow: true }), {
      type: 'setFollow',
      follow: true,
    });
    assert.deepEqual(parseWebviewIntent({ type: 'showObjects', sessionId: 's1', rank: 2, extra: 1 }), {
      type: 'showObjects',
      sessionId: 's1',
      rank: 2,
    });
  });

  it('rejects unknown or incomplete intents', () => {
    assert.equal(parseWebviewIntent({ type: 'evaluate', expression: 'process.exit()' }), undefined);
    assert.equal(parseWebviewIntent({ type: 'exportRecording', format: 'xml' }), undefined);
    assert.equal(parseWebviewIntent({ type: 'openSource', url: '', line: 1 }), undefined);
    assert.equal(parseWebviewIntent({ type: 'openSource', url: 'a', line: -1 }), undefined);
    assert.equal(parseWebviewIntent({ type: 'selectSession' }), undefined);
    assert.equal(parseWebviewIntent({ type: 'setFollow' }), undefined);
    for (const rank of [undefined, 0, 1.5, '1', -2])
      assert.equal(parseWebviewIntent({ type: 'showObjects', rank }), undefined, `rank ${String(rank)}`);
    assert.equal(parseWebviewIntent([]), undefined);
  });
});
