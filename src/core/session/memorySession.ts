// MemorySession: attaches to a target, reads memory once per interval, receives GC events, runs the
// sampling heap profiler, keeps the leak verdict and suspects current, records everything as it
// arrives, and at the end names holders and builds the report. The CLI and the extension both drive
// this one class.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { redactArgs, redactTarget, redactText } from '../redact';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapscopeError, describeError } from '../errors';
import { captureHeapSnapshot, snapshotPauseSeconds, type CdpLike } from '../heapsnapshot';
import { connectTarget, type CdpClient, type TargetConnection } from '../inspector';
import type { PodConnectionEvent } from '../k8s';
import {
  attributeHolders,
  combineIsolateVerdicts,
  formatBytes,
  LiveVerdict,
  LocationResolver,
  ProcessVerdictHistory,
  rankSuspects,
  wantsHolders,
} from '../leak';
import type { ScriptSourceProvider } from '../leak';
import { buildReport } from '../report';
import {
  DEFAULT_METRICS_INTERVAL_MS,
  DEFAULT_PROFILE_INTERVAL_MS,
  DEFAULT_SAMPLING_INTERVAL_BYTES,
  flattenProfile,
  GC_BINDING_NAME,
  GC_FLUSH_EXPRESSION,
  GC_INSTALL_EXPRESSION,
  GC_UNINSTALL_EXPRESSION,
  METRICS_EXPRESSION,
  parseGcPayload,
  toMemorySample,
  type SamplingHeapProfile,
} from '../sampling';
import type {
  AllocationProfileReading,
  GcEvent,
  MemorySample,
  ReportV1,
  Suspect,
  TargetInfo,
  TrendVerdict,
} from '../types';
import type { MemorySessionApi, SessionEvents, SessionOptions, SessionStatus, SnapshotProgress } from './api';
import { DEFAULT_HOLDERS_MAX_HEAP_BYTES, heapTooLargeForHolders } from './api';
import { RecordingWriter, RECORDING_FORMAT, RECORDING_VERSION } from './recording';
import { isolateReports, mergeIsolateSuspects, WorkerIsolates } from './isolates';
import { capForUnobservedChildren, ProcessTreeWatch } from './processTree';
import { ARM_OOM_EXPRESSION } from './oomSnapshot';

/** Fixed probe: resolves only once the target's event loop turns again (i.e. it is no longer paused). */
const RESUME_PROBE_EXPRESSION = 'new Promise((resolve) => setImmediate(() => resolve(1)))';
const RESUME_PROBE_RETRY_MS = 1000;
const IDENTITY_EXPRESSION =
  "(typeof process === 'object' && process && process.versions && process.versions.node) ? [process.version, process.pid, process.title] : null";
/** Keep this many profile readings at most; older ones are thinned (every other dropped). */
const MAX_READINGS = 240;
/** Keep this many GC events; beyond it the oldest minor GCs are dropped (the floor uses majors). */
const MAX_GC_EVENTS = 100_000;

export class MemorySession extends EventEmitter<SessionEvents> implements MemorySessionApi {
  readonly id: string;
  target: TargetInfo;
  status: SessionStatus = { state: 'connecting' };
  readonly samples: MemorySample[] = [];
  readonly gcEvents: GcEvent[] = [];
  verdict: TrendVerdict | undefined;
  suspects: Suspect[] = [];
  readonly recordingDir: string | undefined;
  allocationSampling = false;

  private readonly options: SessionOptions;
  private readonly metricsIntervalMs: number;
  private readonly samplingIntervalBytes: number;
  private readonly profileIntervalMs: number;
  private connection: TargetConnection | undefined;
  private client: CdpClient | undefined;
  private writer: RecordingWriter | undefined;
  private readonly readings: AllocationProfileReading[] = [];
  private lastRawProfile: SamplingHeapProfile | undefined;
  private readonly resolver: LocationResolver;
  private readonly sources: ScriptSourceProvider;
  private readonly scriptSources = new Map<string, Promise<string | undefined>>();
  private metricsTimer: NodeJS.Timeout | undefined;
  private profileTimer: NodeJS.Timeout | undefined;
  private metricsInFlightSinceMs: number | undefined;
  private unresponsive = false;
  private paused = false;
  private debuggerEnabled = false;
  private reconnecting = false;
  private samplingStartedByUs = false;
  private mainContextId: number | undefined;
  private startedAtMs = Date.now();
  private endedAtMs: number | undefined;
  private ended = false;
  private exitInfo: ReportV1['targetExited'];
  private readonly snapshots: NonNullable<ReportV1['snapshots']> = [];
  private holdersSkipped: ReportV1['holdersSkipped'];
  private ranking: Promise<void> = Promise.resolve();
  private stopping: Promise<ReportV1> | undefined;
  private verdictCount = 0;
  private readonly liveVerdict = new LiveVerdict();
  // Worker threads (isolates.ts): their own readings and verdicts; the process verdict combines them.
  private workers: WorkerIsolates | undefined;
  private mainVerdict: TrendVerdict | undefined;
  private mainSuspects: Suspect[] = [];
  private readonly processHistory = new ProcessVerdictHistory();
  // Node children of a launched or signalled process (processTree.ts): a flat parent is no no-leak.
  private tree: ProcessTreeWatch | undefined;
  private readonly teardown = new AbortController();

