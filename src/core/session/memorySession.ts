// MemorySession: attaches to a target, reads memory once per interval, receives GC events, runs the
// sampling heap profiler, keeps the leak verdict and suspects current, records everything as it
// arrives; on request takes heap snapshots and names holders; builds the report. The CLI and the
// extension both drive this one class.
//
// It composes small parts (pause watching, profile sampling, holder snapshots, pod reconnection,
// target instrumentation) and owns the lifecycle: one `phase` (./phase.ts), changed only through
// `lifecycle.to`, re-read after every await. Stop is bounded: each call to the target on the way
// out has a deadline, so neither a frozen target nor a growing heap can hold it.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { HeapscopeError, describeError, isHeapscopeError } from '../errors';
import { redactArgs, redactTarget, redactText } from '../redact';
import { captureHeapSnapshot, snapshotCost, snapshotCrossesLimit } from '../heapsnapshot/capture';
import { connectTarget, type TargetConnection } from '../inspector';
import { bounded, type CdpClient } from '../inspector/cdp';
import type { PodConnectionEvent } from '../k8s';
import {
  attributeOffHeap,
  carryHolders,
  combineIsolateVerdicts,
  formatBytes,
  LiveVerdict,
  LocationResolver,
  ProcessVerdictHistory,
  rankSuspects,
} from '../leak';
import type { ScriptSourceProvider } from '../leak';
import { buildReport } from '../report';
import {
  DEFAULT_METRICS_INTERVAL_MS,
  DEFAULT_PROFILE_INTERVAL_MS,
  DEFAULT_SAMPLING_INTERVAL_BYTES,
  GC_BINDING_NAME,
  METRICS_EXPRESSION,
  parseGcPayload,
  toMemorySample,
} from '../sampling';
import type {
  GcEvent,
  IsolateReport,
  MemorySample,
  RawFrame,
  ReportV1,
  SourceFrame,
  Suspect,
  TargetInfo,
  TrendVerdict,
} from '../types';
import type {
  HolderOptions,
  HolderOutcome,
  MemorySessionApi,
  SessionEvents,
  SessionOptions,
  SessionStatus,
  SnapshotProgress,
  SnapshotRisk,
} from './api';
import { planHolders, runHolderSnapshots } from './holderSnapshots';
import { installGcObserver, removeInstrumentation } from './instrumentation';
import { isolateReports, mergeIsolateSuspects, WorkerIsolates } from './isolates';
import { ARM_OOM_EXPRESSION } from './oomSnapshot';
import { PauseWatcher } from './pauseWatcher';
import { Lifecycle, stateOf, type Phase } from './phase';
import { PodReconnector } from './podReconnector';
import { capForUnobservedChildren, ProcessTreeWatch } from './processTree';
import { ProfileSampler } from './profileSampler';
import { RecordingWriter, RECORDING_FORMAT, RECORDING_VERSION } from './recording';

const IDENTITY_EXPRESSION =
  "(typeof process === 'object' && process && process.versions && process.versions.node) ? [process.version, process.pid, process.title] : null";
/** Keep this many GC events; beyond it the oldest minor GCs are dropped (the floor uses majors). */
const MAX_GC_EVENTS = 100_000;

/** Deadlines on the way out (a stop must end within ~2 s whatever the target does). */
const STOP_LAST_PROFILE_MS = 600;
const STOP_CLEANUP_MS = 600;
/** Worker threads let go of their samplers within this (a frozen worker never answers). */
const STOP_WORKERS_MS = 300;
/** How long a stop waits for a start in progress to let go of what it opened. */
const STOP_WAIT_FOR_START_MS = 1500;
const IDENTIFY_TIMEOUT_MS = 10_000;
/** Set-up calls to a target that answered `identify` quickly: generous, but not unbounded. */
const SETUP_CALL_TIMEOUT_MS = 10_000;

export const CAPTURING_MESSAGE = 'taking heap snapshot — target paused';
const PAUSED_MESSAGE = 'The target is paused in the debugger; readings resume when it continues.';

type SnapshotOptions = {
  forceGc?: boolean;
  onProgress?: (p: SnapshotProgress) => void;
  signal?: AbortSignal;
};

export class MemorySession extends EventEmitter<SessionEvents> implements MemorySessionApi {
  readonly id: string;
  target: TargetInfo;
  status: SessionStatus = { state: 'connecting' };
  readonly samples: MemorySample[] = [];
  readonly gcEvents: GcEvent[] = [];
  verdict: TrendVerdict | undefined;
  suspects: Suspect[] = [];
  readonly recordingDir: string | undefined;

