// Worker threads observed like the main thread. Each worker_threads Worker is an isolate of its own:
// its heap is not in the main thread's process.memoryUsage().heapUsed, so a leak inside a worker
// leaves the main heap flat. Node's inspector reaches workers through the NodeWorker domain: enable
// it (without holding new workers at start), and every worker, including those already running, is
// announced with attachedToWorker; messages for it are sent with sendMessageToWorker and come back
// with receivedMessageFromWorker. Each worker gets its own memory readings (the same fixed
// expression as the main thread), its own gated verdict and its own sampling heap profile and
// suspects. vscode-js-debug attaches to Node workers the same way (NodeWorker, not Target).
import type { SamplingHeapProfile } from '../sampling/profile';
import type { CdpClient } from '../inspector/cdp';
import type {
  AttachedToWorkerEvent,
  DetachedFromWorkerEvent,
  ReceivedMessageFromWorkerEvent,
} from '../inspector/nodeWorker';
import { flattenProfile } from '../sampling/profile';
import { METRICS_EXPRESSION, toMemorySample } from '../sampling/metrics';
import { LiveVerdict, LocationResolver, rankSuspects } from '../leak';
import type { AllocationProfileReading, IsolateReport, MemorySample, Suspect, TrendVerdict } from '../types';

/** One CDP reply or event as a worker sends it, JSON-decoded. */
interface WorkerMessage {
  id?: number;
  result?: unknown;
  error?: { message?: string };
}

/** A worker's own CDP session, multiplexed over the main connection. */
class WorkerChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly client: CdpClient,
    private readonly sessionId: string,
    private readonly timeoutMs: number,
  ) {}

  send<T>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: the worker did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    this.client
      .send('NodeWorker.sendMessageToWorker', {
        sessionId: this.sessionId,
        message: JSON.stringify({ id, method, params }),
      })
      .catch((error: unknown) => this.settle({ id, error: { message: String(error) } }));
    return reply;
  }

  settle(message: WorkerMessage): void {
    if (message.id === undefined) return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message ?? 'worker error'));
    else waiter.resolve(message.result);
  }

  close(): void {
    for (const waiter of this.pending.values()) waiter.reject(new Error('worker detached'));
    this.pending.clear();
  }
}

/** What is known of one worker isolate. */
export interface WorkerIsolate {
  /** The worker's threadId as Node numbers it (NodeWorker workerId). */
  id: string;
  /** Its name (`new Worker(file, { name })`) or title. */
  name: string;
  /** The script it runs. */
  url: string;
  samples: MemorySample[];
  readings: AllocationProfileReading[];
  verdict?: TrendVerdict;
  suspects: Suspect[];
  /** Set when the worker ended (or detached). */
  ended: boolean;
}

interface Attached {
  isolate: WorkerIsolate;
  channel: WorkerChannel;
  live: LiveVerdict;
  resolver: LocationResolver;
  sampling: boolean;
  busy: boolean;
}

export interface WorkerIsolatesOptions {
  samplingIntervalBytes: number;
  /** Origin of the verdict histories' atSeconds. */
  startedAtMs: number;
  projectRoot?: string;
  horizonMinutes?: number;
  memoryLimitBytes?: number;
  log: (line: string) => void;
  /** A worker's reply slower than this is given up (the next reading tries again). */
  answerTimeoutMs?: number;
}

const MAX_SAMPLES = 20_000;
const MAX_READINGS = 400;

export class WorkerIsolates {
  private readonly attached = new Map<string, Attached>();
  private readonly known: WorkerIsolate[] = [];
  private readonly onAttached = (event: AttachedToWorkerEvent) => this.attach(event);
  private readonly onDetached = (event: DetachedFromWorkerEvent) => this.detach(event.sessionId);
  private readonly onMessage = (event: ReceivedMessageFromWorkerEvent) => this.receive(event);
  private stopped = false;

  constructor(
    private readonly client: CdpClient,
    private readonly options: WorkerIsolatesOptions,
  ) {}

  /** Starts watching workers; those already running are announced at once. Never throws. */
  async start(): Promise<void> {
    this.client.on('NodeWorker.attachedToWorker', this.onAttached);
    this.client.on('NodeWorker.detachedFromWorker', this.onDetached);
    this.client.on('NodeWorker.receivedMessageFromWorker', this.onMessage);
    try {
      // waitForDebuggerOnStart false: a new worker is never held waiting for Heapscope.
      await this.client.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
    } catch (error) {
      this.options.log(`heapscope: worker threads are not observed: ${String(error)}`);
    }
  }

  /** Every worker seen, running or ended, in the order they appeared. */
  get isolates(): readonly WorkerIsolate[] {
    return this.known;
  }

  /** Reads each running worker's memory once and updates its verdict. */
  async readMetrics(): Promise<void> {
    await Promise.all(
      [...this.attached.values()].map(async (worker) => {
        if (worker.busy) return;
        worker.busy = true;
        try {
          const reply = await worker.channel.send<{ result?: { value?: unknown } }>('Runtime.evaluate', {
            expression: METRICS_EXPRESSION,
            returnByValue: true,
          });
          const sample = toMemorySample(reply?.result?.value);
          if (!sample || worker.isolate.ended) return;
          const samples = worker.isolate.samples;
          samples.push(sample);
          if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
          worker.isolate.verdict = worker.live.update(
            {
              samples,
              heapLimitBytes: sample.heapLimitBytes,
              horizonMinutes: this.options.horizonMinutes,
              memoryLimitBytes: this.options.memoryLimitBytes,
            },
            this.options.startedAtMs,
          );
        } catch {
          // A worker that is busy or ending misses one reading; the next one tries again.
        } finally {
          worker.busy = false;
        }
      }),
    );
  }