  constructor(options: SessionOptions) {
    super();
    this.options = options;
    this.id = randomUUID();
    this.metricsIntervalMs = Math.max(100, options.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS);
    this.samplingIntervalBytes =
      options.samplingIntervalBytes && options.samplingIntervalBytes > 0
        ? Math.round(options.samplingIntervalBytes)
        : DEFAULT_SAMPLING_INTERVAL_BYTES;
    this.profileIntervalMs = Math.max(500, options.profileIntervalMs ?? DEFAULT_PROFILE_INTERVAL_MS);
    this.recordingDir = options.recordingDir;
    this.target = targetInfoOf(options);
    this.sources = {
      getScriptSource: (scriptId, url) => this.scriptSource(scriptId, url),
    };
    this.resolver = new LocationResolver(this.sources, { projectRoot: options.projectRoot });
  }

  async start(): Promise<void> {
    if (this.connection || this.ended) throw new HeapscopeError('usage', 'This session was already started.');
    this.setStatus({ state: 'connecting' });
    try {
      this.connection = await connectTarget(this.options.target, {
        log: (line) => this.log(line),
        onTargetOutput: this.options.onTargetOutput,
        signal: this.teardown.signal,
        onPodEvent: (event) => this.onPodEvent(event),
      });
      this.client = this.connection.client;
      this.target = redactTarget({
        ...this.connection.info,
        title: this.connection.info.title ?? this.target.title,
      });
      await this.identify();
      if (this.recordingDir) this.openRecording(this.recordingDir);
      this.watchForExit();
      await this.installGcObserver();
      await this.enableDebugger();
      await this.send('HeapProfiler.enable').catch(() => undefined);
      this.startedAtMs = Date.now();
      if (this.options.allocationSampling !== false) await this.startSampling();
      this.workers = new WorkerIsolates(this.client, {
        samplingIntervalBytes: this.samplingIntervalBytes,
        startedAtMs: this.startedAtMs,
        projectRoot: this.options.projectRoot,
        horizonMinutes: this.options.horizonMinutes,
        memoryLimitBytes: this.options.memoryLimitBytes,
        log: (line) => this.log(line),
      });
      await this.workers.start();
      if (this.options.armOomSnapshot && this.target.kind !== 'launch') await this.armOomSnapshot();
      const pid = this.target.pid;
      if ((this.target.kind === 'launch' || this.target.kind === 'pid') && pid)
        this.tree = new ProcessTreeWatch(pid);
      const warnings = this.connection.warnings;
      // A debugger may hold the program paused already (js-debug stops it at start while it sets its
      // breakpoints): then the session is paused, not observing, until Debugger.resumed.
      this.setStatus({
        state: this.paused ? 'paused' : 'observing',
        message: warnings.length ? warnings.join(' ') : this.status.message,
      });
      this.scheduleMetrics(0);
      this.scheduleProfile();
    } catch (error) {
      this.ended = true;
      this.setStatus({ state: 'error', message: describeError(error) });
      await this.connection?.dispose().catch(() => undefined);
      this.writer?.close();
      throw error instanceof HeapscopeError
        ? error
        : new HeapscopeError('target-unreachable', `Cannot observe the target: ${describeError(error)}`, {
            cause: error,
          });
    }
  }

  stop(reason?: string): Promise<ReportV1> {
    this.stopping ??= this.finish(reason);
    return this.stopping;
  }

  async forceGc(): Promise<void> {
    this.requireLive('force a garbage collection');
    await this.send('HeapProfiler.collectGarbage');
  }

  async setAllocationSampling(on: boolean): Promise<void> {
    this.requireLive(on ? 'start allocation sampling' : 'stop allocation sampling');
    if (on === this.allocationSampling) return;
    if (on) {
      await this.startSampling();
      this.scheduleProfile();
    } else {
      clearTimeout(this.profileTimer);
      await this.readProfile().catch(() => undefined);
      if (this.samplingStartedByUs) await this.send('HeapProfiler.stopSampling').catch(() => undefined);
      this.samplingStartedByUs = false;
      this.allocationSampling = false;
    }
  }