  private readonly options: SessionOptions;
  private readonly metricsIntervalMs: number;
  private readonly samplingIntervalBytes: number;
  private readonly profileIntervalMs: number;
  private readonly lifecycle: Lifecycle;
  private connection: TargetConnection | undefined;
  private client: CdpClient | undefined;
  private writer: RecordingWriter | undefined;
  private pauses: PauseWatcher | undefined;
  private sampler: ProfileSampler | undefined;
  private reconnector: PodReconnector | undefined;
  private readonly resolver: LocationResolver;
  private readonly sources: ScriptSourceProvider;
  private readonly scriptSources = new Map<string, Promise<string | undefined>>();
  private metricsTimer: NodeJS.Timeout | undefined;
  private profileTimer: NodeJS.Timeout | undefined;
  private metricsInFlightSinceMs: number | undefined;
  private mainContextId: number | undefined;
  private startedAtMs = Date.now();
  private endedAtMs: number | undefined;
  /** The observation is over (CLI: holder snapshots follow); readings stay off. */
  private observationClosed = false;
  private exitInfo: ReportV1['targetExited'];
  private readonly snapshots: NonNullable<ReportV1['snapshots']> = [];
  private holdersSkipped: ReportV1['holdersSkipped'];
  private holdersStep: string | undefined;
  private capture: Promise<string> | undefined;
  private ranking: Promise<void> = Promise.resolve();
  private starting: Promise<void> | undefined;
  private stopping: Promise<ReportV1> | undefined;
  /** Kills a target this session launched, synchronously (set as soon as it is spawned). */
  private killLaunched: (() => void) | undefined;
  /** Set when the target went: reading its exit status (bounded). */
  private going: Promise<void> | undefined;
  private verdictCount = 0;
  private readonly liveVerdict = new LiveVerdict();
  // Worker threads (isolates.ts): their own readings and verdicts; the process verdict combines them.
  private workers: WorkerIsolates | undefined;
  private mainVerdict: TrendVerdict | undefined;
  private mainSuspects: Suspect[] = [];
  /** The main isolate's suspects as the last holder snapshots named them (see carryHolders). */
  private namedSuspects: readonly Suspect[] = [];
  private readonly processHistory = new ProcessVerdictHistory();
  // Node children of a launched or signalled process (processTree.ts): a flat parent is no no-leak.
  private tree: ProcessTreeWatch | undefined;
  private lastMessage: string | undefined;
  /** Aborted when the session stops or the target goes: cancels connecting, captures, holders. */
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
    this.lifecycle = new Lifecycle((phase) => this.publish(phase));
  }

  /** The lifecycle phase (richer than `status.state`, which is what faces show). */
  get phase(): Phase {
    return this.lifecycle.phase;
  }

  get allocationSampling(): boolean {
    return this.sampler?.on ?? false;
  }

  start(): Promise<void> {
    if (this.lifecycle.kind !== 'idle') {
      return Promise.reject(new HeapscopeError('usage', 'This session was already started.'));
    }
    this.lifecycle.to({ kind: 'connecting' });
    this.starting = this.connectAndObserve();
    return this.starting;
  }

  stop(reason?: string): Promise<ReportV1> {
    this.stopping ??= this.finish(reason);
    return this.stopping;
  }

  abandon(): void {
    this.teardown.abort();
    // While connecting there is no connection yet, but a launched child may already run.
    this.killLaunched?.();
  }

  async forceGc(): Promise<void> {
    const client = this.requireLive('force a garbage collection');
    await client.send('HeapProfiler.collectGarbage');
  }

  async setAllocationSampling(on: boolean): Promise<void> {
    this.requireLive(on ? 'start allocation sampling' : 'stop allocation sampling');
    const sampler = this.sampler!;
    if (on === sampler.on) return;
    if (on) {
      await sampler.start();
      this.scheduleProfile();
    } else {
      clearTimeout(this.profileTimer);
      await this.readProfile().catch(() => undefined);
      await sampler.stop().catch(() => undefined);
    }
  }

  async takeHeapSnapshot(file: string, options: SnapshotOptions = {}): Promise<string> {
    this.requireLive('take a heap snapshot');
    return this.snapshot(file, 'on request', options);
  }

  async snapshotRisk(): Promise<SnapshotRisk> {
    const client = this.requireLive('take a heap snapshot');
    // The heap as V8 counts it now (a reading may be a second old, and a leak grows meanwhile).
    const usage = await bounded(client.send('Runtime.getHeapUsage'), 5000, this.teardown.signal).catch(
      () => undefined,
    );
    const heapUsedBytes = usage?.usedSize ?? this.samples[this.samples.length - 1]?.heapUsedBytes ?? 0;
    const memory = await this.connection?.containerMemory?.();
    const cost = snapshotCost(heapUsedBytes);
    return {
      heapUsedBytes,
      pauseSeconds: cost.pauseSeconds,
      extraMemoryBytes: cost.extraMemoryBytes,
      ...(memory?.limitBytes !== undefined ? { limitBytes: memory.limitBytes } : {}),
      ...(memory?.currentBytes !== undefined ? { currentBytes: memory.currentBytes } : {}),
      crossesLimit: snapshotCrossesLimit(heapUsedBytes, {
        currentBytes: memory?.currentBytes,
        rssBytes: this.samples[this.samples.length - 1]?.rssBytes,
        limitBytes: memory?.limitBytes,
      }),
    };
  }

  async nameHolders(options: HolderOptions = {}): Promise<HolderOutcome> {
    if (!this.lifecycle.live)
      return { kind: 'cancelled', reason: 'the session is not attached to a running target' };
    if (this.holdersStep !== undefined)
      return { kind: 'cancelled', reason: 'holder snapshots are already being taken for this session' };
    if (options.final) await this.closeObservation();
    if (!this.lifecycle.live) return { kind: 'cancelled', reason: 'the session stopped' };
    const heapUsed = this.samples[this.samples.length - 1]?.heapUsedBytes ?? 0;
    // The snapshots are of the main isolate: its holders explain its own suspects only.
    const mainVerdict = this.mainVerdict ?? this.verdict;
    const workers = this.workers?.isolates ?? [];
    const plan = planHolders({
      verdict: mainVerdict,
      heapUsedBytes: heapUsed,
      maxHeapBytes: this.options.holdersMaxHeapBytes,
      budgetMs: options.budgetMs,
      gapMs: this.options.holderSnapshotGapMs,
    });
    if (plan.kind === 'not-needed') return { kind: 'not-needed', reason: plan.reason };
    // In a pod near its memory limit a snapshot is an OOM kill: the container's figures decide first.
    const risk = plan.kind === 'take' ? await this.snapshotRisk().catch(() => undefined) : undefined;
    if (plan.kind === 'take' && risk?.crossesLimit) {
      const reason =
        `the container uses ${formatBytes(risk.currentBytes ?? 0)} of its ${formatBytes(risk.limitBytes ?? 0)} ` +
        `memory limit and each snapshot needs about ${formatBytes(risk.extraMemoryBytes)} more while V8 writes it`;
      this.holdersSkipped = { heapUsedBytes: heapUsed, limitBytes: risk.limitBytes ?? 0, reason };
      this.log(`heapscope: holder snapshots skipped: ${reason} (the pod would be OOM-killed).`);
      return { kind: 'skipped', reason };
    }
    if (plan.kind === 'skip') {
      this.holdersSkipped = plan.skipped;
      this.log(`heapscope: holder snapshots skipped: ${plan.skipped.reason}. ${plan.advice}`);
      return { kind: 'skipped', reason: plan.skipped.reason };
    }
    const step = (text: string) => {
      this.holdersStep = text;
      options.onStep?.(text);
      if (this.lifecycle.kind === 'naming-holders') this.lifecycle.to({ kind: 'naming-holders', step: text });
    };
    this.holdersStep = 'starting';
    this.lifecycle.to({ kind: 'naming-holders', step: 'starting' });
    try {
      const result = await runHolderSnapshots({
        suspects: workers.length ? this.mainSuspects : this.suspects,
        verdict: mainVerdict!,
        sources: this.sources,
        projectRoot: this.options.projectRoot,
        gapMs: this.options.holderSnapshotGapMs,
        takeSnapshot: async (file, purpose, signal) => {
          const written = await this.snapshot(file, purpose, { signal });
          // The file is removed with its folder: keep the pause in the report, not a dangling path.
          const last = this.snapshots[this.snapshots.length - 1];
          if (last?.file === written) delete last.file;
          return written;
        },
        log: (line) => this.log(line),
        onStep: step,
        signals: [this.teardown.signal, ...(options.signal ? [options.signal] : [])],
        budgetMs: options.budgetMs,
        count: plan.count,
      });
      if (result.suspects && this.lifecycle.live) {
        this.namedSuspects = result.suspects;
        this.setSuspects(mergeIsolateSuspects(result.suspects, this.mainVerdict, workers));
      }
      if (result.outcome.kind !== 'named')
        this.log(`heapscope: holders not named: ${result.outcome.reason}.`);
      return result.outcome;
    } finally {
      this.holdersStep = undefined;
      if (this.lifecycle.kind === 'naming-holders') this.lifecycle.to(this.restingPhase());
    }
  }

  async exportHeapProfile(file: string): Promise<string> {
    if (this.lifecycle.live && this.allocationSampling) await this.readProfile().catch(() => undefined);
    const profile = this.sampler?.lastProfile;
    if (!profile) {
      throw new HeapscopeError(
        'usage',
        'There is no allocation sampling profile yet: turn allocation sampling on and wait a few seconds.',
      );
    }
    // DevTools saves a sampling heap profile as the protocol's SamplingHeapProfile, as JSON.
    await writeFile(file, JSON.stringify(profile));
    return file;
  }

  resolveFrame(frame: RawFrame): Promise<SourceFrame> {
    return this.resolver.resolve(frame, { originalName: true });
  }

  originalSource(frame: RawFrame, url: string): Promise<string | undefined> {
    return this.resolver.originalSource(frame, url);
  }

  get isolates(): IsolateReport[] | undefined {
    return this.workers?.isolates.length
      ? isolateReports({ verdict: this.mainVerdict, samples: this.samples }, this.workers.isolates)
      : undefined;
  }

  report(): ReportV1 {
    return buildReport({
      target: this.target,
      startedAtMs: this.startedAtMs,
      endedAtMs: this.endedAtMs ?? Date.now(),
      samples: this.samples,
      gcEvents: this.gcEvents,
      verdict: this.verdict,
      // Against the final verdict: the last ranking may be a few seconds older.
      suspects: this.withOffHeap(this.suspects),
      targetExited: this.exitInfo,
      snapshots: this.snapshots,
      holdersSkipped: this.holdersSkipped,
      // The process verdict's changes: the main thread's own when it runs alone.
      verdictHistory: this.processHistory.history,
      isolates: this.isolates,
    });
  }

  // ---- set-up ---------------------------------------------------------------------------------

  private async connectAndObserve(): Promise<void> {
    try {
      const connection = await connectTarget(this.options.target, {
        log: (line) => this.log(line),
        onTargetOutput: this.options.onTargetOutput,
        signal: this.teardown.signal,
        onPodEvent: (event) => this.onPodEvent(event),
        onSpawn: (kill) => (this.killLaunched = kill),
      });
      this.connection = connection;
      this.ensureStillStarting();
      const client = connection.client;
      this.client = client;
      this.target = redactTarget({ ...connection.info, title: connection.info.title ?? this.target.title });
      await this.identify(client);
      this.ensureStillStarting();
      if (this.recordingDir) this.openRecording(this.recordingDir);
      this.watchForExit(client);
      await this.setUp(client, true);
      this.ensureStillStarting();
      this.startedAtMs = Date.now();
      this.sampler = new ProfileSampler(client, this.samplingIntervalBytes);
      if (this.options.allocationSampling !== false) await this.startSampling();
      this.ensureStillStarting();
      await this.readContainerLimit(connection);
      this.ensureStillStarting();
      await this.observeWorkers(client);
      this.ensureStillStarting();
      if (this.options.armOomSnapshot && this.target.kind !== 'launch' && !this.options.armedAtLaunch) {
        await this.armOomSnapshot(client);
        this.ensureStillStarting();
      }
      const pid = this.target.pid;
      if ((this.target.kind === 'launch' || this.target.kind === 'pid') && pid)
        this.tree = new ProcessTreeWatch(pid);
      const warnings = connection.warnings;
      if (warnings.length) this.lastMessage = warnings.join(' ');
      // A debugger may hold the program paused already (js-debug stops it at start while it sets its
      // breakpoints): then the session is paused, not observing, until it resumes.
      this.lifecycle.to(this.pauses?.paused ? { kind: 'paused-by-debugger' } : { kind: 'observing' });
      this.scheduleMetrics(0);
      this.scheduleProfile();
    } catch (error) {
      if (this.lifecycle.endingOrEnded) {
        // Stopped (or the target went) while connecting: whatever was opened goes.
        await this.connection?.dispose().catch(() => undefined);
        const phase = this.lifecycle.phase;
        if (phase.kind === 'ended' && phase.how === 'target-exited')
          throw new HeapscopeError('target-exited', phase.message ?? 'The target exited while connecting.');
        throw new HeapscopeError('cancelled', 'The session was stopped while connecting.', { cause: error });
      }
      this.teardown.abort();
      this.lifecycle.to({ kind: 'ended', how: 'error', message: describeError(error) });
      await this.connection?.dispose().catch(() => undefined);
      this.writer?.close();
      throw isHeapscopeError(error)
        ? error
        : new HeapscopeError('target-unreachable', `Cannot observe the target: ${describeError(error)}`, {
            cause: error,
          });
    }
  }

  /** The container's limit (pods) when the caller gave none: the verdict's second limit. */
  private containerLimitBytes: number | undefined;

  private get memoryLimitBytes(): number | undefined {
    return this.options.memoryLimitBytes ?? this.containerLimitBytes;
  }

  private async readContainerLimit(connection: TargetConnection): Promise<void> {
    if (this.options.memoryLimitBytes !== undefined || !connection.containerMemory) return;
    const memory = await bounded(connection.containerMemory(), 5000, this.teardown.signal).catch(
      () => undefined,
    );
    if (memory?.limitBytes === undefined) return;
    this.containerLimitBytes = memory.limitBytes;
    this.log(`heapscope: container memory limit ${formatBytes(memory.limitBytes)} (${memory.source})`);
  }

  /** Worker threads get their own readings, verdicts and profiles (isolates.ts). */
  private async observeWorkers(client: CdpClient): Promise<void> {
    this.workers = new WorkerIsolates(client, {
      samplingIntervalBytes: this.samplingIntervalBytes,
      startedAtMs: this.startedAtMs,
      projectRoot: this.options.projectRoot,
      horizonMinutes: this.options.horizonMinutes,
      memoryLimitBytes: this.memoryLimitBytes,
      log: (line) => this.log(line),
    });
    // A target that does not answer here is not given up for it: the main thread is still observed.
    await bounded(this.workers.start(), SETUP_CALL_TIMEOUT_MS, this.teardown.signal).catch((error) =>
      this.log(`heapscope: worker threads are not observed: ${describeError(error)}`),
    );
  }

  /**
   * Arms the running target for a heap snapshot near its heap limit (oomSnapshot.ts) and resolves
   * to the folder Node will write it to: the target's own (a running process cannot be given
   * another). On Node 20 the snapshot is skipped while a Debugger domain is on, so this session
   * turns its own off (pauses go unseen from then on); a debugger's own connection cannot be armed.
   */
  async armHeapSnapshotNearLimit(): Promise<string> {
    const client = this.client;
    if (!client || !this.lifecycle.live)
      throw new HeapscopeError('usage', 'The session is not attached to a running target.');
    const major = Number(/^v?(\d+)/.exec(this.target.nodeVersion ?? '')?.[1] ?? 0);
    if (major > 0 && major < 22) {
      if (this.connection?.shared)
        throw new HeapscopeError(
          'usage',
          `Node ${this.target.nodeVersion} skips the near-limit heap snapshot while a debugger is attached; ` +
            'run the program without the debugger (or on Node 22+) to arm it.',
        );
      await this.pauses?.keepOff();
    }
    const reply = await bounded(
      client.send('Runtime.evaluate', { expression: ARM_OOM_EXPRESSION, returnByValue: true }),
      SETUP_CALL_TIMEOUT_MS,
      this.teardown.signal,
    );
    const dir: unknown = reply?.result?.value;
    if (typeof dir !== 'string')
      throw new HeapscopeError(
        'usage',
        'This Node has no v8.setHeapSnapshotNearHeapLimit (Node 18.10+ and 16.18+ have it): it cannot be armed.',
      );
    this.log(`heapscope: armed: near its heap limit the target writes a heap snapshot to ${dir}.`);
    return dir;
  }

  /** A running target: arm it with the fixed expression (oomSnapshot.ts); launched ones get flags. */
  private async armOomSnapshot(client: CdpClient): Promise<void> {
    const reply = await bounded(
      client.send('Runtime.evaluate', { expression: ARM_OOM_EXPRESSION, returnByValue: true }),
      SETUP_CALL_TIMEOUT_MS,
      this.teardown.signal,
    ).catch(() => undefined);
    const dir: unknown = reply?.result?.value;
    this.log(
      typeof dir === 'string'
        ? `heapscope: armed: near its heap limit the target writes a heap snapshot to ${dir} (its own folder: a running process cannot be given another)`
        : 'heapscope: could not arm the heap snapshot near the heap limit (this Node has no v8.setHeapSnapshotNearHeapLimit)',
    );
  }

  /** Throws when stop() was called while start() was awaiting. */
  private ensureStillStarting(): void {
    if (this.lifecycle.endingOrEnded)
      throw new HeapscopeError('cancelled', 'The session was stopped while connecting.');
  }

  /** Listeners, GC observer, Debugger and HeapProfiler domains on a (new) client. */
  private async setUp(client: CdpClient, first: boolean): Promise<void> {
    const within = <T>(p: Promise<T>) => bounded(p, SETUP_CALL_TIMEOUT_MS, this.teardown.signal);
    this.listenTo(client);
    const gcState = await within(installGcObserver(client));
    if (gcState !== 'ok' && gcState !== 'installed')
      this.log(`heapscope: GC events are not available in this target (${gcState}).`);
    if (first) {
      const armed = this.options.armOomSnapshot === true;
      this.pauses = new PauseWatcher(
        client,
        this.connection!.shared,
        {
          paused: () => this.onPaused(),
          resumed: () => this.onResumed(),
          log: (line) => this.log(line),
        },
        armed,
      );
      if (armed)
        this.log('heapscope: armed for a heap snapshot near the heap limit: the Debugger domain stays off.');
    }
    await within(this.pauses!.attach(client));
    await within(client.send('HeapProfiler.enable')).catch(() => undefined);
  }

  private async identify(client: CdpClient): Promise<void> {
    let value: unknown;
    try {
      const reply = await bounded(
        client.send('Runtime.evaluate', { expression: IDENTITY_EXPRESSION, returnByValue: true }),
        IDENTIFY_TIMEOUT_MS,
        this.teardown.signal,
      );
      value = reply.result?.value;
    } catch (error) {
      if (isHeapscopeError(error, 'cancelled')) throw error;
      throw new HeapscopeError(
        'target-not-node',
        `The target does not answer like a Node.js inspector: ${describeError(error)}`,
        { cause: error },
      );
    }
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

  private watchForExit(client: CdpClient): void {
    const connection = this.connection!;
    if (connection.reopen) {
      this.reconnector = new PodReconnector({
        reopen: connection.reopen,
        restore: (next) => this.restoreAfterReconnect(next),
        isOver: () => this.lifecycle.endingOrEnded,
        gone: (message) => void this.targetGone(message),
        log: (line) => this.log(line),
      });
    }
    client.onDisconnect(() => this.onDisconnect(client));
    const launched = connection.launched;
    if (launched) {
      launched.onProgramEnded(() => void this.targetGone('The target program ended.'));
      void launched.exited.then(({ code, signal }) =>
        this.targetGone(`The target exited (${signal ? `signal ${signal}` : `exit code ${code}`}).`),
      );
    }
  }

  private onDisconnect(client: CdpClient): void {
    // A client replaced by a reconnect may still report its own end: only the current one counts.
    if (client !== this.client || this.lifecycle.endingOrEnded) return;
    if (this.reconnector) void this.reconnector.reconnect();
    else void this.targetGone('The inspector connection closed (the target exited or dropped it).');
  }

  private listenTo(client: CdpClient): void {
    client.on('Runtime.executionContextCreated', ({ context }) => {
      const aux = context.auxData as { isDefault?: boolean } | undefined;
      if (aux?.isDefault !== false && this.mainContextId === undefined) this.mainContextId = context.id;
    });
    // Node destroys the main context when the program has ended and it only waits for debuggers to
    // let go ("Waiting for the debugger to disconnect"): that is an exit.
    client.on('Runtime.executionContextDestroyed', ({ executionContextId }) => {
      if (executionContextId === this.mainContextId) void this.targetGone('The target program ended.');
    });
    client.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name !== GC_BINDING_NAME || client !== this.client) return;
      // The observer reports from the target's event loop: a batch proves the program runs, even if
      // the resume itself was not seen.
      this.pauses?.sawActivity();
      this.onGcEvents(parseGcPayload(payload));
    });
  }

  // ---- reconnect (pods: the port-forward can drop and come back) ------------------------------

  private onPodEvent(event: PodConnectionEvent): void {
    if (!this.lifecycle.live) return;
    if (event.type === 'forward-lost') {
      this.lifecycle.to({
        kind: 'reconnecting',
        message: `port-forward dropped, reopening (${event.attempt}/${event.maxAttempts})`,
      });
    } else if (event.type === 'forward-restored') {
      this.log(`heapscope: port-forward reopened (attempt ${event.attempt}); reattaching the inspector.`);
    }
  }

  /**
   * A new client on the reopened forward: put the domains back. No reading is taken meanwhile, so
   * the gap is a gap, never a drop.
   */
  private async restoreAfterReconnect(client: CdpClient): Promise<void> {
    this.metricsInFlightSinceMs = undefined;
    this.mainContextId = undefined;
    if (this.lifecycle.kind !== 'reconnecting')
      this.lifecycle.to({ kind: 'reconnecting', message: 'port-forward dropped, reopening' });
    this.client = client;
    client.onDisconnect(() => this.onDisconnect(client));
    try {
      await this.setUp(client, false);
      if (this.sampler && (await this.sampler.resumeOn(client))) {
        this.log(
          'heapscope: allocation sampling restarted after the reconnect; site growth is measured from now.',
        );
      }
    } finally {
      if (this.lifecycle.kind === 'reconnecting') {
        this.lastMessage = 'port-forward reopened';
        this.lifecycle.to(this.restingPhase());
      }
      this.scheduleMetrics(0);
      this.scheduleProfile();
    }
  }

  private async startSampling(): Promise<void> {
    const ours = await bounded(this.sampler!.start(), SETUP_CALL_TIMEOUT_MS, this.teardown.signal);
    // Someone else (DevTools, js-debug's profiler) already runs the sampler: V8 has only one per
    // isolate. Then its profile is read rather than restarting it under them.
    if (!ours)
      this.announce(
        'Allocation sampling was already running (another tool is profiling): Heapscope reads that profile.',
      );
  }

  // ---- readings -------------------------------------------------------------------------------

  /** Readings are taken while observing; a pause, a capture, a reconnect or the end stop them. */
  private get reading(): boolean {
    const kind = this.lifecycle.kind;
    return !this.observationClosed && (kind === 'observing' || kind === 'unresponsive');
  }

  private scheduleMetrics(delayMs = this.metricsIntervalMs): void {
    if (this.lifecycle.endingOrEnded || this.observationClosed) return;
    clearTimeout(this.metricsTimer);
    this.metricsTimer = setTimeout(() => void this.readMetrics(), delayMs);
  }

  private async readMetrics(): Promise<void> {
    this.scheduleMetrics();
    if (!this.reading || !this.client) return;
    const answerTimeoutMs = Math.max(5000, this.metricsIntervalMs * 3);
    if (this.metricsInFlightSinceMs !== undefined) {
      if (this.lifecycle.kind === 'observing' && Date.now() - this.metricsInFlightSinceMs > answerTimeoutMs) {
        this.lastMessage = `The target has not answered for ${Math.round(answerTimeoutMs / 1000)} s (busy, or paused by a debugger): readings resume when it answers.`;
        this.lifecycle.to({ kind: 'unresponsive', sinceMs: this.metricsInFlightSinceMs });
      }
      return;
    }
    const client = this.client;
    this.metricsInFlightSinceMs = Date.now();
    let value: unknown;
    try {
      const reply = await client.send('Runtime.evaluate', {
        expression: METRICS_EXPRESSION,
        returnByValue: true,
      });
      value = reply.result?.value;
    } catch (error) {
      if (this.lifecycle.live) this.log(`heapscope: memory reading failed: ${describeError(error)}`);
      return;
    } finally {
      if (client === this.client) this.metricsInFlightSinceMs = undefined;
    }
    if (this.lifecycle.kind === 'unresponsive') this.lifecycle.to({ kind: 'observing' });
    // A reading that arrives while paused describes a frozen heap: not a fake drop, but not a reading
    // of the running program either.
    if (!this.reading) return;
    const sample = toMemorySample(value);
    if (!sample) return;
    this.samples.push(sample);
    this.writer?.sample(sample);
    this.emit('sample', sample);
    if (this.workers) {
      await bounded(this.workers.readMetrics(), answerTimeoutMs, this.teardown.signal).catch(() => undefined);
      if (this.lifecycle.ended) return;
    }
    this.tree?.refresh();
    this.updateVerdict();
  }

  private onGcEvents(events: GcEvent[]): void {
    if (!events.length || this.lifecycle.ended) return;
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

  /** Recomputes the live verdict from the samples and GC events so far (the one place it is). */
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
          memoryLimitBytes: this.memoryLimitBytes,
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
    if (this.lifecycle.endingOrEnded || this.observationClosed || !this.allocationSampling) return;
    clearTimeout(this.profileTimer);
    this.profileTimer = setTimeout(() => {
      void this.readProfile()
        .catch((error) => {
          if (this.lifecycle.live)
            this.log(`heapscope: allocation profile reading failed: ${describeError(error)}`);
        })
        .finally(() => this.scheduleProfile());
    }, this.profileIntervalMs);
  }

  private async readProfile(): Promise<void> {
    const kind = this.lifecycle.kind;
    const readable =
      kind === 'observing' || kind === 'unresponsive' || kind === 'stopping' || kind === 'naming-holders';
    if (!readable || !this.sampler?.on || this.pauses?.paused || this.reconnector?.active) return;
    const reading = await this.sampler.read();
    if (this.lifecycle.ended) return;
    this.writer?.profile(reading);
    this.emit('profile', reading);
    if (this.workers) {
      await this.workers.readProfiles();
      if (this.lifecycle.ended) return;
    }
    await this.rank();
  }

  private rank(): Promise<void> {
    const run = async () => {
      try {
        const suspects = await rankSuspects(this.sampler?.readings ?? [], this.sources, {
          projectRoot: this.options.projectRoot,
          resolver: this.resolver,
          trend: this.verdict,
        });
        this.mainSuspects = suspects;
        this.setSuspects(
          mergeIsolateSuspects(
            carryHolders(suspects, this.namedSuspects),
            this.mainVerdict,
            this.workers?.isolates ?? [],
          ),
        );
      } catch (error) {
        this.log(`heapscope: ranking suspects failed: ${describeError(error)}`);
      }
    };
    this.ranking = this.ranking.then(run, run);
    return this.ranking;
  }

  private setSuspects(ranked: Suspect[]): void {
    const suspects = this.withOffHeap(ranked);
    this.suspects = suspects;
    this.writer?.suspects(suspects);
    this.emit('suspects', suspects);
  }

  /** Each isolate's off-heap floor growth goes to its own Buffer sites (offHeapAttribution.ts). */
  private withOffHeap(ranked: readonly Suspect[]): Suspect[] {
    return attributeOffHeap(ranked, (isolate) => {
      const worker = isolate === 'main' ? undefined : this.workers?.isolates.find((w) => w.id === isolate);
      const verdict = worker ? worker.verdict : (this.mainVerdict ?? this.verdict);
      if (!verdict) return undefined;
      const samples = worker ? worker.samples : this.samples;
      return { externalBytesPerMinute: verdict.growth.externalBytesPerMinute, samples };
    });
  }

  private async scriptSource(scriptId: string, _url: string): Promise<string | undefined> {
    const client = this.client;
    if (!client || !this.pauses?.debuggerEnabled || !scriptId || scriptId === '0') return undefined;
    let source = this.scriptSources.get(scriptId);
    if (!source) {
      source = this.lifecycle.ended
        ? Promise.resolve(undefined)
        : bounded(client.send('Debugger.getScriptSource', { scriptId }), SETUP_CALL_TIMEOUT_MS).then(
            (reply) => reply.scriptSource,
            () => undefined,
          );
      this.scriptSources.set(scriptId, source);
    }
    return source;
  }

  // ---- pauses ---------------------------------------------------------------------------------

  private onPaused(): void {
    const kind = this.lifecycle.kind;
    // A capture or holder run keeps its phase and settles into the pause when it ends; a pause seen
    // while connecting is taken up when the set-up ends.
    if (kind === 'observing' || kind === 'unresponsive') {
      this.lastMessage = PAUSED_MESSAGE;
      this.lifecycle.to({ kind: 'paused-by-debugger' });
    }
  }

  private onResumed(): void {
    if (this.lifecycle.kind === 'paused-by-debugger') this.lifecycle.to({ kind: 'observing' });
  }

  /** Where a session rests once a capture, a holder run or a reconnect is over. */
  private restingPhase(): Phase {
    if (this.holdersStep !== undefined) return { kind: 'naming-holders', step: this.holdersStep };
    if (this.pauses?.paused) return { kind: 'paused-by-debugger' };
    return { kind: 'observing' };
  }

  // ---- snapshots ------------------------------------------------------------------------------

  private async snapshot(file: string, purpose: string, options: SnapshotOptions = {}): Promise<string> {
    const client = this.client;
    if (!client || !this.lifecycle.live) {
      throw new HeapscopeError(
        'target-lost',
        'Cannot take a heap snapshot: the session is not attached to a target.',
      );
    }
    if (this.capture) {
      throw new HeapscopeError(
        'usage',
        'A heap snapshot of this target is already being taken; wait for it to finish, then ask again.',
      );
    }
    const takenAtSeconds = Math.round((Date.now() - this.startedAtMs) / 100) / 10;
    const signal = AbortSignal.any([this.teardown.signal, ...(options.signal ? [options.signal] : [])]);
    this.lifecycle.to({ kind: 'capturing', file });
    const capture = captureHeapSnapshot(client, file, { ...options, signal });
    this.capture = capture.then((r) => r.file);
    this.capture.catch(() => undefined);
    try {
      const result = await capture;
      this.snapshots.push({ file: result.file, takenAtSeconds, pauseMs: result.pauseMs, purpose });
      this.log(
        `heapscope: heap snapshot (${purpose}) written to ${result.file}; the target paused ${result.pauseMs} ms.`,
      );
      return result.file;
    } finally {
      this.capture = undefined;
      if (this.lifecycle.kind === 'capturing') this.lifecycle.to(this.restingPhase());
    }
  }

  // ---- end ------------------------------------------------------------------------------------

  /** The observation window closes: no more readings; a last profile and ranking, bounded. */
  private async closeObservation(lastProfileMs = 5000): Promise<void> {
    if (this.observationClosed) return;
    this.observationClosed = true;
    clearTimeout(this.metricsTimer);
    clearTimeout(this.profileTimer);
    this.endedAtMs ??= Date.now();
    const attached = this.lifecycle.live || this.lifecycle.kind === 'stopping';
    if (attached && this.allocationSampling && !this.pauses?.paused) {
      await bounded(this.readProfile(), lastProfileMs, this.teardown.signal).catch((error) =>
        this.log(`heapscope: last profile reading skipped: ${describeError(error)}`),
      );
    }
  }

  private async finish(reason?: string): Promise<ReportV1> {
    const from = this.lifecycle.kind;
    const wasLive = this.lifecycle.live;
    clearTimeout(this.metricsTimer);
    clearTimeout(this.profileTimer);
    if (from !== 'ended') {
      this.lastMessage = reason;
      this.lifecycle.to({ kind: 'stopping', reason });
    }
    // The observation ends now. What follows is the way out: every step has a deadline.
    this.endedAtMs ??= Date.now();
    // Workers let go first, alongside the main thread's last profile (both bounded: stop stays ~2 s).
    const workersStopped = this.workers
      ? bounded(this.workers.stop(), STOP_WORKERS_MS).catch(() =>
          this.log('heapscope: worker threads did not let go of their samplers in time.'),
        )
      : undefined;
    if (wasLive) await this.closeObservation(STOP_LAST_PROFILE_MS);
    await workersStopped;
    // The target went just before: its exit status is on the way (bounded by targetGone itself).
    if (this.going) await this.going;
    this.teardown.abort();
    this.pauses?.dispose();
    if (from === 'connecting' && this.starting) {
      await bounded(this.starting, STOP_WAIT_FOR_START_MS).catch(() => undefined);
    }
    if (wasLive && this.client && !this.connection?.launched && !this.options.targetStopsWithSession) {
      // A target that lives on keeps nothing of ours; a launched one is stopped below anyway.
      await removeInstrumentation(
        this.client,
        () => this.sampler?.stop() ?? Promise.resolve(),
        STOP_CLEANUP_MS,
      );
    }
    await this.connection?.dispose().catch(() => undefined);
    await bounded(this.ranking, STOP_LAST_PROFILE_MS).catch(() => undefined);
    const report = this.report();
    this.writer?.report(report);
    if (!this.lifecycle.ended) this.lifecycle.to({ kind: 'ended', how: 'stopped', message: reason });
    this.writer?.close();
    return report;
  }

  private targetGone(message: string): Promise<void> {
    if (this.lifecycle.endingOrEnded || this.lifecycle.kind === 'idle') return Promise.resolve();
    this.going = this.recordTargetGone(message);
    return this.going;
  }

  private async recordTargetGone(message: string): Promise<void> {
    // Ended first, so that nothing else (a late reading, a stop) acts on the gone target.
    this.endedAtMs = Date.now();
    clearTimeout(this.metricsTimer);
    clearTimeout(this.profileTimer);
    this.teardown.abort();
    this.pauses?.dispose();
    const launched = this.connection?.launched;
    let exitCode: number | null | undefined;
    let signal: string | null | undefined;
    const exitedAtMs = this.endedAtMs;
    const atSeconds = Math.round((exitedAtMs - this.startedAtMs) / 100) / 10;
    // Known at once (a stop that follows reports it); the exit status is added when it comes.
    this.exitInfo = { atSeconds, message };
    this.lifecycle.to({ kind: 'ended', how: 'target-exited', message });
    if (launched) {
      // A program that ended waits for debuggers to let go before it exits: let go first, then read
      // its exit status.
      await this.client?.close();
      const status = await bounded(launched.exited, 3000).catch(() => undefined);
      exitCode = status?.code;
      signal = status?.signal;
      if (status) {
        message = `The target exited (${status.signal ? `signal ${status.signal}` : `exit code ${status.code}`}).`;
        this.lastMessage = message;
        this.publish(this.lifecycle.phase, message);
      }
    }
    this.exitInfo = {
      atSeconds,
      message,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(signal !== undefined ? { signal } : {}),
    };
    await this.connection?.dispose().catch(() => undefined);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private requireLive(what: string): CdpClient {
    if (!this.client || !this.lifecycle.live || this.stopping) {
      throw new HeapscopeError('usage', `Cannot ${what}: the session is not attached to a running target.`);
    }
    return this.client;
  }

  /** Publishes the status for a phase; a message given with the move (or pending) goes with it. */
  private publish(phase: Phase, message?: string): void {
    const text = message ?? messageOf(phase) ?? this.lastMessage;
    this.lastMessage = undefined;
    this.status = { state: stateOf(phase), ...(text ? { message: text } : {}) };
    this.writer?.status(this.status);
    this.emit('status', this.status);
  }

  /** A note on the current state (e.g. another tool runs the sampler), without a phase change. */
  private announce(message: string): void {
    if (this.lifecycle.kind === 'connecting') {
      this.lastMessage = message;
      return;
    }
    this.publish(this.lifecycle.phase, message);
  }

  private log(raw: string): void {
    const line = redactText(raw);
    this.options.log?.(line);
    this.emit('log', line);
  }
}

function messageOf(phase: Phase): string | undefined {
  switch (phase.kind) {
    case 'capturing':
      return CAPTURING_MESSAGE;
    case 'naming-holders':
      return `naming holders: ${phase.step}`;
    case 'reconnecting':
      return phase.message;
    case 'ended':
      return phase.message;
    case 'stopping':
      return phase.reason;
    default:
      return undefined;
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
