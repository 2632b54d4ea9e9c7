import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { MemorySessionApi } from '../../../src/core/session/api';
import { E2eStateWriter, stateLine } from '../../../src/extension/e2eState';
import { SessionRegistry } from '../../../src/extension/sessionRegistry';
import {
  eventMessages,
  fullStateMessages,
  parseIntent,
  prometheusOverlay,
} from '../../../src/extension/webviewBridge';
import { isHostMessage } from '../../../src/shared/protocol';

/** Plain data standing in for a session's readable state (registry and messages only read it). */
function sessionData(id: string): MemorySessionApi {
  return Object.assign(new EventEmitter(), {
    id,
    target: { kind: 'launch' as const },
    status: { state: 'observing' as const },
    samples: [
      { timeMs: 1, rssBytes: 1, heapTotalBytes: 1, heapUsedBytes: 5, externalBytes: 0, arrayBuffersBytes: 0 },
    ],
    gcEvents: [],
    verdict: {
      verdict: 'leak' as const,
      growth: { heapBytesPerMinute: 10, externalBytesPerMinute: 0, confidence: 1 },
      reason: 'r',
    },
    suspects: [
      {
        rank: 1,
        kind: 'heap' as const,
        functionName: 'f',
        url: '/a.js',
        line: 3,
        column: 1,
        liveBytes: 9,
        growthBytesPerMinute: 2,
        stack: [],
      },
    ],
    recordingDir: undefined,
    allocationSampling: true,
  }) as unknown as MemorySessionApi;
}