  async takeHeapSnapshot(
    file: string,
    options: { forceGc?: boolean; onProgress?: (p: SnapshotProgress) => void; signal?: AbortSignal } = {},
  ): Promise<string> {
    this.requireLive('take a heap snapshot');
    return this.snapshot(file, 'on request', options);
  }

  async exportHeapProfile(file: string): Promise<string> {
    if (!this.ended && this.allocationSampling) await this.readProfile().catch(() => undefined);
    if (!this.lastRawProfile) {
      throw new HeapscopeError(
        'usage',
        'There is no allocation sampling profile yet: turn allocation sampling on and wait a few seconds.',
      );
    }
    // DevTools saves a sampling heap profile as the protocol's SamplingHeapProfile, as JSON.
    await writeFile(file, JSON.stringify(this.lastRawProfile));
    return file;
  }

  report(): ReportV1 {
    return buildReport({
      target: this.target,
      startedAtMs: this.startedAtMs,
      endedAtMs: this.endedAtMs ?? Date.now(),
      samples: this.samples,
      gcEvents: this.gcEvents,
      verdict: this.verdict,
      suspects: this.suspects,
      targetExited: this.exitInfo,
      snapshots: this.snapshots,
      holdersSkipped: this.holdersSkipped,
      // The process verdict's changes: the main thread's own when it runs alone.
      verdictHistory: this.processHistory.history,
      isolates: this.workers?.isolates.length
        ? isolateReports({ verdict: this.mainVerdict, samples: this.samples }, this.workers.isolates)
        : undefined,
    });
  }

  // ---- set-up ---------------------------------------------------------------------------------

  /** A running target: arm it with the fixed expression (oomSnapshot.ts); launched ones get flags. */
  private async armOomSnapshot(): Promise<void> {
    const reply = (await this.send('Runtime.evaluate', {
      expression: ARM_OOM_EXPRESSION,
      returnByValue: true,
    }).catch(() => undefined)) as { result?: { value?: unknown } } | undefined;
    const dir = reply?.result?.value;
    this.log(
      typeof dir === 'string'
        ? `heapscope: armed: near its heap limit the target writes a heap snapshot to ${dir} (its own folder: a running process cannot be given another)`
        : 'heapscope: could not arm the heap snapshot near the heap limit (this Node has no v8.setHeapSnapshotNearHeapLimit)',
    );
  }