  /** Reads each running worker's sampling heap profile and ranks its suspects. */
  async readProfiles(): Promise<void> {
    await Promise.all(
      [...this.attached.values()].map(async (worker) => {
        if (!worker.sampling) return;
        try {
          const reply = await worker.channel.send<{ profile: SamplingHeapProfile }>(
            'HeapProfiler.getSamplingProfile',
          );
          const readings = worker.isolate.readings;
          readings.push(flattenProfile(reply.profile, Date.now()));
          if (readings.length > MAX_READINGS) readings.splice(0, readings.length - MAX_READINGS);
          const suspects = await rankSuspects(
            readings,
            { getScriptSource: () => Promise.resolve(undefined) },
            {
              projectRoot: this.options.projectRoot,
              resolver: worker.resolver,
              trend: worker.isolate.verdict,
            },
          );
          worker.isolate.suspects = suspects.map((s) => ({ ...s, isolate: worker.isolate.id }));
        } catch {
          // As for the metrics: one missed reading.
        }
      }),
    );
  }

  /** Stops sampling in the workers and stops listening. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(
      [...this.attached.values()].map((worker) =>
        worker.sampling ? worker.channel.send('HeapProfiler.stopSampling').catch(() => undefined) : undefined,
      ),
    );
    this.client.off('NodeWorker.attachedToWorker', this.onAttached);
    this.client.off('NodeWorker.detachedFromWorker', this.onDetached);
    this.client.off('NodeWorker.receivedMessageFromWorker', this.onMessage);
    for (const worker of this.attached.values()) worker.channel.close();
    this.attached.clear();
    await this.client.send('NodeWorker.disable').catch(() => undefined);
  }

  private attach(event: AttachedToWorkerEvent): void {
    if (this.stopped || this.attached.has(event.sessionId)) return;
    const info = event.workerInfo;
    const isolate: WorkerIsolate = {
      id: info.workerId,
      name: info.title || `worker ${info.workerId}`,
      url: info.url,
      samples: [],
      readings: [],
      suspects: [],
      ended: false,
    };
    const sources = { getScriptSource: () => Promise.resolve(undefined) };
    const worker: Attached = {
      isolate,
      channel: new WorkerChannel(this.client, event.sessionId, this.options.answerTimeoutMs ?? 5000),
      live: new LiveVerdict(),
      resolver: new LocationResolver(sources, { projectRoot: this.options.projectRoot }),
      sampling: false,
      busy: false,
    };
    this.attached.set(event.sessionId, worker);
    this.known.push(isolate);
    this.options.log(`heapscope: observing worker thread ${isolate.name} (${isolate.url})`);
    void worker.channel
      .send('HeapProfiler.startSampling', { samplingInterval: this.options.samplingIntervalBytes })
      .then(
        () => (worker.sampling = true),
        (error: unknown) =>
          this.options.log(`heapscope: no allocation sampling in worker ${isolate.name}: ${String(error)}`),
      );
  }

  private detach(sessionId: string): void {
    const worker = this.attached.get(sessionId);
    if (!worker) return;
    worker.isolate.ended = true;
    worker.channel.close();
    this.attached.delete(sessionId);
  }

  private receive(event: ReceivedMessageFromWorkerEvent): void {
    const worker = this.attached.get(event.sessionId);
    if (!worker) return;
    let message: WorkerMessage;
    try {
      message = JSON.parse(event.message) as WorkerMessage;
    } catch {
      return;
    }
    worker.channel.settle(message);
  }
}

/**
 * The process's suspects: the main thread's, then the workers', each naming its isolate. Workers'
 * suspects come first when a worker leaks and the main thread does not.
 */
export function mergeIsolateSuspects(
  main: readonly Suspect[],
  mainVerdict: TrendVerdict | undefined,
  workers: readonly WorkerIsolate[],
): Suspect[] {
  if (workers.length === 0) return [...main];
  const tagged = main.map((s) => ({ ...s, isolate: 'main' }));
  const leaking = workers.filter((w) => w.verdict?.verdict === 'leak').flatMap((w) => w.suspects);
  const others = workers.filter((w) => w.verdict?.verdict !== 'leak').flatMap((w) => w.suspects);
  const ordered =
    mainVerdict?.verdict === 'leak' ? [...tagged, ...leaking, ...others] : [...leaking, ...tagged, ...others];
  return ordered.map((s, i) => ({ ...s, rank: i + 1 }));
}

/** The report's `isolates`: main first, then every worker seen. */
export function isolateReports(
  main: { verdict: TrendVerdict | undefined; samples: readonly MemorySample[] },
  workers: readonly WorkerIsolate[],
): IsolateReport[] {
  const entry = (
    base: Pick<IsolateReport, 'id' | 'kind' | 'name'> & { url?: string; ended?: boolean },
    verdict: TrendVerdict | undefined,
    samples: readonly MemorySample[],
  ): IsolateReport => ({
    ...base,
    verdict: verdict?.verdict ?? 'inconclusive',
    reason: verdict?.reason ?? 'No readings from this isolate yet.',
    growth: verdict?.growth ?? { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0 },
    samples: samples.length,
    ...(samples.length ? { lastSample: samples[samples.length - 1] } : {}),
  });
  return [
    entry({ id: 'main', kind: 'main', name: 'main' }, main.verdict, main.samples),
    ...workers.map((w) =>
      entry(
        { id: w.id, kind: 'worker', name: w.name, url: w.url, ...(w.ended ? { ended: true } : {}) },
        w.verdict,
        w.samples,
      ),
    ),
  ];
}