describe('extension session registry', () => {
  it('keeps names unique among present sessions and tracks the current one', () => {
    const r = new SessionRegistry();
    const currents: Array<string | undefined> = [];
    r.on('current', (e) => currents.push(e?.name));
    const a = r.add({ id: 'a', name: 'api', origin: 'command', session: sessionData('a'), readOnly: false });
    const b = r.add({
      id: 'b',
      name: 'api',
      origin: 'debug',
      session: sessionData('b'),
      readOnly: false,
      debugSessionId: 'd1',
    });
    assert.equal(a.name, 'api');
    assert.equal(b.name, 'api (2)');
    assert.equal(r.current?.id, 'b');
    assert.equal(r.byDebugSession('d1')?.id, 'b');
    r.markEnded('b');
    assert.equal(r.byDebugSession('d1'), undefined, 'an ended session no longer follows its debug session');
    assert.deepEqual(
      r.live.map((e) => e.id),
      ['a'],
    );
    assert.equal(r.uniqueName('api (2)'), 'api (2)', 'ended sessions free their name');
    r.remove('b');
    assert.equal(r.current?.id, 'a');
    assert.deepEqual(currents, ['api', 'api (2)', 'api']);
  });

  it('writes e2e state lines with sessions and lenses, throttling periodic ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-e2e-'));
    try {
      const r = new SessionRegistry();
      r.add({ id: 'a', name: 'api', origin: 'command', session: sessionData('a'), readOnly: false });
      const file = path.join(dir, 'state.jsonl');
      const writer = new E2eStateWriter(
        file,
        () => ({ entries: r.all, lenses: [{ file: '/a.js', line: 2, title: 't' }] }),
        200,
      );
      writer.write('started');
      writer.write('state');
      writer.write('state');
      writer.write('state');
      await new Promise((resolve) => setTimeout(resolve, 400));
      writer.dispose();
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        lines.map((l) => l.event),
        ['started', 'state', 'state'],
        'three periodic writes within 200 ms collapse into two',
      );
      const s = (lines[0]!.sessions as Array<Record<string, unknown>>)[0]!;
      assert.equal(s.samples, 1);
      assert.equal(s.verdict, 'leak');
      assert.deepEqual(s.suspects, [{ functionName: 'f', url: '/a.js', line: 3, liveBytes: 9 }]);
      assert.deepEqual(lines[0]!.codeLenses, [{ file: '/a.js', line: 2, title: 't' }]);
      const off = new E2eStateWriter(undefined, () => ({ entries: [], lenses: [] }));
      assert.equal(off.enabled, false);
      off.write('started');
      assert.match(
        stateLine('x', [], [], 5),
        /^\{"timeMs":5,"event":"x","sessions":\[\],"codeLenses":\[\]\}\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends only the current session data to the views', () => {
    const r = new SessionRegistry();
    const a = r.add({ id: 'a', name: 'a', origin: 'command', session: sessionData('a'), readOnly: false });
    r.add({ id: 'b', name: 'b', origin: 'command', session: sessionData('b'), readOnly: false });
    assert.deepEqual(eventMessages(a, 'sample', r), []);
    r.setCurrent('a');
    const [msg] = eventMessages(a, 'sample', r) as Array<{ type: string; sessionId: string }>;
    assert.equal(msg!.type, 'sample');
    const full = fullStateMessages(r) as Array<{ type: string }>;
    assert.deepEqual(
      full.map((m) => m.type),
      ['sessions', 'init'],
    );
  });

  it('accepts only well-formed intents from the webview', () => {
    assert.deepEqual(parseIntent({ type: 'forceGc' }), { kind: 'forceGc' });
    assert.deepEqual(parseIntent({ type: 'openSource', url: '/a.js', line: 3 }), {
      kind: 'openSource',
      url: '/a.js',
      line: 3,
    });
    assert.equal(parseIntent({ type: 'openSource', url: '/a.js' }), undefined);
    assert.equal(parseIntent({ type: 'evaluate', expression: 'process.exit()' }), undefined);
    assert.equal(parseIntent('forceGc'), undefined);
    assert.equal(parseIntent({ type: 'exportRecording', format: 'exe' }), undefined);
    assert.deepEqual(parseIntent({ type: 'exportRecording', format: 'csv', sessionId: 'a' }), {
      kind: 'export',
      format: 'csv',
      sessionId: 'a',
    });
    assert.deepEqual(parseIntent({ type: 'exportProfile' }), { kind: 'export', format: 'heapprofile' });
    assert.deepEqual(parseIntent({ type: 'setFollow', follow: false }), { kind: 'setFollow', follow: false });
  });

  it("sends the isolates' lines with the verdict and in init, only when the process runs workers", () => {
    const r = new SessionRegistry();
    const session = sessionData('a');
    const a = r.add({ id: 'a', name: 'a', origin: 'command', session, readOnly: false });
    r.setCurrent('a');
    assert.deepEqual(
      eventMessages(a, 'verdict', r).map((m) => m.type),
      ['verdict'],
    );
    const growth = { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 1 };
    const isolates = [
      {
        id: 'main',
        kind: 'main' as const,
        name: 'main',
        verdict: 'no-leak' as const,
        reason: 'r',
        growth,
        samples: 3,
      },
      {
        id: '1',
        kind: 'worker' as const,
        name: 'w',
        verdict: 'leak' as const,
        reason: 'r',
        growth,
        samples: 3,
      },
    ];
    Object.assign(session, { isolates });
    const messages = eventMessages(a, 'verdict', r);
    assert.deepEqual(
      messages.map((m) => m.type),
      ['verdict', 'isolates'],
    );
    const init = fullStateMessages(r)[1] as { type: string; isolates?: unknown };
    assert.deepEqual(init.isolates, isolates);
    for (const m of [...messages, init]) assert.ok(isHostMessage(m), JSON.stringify(m).slice(0, 200));
  });

  it("sends a tree's process lines and changes of process with the verdict, the status and in init", () => {
    const r = new SessionRegistry();
    const session = sessionData('a');
    const a = r.add({ id: 'a', name: 'a', origin: 'command', session, readOnly: false });
    r.setCurrent('a');
    // One process: no process lines, as before.
    assert.deepEqual(
      eventMessages(a, 'status', r).map((m) => m.type),
      ['sessions', 'status'],
    );
    const growth = { heapBytesPerMinute: 2048, externalBytesPerMinute: 0, confidence: 1 };
    const processes = [
      {
        pid: 10,
        command: ['node', 'npm-cli.js'],
        role: 'wrapper' as const,
        wrapper: 'npm',
        samples: 0,
        startedAtSeconds: 0,
        suspects: 0,
      },
      {
        pid: 11,
        command: ['node', 'server.js'],
        role: 'app' as const,
        verdict: 'leak' as const,
        reason: 'r',
        growth,
        samples: 9,
        startedAtSeconds: 0,
        endedAtSeconds: 9,
        suspects: 1,
      },
      {
        pid: 12,
        command: ['node', 'server.js'],
        role: 'app' as const,
        verdict: 'inconclusive' as const,
        reason: 'r',
        growth,
        samples: 3,
        startedAtSeconds: 10,
        suspects: 0,
      },
    ];
    const followChanges = [{ timeMs: 10_000, fromPid: 11, toPid: 12, restart: true }];
    Object.assign(session, { processes, followChanges, target: { kind: 'launch', pid: 12 } });
    for (const what of ['verdict', 'status']) {
      const messages = eventMessages(a, what, r);
      const message = messages.find((m) => m.type === 'processes');
      assert.deepEqual(message, {
        type: 'processes',
        sessionId: 'a',
        processes,
        followedPid: 12,
        changes: followChanges,
      });
      for (const m of messages) assert.ok(isHostMessage(m), JSON.stringify(m).slice(0, 200));
    }
    const init = fullStateMessages(r)[1] as { type: string; processes?: unknown };
    assert.deepEqual(init.processes, { processes, followedPid: 12, changes: followChanges });
    assert.ok(isHostMessage(init));
  });

  it('sends messages the webview protocol guard accepts, and recordings as recordingLoaded', () => {
    const r = new SessionRegistry();
    assert.deepEqual(
      fullStateMessages(r).map((m) => m.type),
      ['sessions', 'clear'],
    );
    const a = r.add({ id: 'a', name: 'a', origin: 'command', session: sessionData('a'), readOnly: false });
    for (const m of [
      ...fullStateMessages(r),
      ...['sample', 'verdict', 'suspects', 'status'].flatMap((w) => eventMessages(a, w, r)),
    ]) {
      assert.ok(isHostMessage(m), JSON.stringify(m).slice(0, 200));
    }
    r.add({
      id: 'rec',
      name: 'old (recording)',
      origin: 'recording',
      session: sessionData('rec'),
      readOnly: true,
    });
    const [, loaded] = fullStateMessages(r);
    assert.equal(loaded!.type, 'recordingLoaded');
    assert.ok(isHostMessage(loaded));
  });
});

describe('extension Prometheus overlay', () => {
  it('draws byte series only, in milliseconds, labelled with their container', () => {
    const overlay = prometheusOverlay({
      endpoint: 'http://127.0.0.1:9090',
      container: { namespace: 'shop', pod: 'api-0', container: 'app' },
      start: 0,
      end: 120,
      stepSeconds: 60,
      series: [
        {
          name: 'workingSet',
          promql: 'q1',
          unit: 'bytes',
          points: [
            [60, 100],
            [120, 200],
          ],
        },
        { name: 'cpu', promql: 'q2', unit: 'seconds/second', points: [[60, 0.5]] },
        { name: 'limit', promql: 'q3', unit: 'bytes', points: [] },
      ],
      events: [],
      verdict: {} as never,
      requests: 3,
      warnings: [],
    });
    assert.deepEqual(overlay, [
      {
        label: 'workingSet (shop/api-0/app)',
        points: [
          [60000, 100],
          [120000, 200],
        ],
      },
    ]);
    assert.ok(isHostMessage({ type: 'prometheusHistory', sessionId: 's', series: overlay }));
  });
});