  private async identify(): Promise<void> {
    let reply: { result?: { value?: unknown }; exceptionDetails?: unknown };
    try {
      reply = await this.withTimeout(
        this.send('Runtime.evaluate', { expression: IDENTITY_EXPRESSION, returnByValue: true }),
        10_000,
        'The inspector did not answer within 10 s.',
      );
    } catch (error) {
      throw new HeapscopeError(
        'target-not-node',
        `The target does not answer like a Node.js inspector: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    const value = reply.result?.value;
    if (!Array.isArray(value) || typeof value[0] !== 'string') {
      throw new HeapscopeError(
        'target-not-node',
        'The inspector belongs to something that is not Node.js (no `process` in its global scope). Heapscope observes Node.js processes.',
      );
    }
    this.target.nodeVersion = value[0];
    if (typeof value[1] === 'number' && this.target.pid === undefined) this.target.pid = value[1];
    if (!this.target.title && typeof value[2] === 'string') this.target.title = value[2];
  }

  private openRecording(dir: string): void {
    try {
      this.writer = new RecordingWriter(
        dir,
        {
          format: RECORDING_FORMAT,
          version: RECORDING_VERSION,
          id: this.id,
          startedAt: new Date(this.startedAtMs).toISOString(),
          target: this.target,
          options: {
            metricsIntervalMs: this.metricsIntervalMs,
            samplingIntervalBytes: this.samplingIntervalBytes,
            profileIntervalMs: this.profileIntervalMs,
          },
        },
        (line) => this.log(line),
      );
    } catch (error) {
      throw new HeapscopeError('usage', `Cannot write the recording to ${dir}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  private watchForExit(): void {
    this.listenTo(this.client!);
    const launched = this.connection!.launched;
    if (launched) {
      launched.onProgramEnded(() => void this.targetGone('The target program ended.'));
      void launched.exited.then(({ code, signal }) =>
        this.targetGone(`The target exited (${signal ? `signal ${signal}` : `exit code ${code}`}).`),
      );
    }
  }

  private listenTo(client: CdpClient): void {
    client.on('disconnect', () => {
      // A client replaced by a reconnect may still report its own end: only the current one counts.
      if (client !== this.client) return;
      if (this.connection?.reopen && !this.stopping) void this.reconnect();
      else void this.targetGone('The inspector connection closed (the target exited or dropped it).');
    });
    client.on(
      'Runtime.executionContextCreated',
      (params: { context: { id: number; auxData?: { isDefault?: boolean } } }) => {
        if (params.context.auxData?.isDefault !== false && this.mainContextId === undefined)
          this.mainContextId = params.context.id;
      },
    );
    // Node destroys the main context when the program has ended and it only waits for debuggers to
    // let go ("Waiting for the debugger to disconnect"): that is an exit.
    client.on('Runtime.executionContextDestroyed', (params: { executionContextId: number }) => {
      if (params.executionContextId === this.mainContextId) void this.targetGone('The target program ended.');
    });
    client.on('Runtime.bindingCalled', (params: { name: string; payload: string }) => {
      if (params.name !== GC_BINDING_NAME) return;
      // The observer reports from the target's event loop: a batch proves the program runs, even if
      // the resume itself was not seen.
      if (this.paused) this.onResumed();
      this.onGcEvents(parseGcPayload(params.payload));
    });
    client.on('Debugger.paused', (params?: { reason?: string }) => {
      // An instrumentation pause is the debugger's own stop before a script runs (js-debug sets
      // breakpoints there while the program starts) and it resumes at once: not a pause to show, and
      // a probe sent into it may never settle. Only a session sharing the debugger's own CDP session
      // (js-debug's proxy) sees this reason; a separate inspector session sees 'other'.
      if (params?.reason === 'instrumentation') return;
      this.onPaused();
    });
    client.on('Debugger.resumed', () => this.onResumed());
  }

  // ---- reconnect (pods: the port-forward can drop and come back) ------------------------------

  private onPodEvent(event: PodConnectionEvent): void {
    if (this.ended || this.stopping) return;
    if (event.type === 'forward-lost') {
      this.setStatus({
        state: 'paused',
        message: `port-forward dropped, reopening (${event.attempt}/${event.maxAttempts})`,
      });
    } else if (event.type === 'forward-restored') {
      this.log(`heapscope: port-forward reopened (attempt ${event.attempt}); reattaching the inspector.`);
    }
  }

  /**
   * The inspector connection of a pod target closed: wait for the port-forward, open a new client and
   * put the domains back. No reading is taken meanwhile, so the gap is a gap, never a drop.
   */
  private async reconnect(): Promise<void> {
    if (this.reconnecting || this.ended) return;
    this.reconnecting = true;
    this.metricsInFlightSinceMs = undefined;
    this.debuggerEnabled = false;
    this.mainContextId = undefined;
    if (this.status.state !== 'paused')
      this.setStatus({ state: 'paused', message: 'port-forward dropped, reopening' });
    let client: CdpClient;
    try {
      client = await this.connection!.reopen!();
    } catch (error) {
      this.reconnecting = false;
      await this.targetGone(
        `The inspector connection through the port-forward was lost and could not be reopened: ${describeError(error)}`,
      );
      return;
    }
    if (this.ended || this.stopping) {
      this.reconnecting = false;
      return;
    }
    this.client = client;
    try {
      this.listenTo(client);
      await this.installGcObserver();
      if (!this.paused) await this.enableDebugger();
      await this.send('HeapProfiler.enable').catch(() => undefined);
      if (this.allocationSampling) await this.resumeSampling();
    } catch (error) {
      this.log(`heapscope: restoring the inspector domains failed: ${describeError(error)}`);
    } finally {
      this.reconnecting = false;
    }
    this.log('heapscope: inspector reattached through the reopened port-forward.');
    if (!this.paused && !this.ended) this.setStatus({ state: 'observing', message: 'port-forward reopened' });
    this.scheduleMetrics(0);
    this.scheduleProfile();
  }

  /**
   * After a reconnect the sampler may still run in the target (V8 keeps it when it was started by a
   * session that lives on elsewhere) or may have stopped with our old inspector session. A restarted
   * sampler counts from zero: the earlier readings would read as every site dropping, so they go.
   */
  private async resumeSampling(): Promise<void> {
    const running = await this.send('HeapProfiler.getSamplingProfile').then(
      () => true,
      () => false,
    );
    if (running) return;
    await this.send('HeapProfiler.startSampling', { samplingInterval: this.samplingIntervalBytes });
    this.samplingStartedByUs = true;
    if (this.readings.length) {
      this.readings.splice(0, this.readings.length);
      this.log(
        'heapscope: allocation sampling restarted after the reconnect; site growth is measured from now.',
      );
    }
  }

  private async installGcObserver(): Promise<void> {
    // Runtime.enable reports the main context (for exit detection). In a shared connection it is on
    // already; enabling twice is harmless.
    await this.send('Runtime.enable').catch(() => undefined);
    await this.send('Runtime.addBinding', { name: GC_BINDING_NAME });
    const reply = await this.send('Runtime.evaluate', {
      expression: GC_INSTALL_EXPRESSION,
      returnByValue: true,
    });
    const state = reply?.result?.value;
    if (state !== 'ok' && state !== 'installed')
      this.log(`heapscope: GC events are not available in this target (${String(state)}).`);
  }

  private async enableDebugger(): Promise<void> {
    // Node skips (or, remotely, crashes in) the near-heap-limit snapshot while a Debugger domain is
    // on (measured on Node 20.20): an armed session reads scripts from the disk and sees no pauses.
    if (this.options.armOomSnapshot) {
      this.log('heapscope: armed for a heap snapshot near the heap limit: the Debugger domain stays off.');
      return;
    }
    try {
      await this.send('Debugger.enable');
      this.debuggerEnabled = true;
      // Our session must never stop the program itself (a `debugger;` statement would, with a
      // Debugger domain on); it only wants to hear about pauses caused by a real debugger. In a
      // shared connection the debugger's own setting rules.
      if (!this.connection!.shared) await this.send('Debugger.setBreakpointsActive', { active: false });
    } catch (error) {
      this.log(`heapscope: pauses cannot be seen (Debugger domain: ${describeError(error)}).`);
    }
  }

  private async startSampling(): Promise<void> {
    // Someone else (DevTools, js-debug's profiler) may already run the sampler: V8 has only one per
    // isolate. Then read its profile rather than restarting it under them.
    const running = await this.send('HeapProfiler.getSamplingProfile').then(
      () => true,
      () => false,
    );
    if (running) {
      this.allocationSampling = true;
      this.samplingStartedByUs = false;
      this.setStatus({
        state: this.status.state,
        message:
          'Allocation sampling was already running (another tool is profiling): Heapscope reads that profile.',
      });
      return;
    }
    await this.send('HeapProfiler.startSampling', { samplingInterval: this.samplingIntervalBytes });
    this.allocationSampling = true;
    this.samplingStartedByUs = true;
  }

  // ---- readings -------------------------------------------------------------------------------

  private scheduleMetrics(delayMs = this.metricsIntervalMs): void {
    if (this.ended || this.stopping) return;
    clearTimeout(this.metricsTimer);
    this.metricsTimer = setTimeout(() => void this.readMetrics(), delayMs);
  }

  private async readMetrics(): Promise<void> {
    this.scheduleMetrics();
    if (this.paused || this.ended || this.reconnecting) return;
    const answerTimeoutMs = Math.max(5000, this.metricsIntervalMs * 3);
    if (this.metricsInFlightSinceMs !== undefined) {
      if (!this.unresponsive && Date.now() - this.metricsInFlightSinceMs > answerTimeoutMs) {
        this.unresponsive = true;
        this.setStatus({
          state: 'paused',
          message: `The target has not answered for ${Math.round(answerTimeoutMs / 1000)} s (busy, or paused by a debugger): readings resume when it answers.`,
        });
      }
      return;
    }
    this.metricsInFlightSinceMs = Date.now();
    let value: unknown;
    try {
      const reply = await this.send('Runtime.evaluate', {
        expression: METRICS_EXPRESSION,
        returnByValue: true,
      });
      value = reply?.result?.value;
    } catch (error) {
      if (!this.ended) this.log(`heapscope: memory reading failed: ${describeError(error)}`);
      return;
    } finally {
      this.metricsInFlightSinceMs = undefined;
    }
    if (this.ended) return;
    if (this.unresponsive) {
      this.unresponsive = false;
      if (!this.paused) this.setStatus({ state: 'observing' });
    }
    // A reading that arrives while paused describes a frozen heap: not a fake drop, but not a reading
    // of the running program either.
    if (this.paused) return;
    const sample = toMemorySample(value);
    if (!sample) return;
    this.samples.push(sample);
    this.writer?.sample(sample);
    this.emit('sample', sample);
    await this.workers?.readMetrics();
    this.tree?.refresh();
    this.updateVerdict();
  }

  private onGcEvents(events: GcEvent[]): void {
    if (!events.length || this.ended) return;
    for (const event of events) this.gcEvents.push(event);
    if (this.gcEvents.length > MAX_GC_EVENTS) {
      const cut = Math.floor(MAX_GC_EVENTS / 2);
      const kept = this.gcEvents.filter((e, i) => i >= cut || e.kind === 'major');
      // A loop, not splice(...kept): up to 100 000 arguments would overflow the stack.
      this.gcEvents.length = 0;
      for (const event of kept) this.gcEvents.push(event);
    }
    this.writer?.gc(events);
    for (const event of events) this.emit('gc', event);
  }

  private updateVerdict(): void {
    let verdict: TrendVerdict;
    try {
      // The verdict shown while observing is gated: no leak call before the rise is sustained.
      verdict = this.liveVerdict.update(
        {
          samples: this.samples,
          gcEvents: this.gcEvents,
          heapLimitBytes: this.samples[this.samples.length - 1]?.heapLimitBytes,
          horizonMinutes: this.options.horizonMinutes,
          memoryLimitBytes: this.options.memoryLimitBytes,
        },
        this.startedAtMs,
      );
      this.mainVerdict = verdict;
      if (this.workers?.isolates.length) {
        verdict = combineIsolateVerdicts(
          verdict,
          this.workers.isolates.map((w) => ({ label: `worker ${w.name}`, verdict: w.verdict })),
        );
      }
      if (this.tree) verdict = capForUnobservedChildren(verdict, this.tree.pid, this.tree.unobserved);
      this.processHistory.note(verdict, this.samples[this.samples.length - 1].timeMs, this.startedAtMs);
    } catch (error) {
      this.log(`heapscope: verdict failed: ${describeError(error)}`);
      return;
    }
    const changed = verdict.verdict !== this.verdict?.verdict;
    this.verdict = verdict;
    // Recording every verdict would double the file for little: changes, and one in ten.
    if (changed || this.verdictCount++ % 10 === 0) this.writer?.verdict(verdict);
    this.emit('verdict', verdict);
  }

  private scheduleProfile(): void {
    if (this.ended || this.stopping || !this.allocationSampling) return;
    clearTimeout(this.profileTimer);
    this.profileTimer = setTimeout(() => {
      void this.readProfile()
        .catch((error) => {
          if (!this.ended) this.log(`heapscope: allocation profile reading failed: ${describeError(error)}`);
        })
        .finally(() => this.scheduleProfile());
    }, this.profileIntervalMs);
  }

  private async readProfile(): Promise<void> {
    if (this.paused || this.ended || this.reconnecting || !this.allocationSampling) return;
    const reply = (await this.send('HeapProfiler.getSamplingProfile')) as { profile: SamplingHeapProfile };
    if (this.ended || this.paused) return;
    this.lastRawProfile = reply.profile;
    const reading = flattenProfile(reply.profile, Date.now());
    this.readings.push(reading);
    if (this.readings.length > MAX_READINGS) {
      // Thin the older half: long sessions keep their shape without unbounded memory.
      const half = Math.floor(this.readings.length / 2);
      const thinned = this.readings.slice(0, half).filter((_, i) => i % 2 === 0);
      this.readings.splice(0, half, ...thinned);
    }
    this.writer?.profile(reading);
    this.emit('profile', reading);
    await this.workers?.readProfiles();
    await this.rank();
  }

  private rank(): Promise<void> {
    const run = async () => {
      try {
        const suspects = await rankSuspects(this.readings, this.sources, {
          projectRoot: this.options.projectRoot,
          resolver: this.resolver,
          trend: this.verdict,
        });
        this.mainSuspects = suspects;
        this.setSuspects(mergeIsolateSuspects(suspects, this.mainVerdict, this.workers?.isolates ?? []));
      } catch (error) {
        this.log(`heapscope: ranking suspects failed: ${describeError(error)}`);
      }
    };
    this.ranking = this.ranking.then(run, run);
    return this.ranking;
  }

  private setSuspects(suspects: Suspect[]): void {
    this.suspects = suspects;
    this.writer?.suspects(suspects);
    this.emit('suspects', suspects);
  }

  private async scriptSource(scriptId: string, _url: string): Promise<string | undefined> {
    if (!this.debuggerEnabled || !scriptId || scriptId === '0') return undefined;
    let source = this.scriptSources.get(scriptId);
    if (!source) {
      source = this.ended
        ? Promise.resolve(undefined)
        : this.send('Debugger.getScriptSource', { scriptId }).then(
            (reply: { scriptSource?: string }) => reply?.scriptSource,
            () => undefined,
          );
      this.scriptSources.set(scriptId, source);
    }
    return source;
  }

  // ---- pauses ---------------------------------------------------------------------------------

  private onPaused(): void {
    if (this.paused || this.ended) return;
    this.paused = true;
    this.setStatus({
      state: 'paused',
      message: 'The target is paused in the debugger; readings resume when it continues.',
    });
    // While our session has the Debugger domain on, V8 keeps the program paused even after the
    // pausing client goes away; with it off, V8 resumes then, and Debugger.resumed no longer reaches
    // us. So: let go of the domain (unless it is shared with the debugger itself) and wait on a probe
    // that settles only when the event loop turns again, i.e. when the program runs.
    if (!this.connection?.shared && this.debuggerEnabled) {
      this.debuggerEnabled = false;
      this.send('Debugger.disable').catch(() => undefined);
    }
    this.probeForResume();
  }

  /**
   * Settles when the target's event loop turns again. A probe can be turned down (a debugger that
   * holds the program before its main context exists, as js-debug does at start, answers with an
   * error): then ask again a moment later, for as long as the pause lasts.
   */
  private probeForResume(): void {
    if (!this.paused || this.ended) return;
    this.send('Runtime.evaluate', {
      expression: RESUME_PROBE_EXPRESSION,
      awaitPromise: true,
      returnByValue: true,
    }).then(
      (reply: { exceptionDetails?: unknown } | undefined) => {
        if (reply?.exceptionDetails) this.retryResumeProbe('the probe threw');
        else this.onResumed();
      },
      (error: unknown) => this.retryResumeProbe(describeError(error)),
    );
  }

  private retryResumeProbe(why: string): void {
    if (!this.paused || this.ended || this.stopping) return;
    this.log(`heapscope: waiting for the target to continue (${why}); asking again.`);
    setTimeout(() => this.probeForResume(), RESUME_PROBE_RETRY_MS).unref?.();
  }

  private onResumed(): void {
    if (!this.paused || this.ended) return;
    this.paused = false;
    if (this.stopping) return;
    this.setStatus({ state: 'observing' });
    if (!this.debuggerEnabled && !this.connection?.shared) void this.enableDebugger();
  }

  // ---- snapshots ------------------------------------------------------------------------------

  private async snapshot(
    file: string,
    purpose: string,
    options: { forceGc?: boolean; onProgress?: (p: SnapshotProgress) => void; signal?: AbortSignal } = {},
  ): Promise<string> {
    // Also used while stopping (holder snapshots): only a gone target stops it.
    if (!this.client || this.ended) {
      throw new HeapscopeError('target-lost', 'Cannot take a heap snapshot: the target is gone.');
    }
    const takenAtSeconds = Math.round((Date.now() - this.startedAtMs) / 100) / 10;
    const result = await captureHeapSnapshot(this.client as unknown as CdpLike, file, options);
    this.snapshots.push({ file: result.file, takenAtSeconds, pauseMs: result.pauseMs, purpose });
    this.log(
      `heapscope: heap snapshot (${purpose}) written to ${result.file}; the target paused ${result.pauseMs} ms.`,
    );
    return result.file;
  }

  private async nameHolders(): Promise<void> {
    // No suspects is not a reason to skip: a Buffer leak grows off-heap while its small JS wrappers
    // are rarely sampled, and the snapshots are then the only way to name what holds it.
    if (!this.verdict || !wantsHolders(this.verdict)) return;
    const heapUsed = this.samples[this.samples.length - 1]?.heapUsedBytes ?? 0;
    const limit = this.options.holdersMaxHeapBytes ?? DEFAULT_HOLDERS_MAX_HEAP_BYTES;
    if (heapTooLargeForHolders(heapUsed, limit)) {
      const pauseSeconds = Math.round(snapshotPauseSeconds(heapUsed));
      const reason =
        `the JS heap holds ${formatBytes(heapUsed)}, over the ${formatBytes(limit)} limit: each of the three ` +
        `snapshots would stop the target's JavaScript for about ${pauseSeconds} s and write more than the heap to disk`;
      this.holdersSkipped = { heapUsedBytes: heapUsed, limitBytes: limit, reason };
      this.log(
        `heapscope: holder snapshots skipped: ${reason}. Raise the limit to take them ` +
          '(heapscope check --holders-max-heap <MiB>; in VS Code, heapscope.holders.maxHeapBytes).',
      );
      return;
    }
    const workDir = await mkdtemp(join(tmpdir(), 'heapscope-holders-'));
    try {
      // The snapshots are of the main isolate: its holders explain its own suspects only.
      const workers = this.workers?.isolates ?? [];
      const mainOnly = workers.length ? this.mainSuspects : this.suspects;
      const suspects = await attributeHolders(mainOnly, this.mainVerdict ?? this.verdict, {
        takeHeapSnapshot: async (file, purpose) => {
          const written = await this.snapshot(file, purpose, { signal: this.teardown.signal });
          // The file is removed with workDir: keep the pause in the report, not a dangling path.
          const last = this.snapshots[this.snapshots.length - 1];
          if (last?.file === written) delete last.file;
          return written;
        },
        sources: this.sources,
        workDir,
        projectRoot: this.options.projectRoot,
        snapshotGapMs: this.options.holderSnapshotGapMs,
        log: (line) => this.log(line),
        signal: this.teardown.signal,
      });
      this.setSuspects(mergeIsolateSuspects(suspects, this.mainVerdict, workers));
    } catch (error) {
      this.log(`heapscope: naming holders failed: ${describeError(error)}`);
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  // ---- end ------------------------------------------------------------------------------------

  private async finish(reason?: string): Promise<ReportV1> {
    clearTimeout(this.metricsTimer);
    clearTimeout(this.profileTimer);
    await this.workers?.stop();
    const live = !this.ended && this.client !== undefined;
    // The observation ends now: holder snapshots below are not part of the observed time.
    if (live) this.endedAtMs = Date.now();
    if (live) {
      this.setStatus({ state: 'stopping', message: reason });
      if (this.allocationSampling && !this.paused) {
        await this.readProfile().catch((error) =>
          this.log(`heapscope: last profile reading failed: ${describeError(error)}`),
        );
      }
      await this.ranking;
      if (this.options.holders !== false && !this.ended && !this.paused) await this.nameHolders();
    }
    if (!this.ended) {
      this.ended = true;
      this.endedAtMs ??= Date.now();
      await this.cleanUpTarget();
    }
    this.teardown.abort();
    await this.connection?.dispose().catch(() => undefined);
    const report = this.report();
    this.writer?.report(report);
    if (this.status.state !== 'target-exited' && this.status.state !== 'error') {
      this.setStatus({ state: 'stopped', message: reason });
    }
    this.writer?.close();
    return report;
  }

  /** Leaves nothing of Heapscope running in a target that lives on. */
  private async cleanUpTarget(): Promise<void> {
    if (!this.client) return;
    const quick = <T>(promise: Promise<T>) =>
      this.withTimeout(promise, 2000, 'timeout').catch(() => undefined);
    await quick(this.send('Runtime.evaluate', { expression: GC_FLUSH_EXPRESSION }));
    await quick(this.send('Runtime.evaluate', { expression: GC_UNINSTALL_EXPRESSION, returnByValue: true }));
    await quick(this.send('Runtime.removeBinding', { name: GC_BINDING_NAME }));
    if (this.samplingStartedByUs) await quick(this.send('HeapProfiler.stopSampling'));
    this.samplingStartedByUs = false;
  }

  private async targetGone(message: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.endedAtMs = Date.now();
    clearTimeout(this.metricsTimer);
    clearTimeout(this.profileTimer);
    const launched = this.connection?.launched;
    let exitCode: number | null | undefined;
    let signal: string | null | undefined;
    if (launched) {
      // A program that ended waits for debuggers to let go before it exits: let go first, then read
      // its exit status.
      await this.client?.close().catch(() => undefined);
      const status = await Promise.race([
        launched.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000)),
      ]);
      exitCode = status?.code;
      signal = status?.signal;
      if (status)
        message = `The target exited (${status.signal ? `signal ${status.signal}` : `exit code ${status.code}`}).`;
    }
    this.exitInfo = {
      atSeconds: Math.round((this.endedAtMs - this.startedAtMs) / 100) / 10,
      message,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(signal !== undefined ? { signal } : {}),
    };
    this.teardown.abort();
    this.setStatus({ state: 'target-exited', message });
    await this.connection?.dispose().catch(() => undefined);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private requireLive(what: string): void {
    if (!this.client || this.ended || this.stopping) {
      throw new HeapscopeError('usage', `Cannot ${what}: the session is not attached to a running target.`);
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private send(method: string, params?: object): Promise<any> {
    if (!this.client) return Promise.reject(new HeapscopeError('target-lost', 'Not connected.'));
    return this.client.send(method, params);
  }

  private withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HeapscopeError('target-lost', message)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private setStatus(status: SessionStatus): void {
    this.status = status;
    this.writer?.status(status);
    this.emit('status', status);
  }

  private log(raw: string): void {
    const line = redactText(raw);
    this.options.log?.(line);
    this.emit('log', line);
  }
}

function targetInfoOf(options: SessionOptions): TargetInfo {
  const spec = options.target;
  switch (spec.kind) {
    case 'launch':
      return { kind: 'launch', command: redactArgs([spec.command, ...spec.args]) };
    case 'attach':
      return { kind: 'attach' };
    case 'pid':
      return { kind: 'pid', pid: spec.pid };
    case 'cdp':
      return { kind: 'debug-session', title: spec.title };
    case 'k8s':
      return { kind: 'k8s', pod: [spec.namespace, spec.pod, spec.container].filter(Boolean).join('/') };
  }
}

export function createMemorySession(options: SessionOptions): MemorySessionApi {
  return new MemorySession(options);
}
