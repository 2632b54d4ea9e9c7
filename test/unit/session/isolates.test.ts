// WorkerIsolates against a fake CDP client that plays Node's NodeWorker domain: workers announced
// (before or after enable) are read through sendMessageToWorker, replies are matched by id, a
// detached worker is kept as ended, and stop leaves nothing enabled.
import { strict as assert } from 'node:assert';
import { isolateReports, mergeIsolateSuspects, WorkerIsolates } from '../../../src/core/session/isolates';
import type { Suspect, TrendVerdict } from '../../../src/core/types';
import { FakeCdp } from './fakeCdp';

/** The fake client playing a Node process with worker threads. */
class FakeNode {
  readonly cdp = new FakeCdp();
  heapUsed = 10_000_000;

  constructor() {
    this.cdp
      .answer('NodeWorker.enable', () => {
        // A worker that was running before the attach is announced on enable.
        setImmediate(() => this.announce('1', 'report-builder'));
        return {};
      })
      .answer('NodeWorker.disable', () => ({}))
      .answer('NodeWorker.sendMessageToWorker', ({ sessionId, message }) => {
        const request = JSON.parse(message) as { id: number; method: string };
        const result =
          request.method === 'Runtime.evaluate'
            ? { result: { value: [Date.now(), 80e6, 12e6, this.heapUsed, 1e6, 5e5, 4e9] } }
            : {};
        setImmediate(() =>
          this.cdp.emit('NodeWorker.receivedMessageFromWorker', {
            sessionId,
            message: JSON.stringify({ id: request.id, result }),
          }),
        );
        return {};
      });
  }

  get sent(): Array<{ method: string; params: unknown }> {
    return this.cdp.calls;
  }

  announce(id: string, name: string): void {
    this.cdp.emit('NodeWorker.attachedToWorker', {
      sessionId: id,
      workerInfo: { workerId: id, type: 'worker', title: name, url: `file:///app/${name}.js` },
      waitingForDebugger: false,
    });
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('session/isolates: worker threads through NodeWorker', () => {
  it('finds a worker already running, reads it, keeps it once ended, and disables on stop', async () => {
    const node = new FakeNode();
    const logs: string[] = [];
    const workers = new WorkerIsolates(node.cdp, {
      samplingIntervalBytes: 65536,
      startedAtMs: Date.now(),
      log: (line) => logs.push(line),
    });
    await workers.start();
    await tick();
    assert.equal(workers.isolates.length, 1);
    assert.deepEqual(node.sent[0], {
      method: 'NodeWorker.enable',
      params: { waitForDebuggerOnStart: false },
    });
    await workers.readMetrics();
    await workers.readMetrics();
    const [worker] = workers.isolates;
    assert.equal(worker.samples.length, 2);
    assert.equal(worker.samples[1].heapUsedBytes, 10_000_000);
    assert.equal(worker.verdict?.verdict, 'inconclusive');
    assert.match(logs.join('\n'), /observing worker thread report-builder/);

    node.announce('2', 'pool-1');
    node.cdp.emit('NodeWorker.detachedFromWorker', { sessionId: '1' });
    await workers.readMetrics();
    assert.deepEqual(
      workers.isolates.map((w) => [w.name, w.ended, w.samples.length]),
      [
        ['report-builder', true, 2],
        ['pool-1', false, 1],
      ],
    );
    await workers.stop();
    assert.equal(node.sent[node.sent.length - 1].method, 'NodeWorker.disable');
    assert.equal(node.cdp.listenerCount('NodeWorker.attachedToWorker'), 0);
  });

  it('a leaking worker ranks its suspects first and each suspect names its isolate', () => {
    const suspect = (name: string): Suspect => ({
      rank: 1,
      kind: 'heap',
      functionName: name,
      url: 'file:///app/a.js',
      line: 1,
      column: 1,
      liveBytes: 1,
      growthBytesPerMinute: 1,
      stack: [],
    });
    const leak: TrendVerdict = {
      verdict: 'leak',
      growth: { heapBytesPerMinute: 1, externalBytesPerMinute: 0, confidence: 0.9 },
      reason: 'x',
    };
    const worker = {
      id: '1',
      name: 'w',
      url: 'file:///app/w.js',
      samples: [],
      readings: [],
      suspects: [{ ...suspect('build'), isolate: '1' }],
      verdict: leak,
      ended: false,
    };
    const merged = mergeIsolateSuspects([suspect('serve')], { ...leak, verdict: 'no-leak' }, [worker]);
    assert.deepEqual(
      merged.map((s) => [s.rank, s.functionName, s.isolate]),
      [
        [1, 'build', '1'],
        [2, 'serve', 'main'],
      ],
    );
    assert.deepEqual(mergeIsolateSuspects([suspect('serve')], leak, []), [suspect('serve')]);
    const reports = isolateReports({ verdict: undefined, samples: [] }, [worker]);
    assert.deepEqual(
      reports.map((r) => [r.id, r.kind, r.verdict]),
      [
        ['main', 'main', 'inconclusive'],
        ['1', 'worker', 'leak'],
      ],
    );
  });
});
