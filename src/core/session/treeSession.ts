// A launched command observed as the process tree it starts. Every Node process of the tree inherits
// the inspector flag and announces itself ("Debugger listening on …"); each is asked who it is
// (../targets), wrappers that only wait (npm, npx, tsx, nodemon, `node --watch`) are listed and left
// alone, and every other process gets a MemorySession of its own: its own readings, GC events,
// sampling profile, isolates, suspects and verdict. The tree's verdict combines them
// (../leak/treeVerdict.ts). A process that ends while the tree runs (a watcher's restart, a
// replaced cluster worker) keeps its series and verdict; the next one is followed, and the gap is
// reported. The faces drive this class through the same MemorySessionApi: the chart follows one
// process (the focus: the first app, then whichever replaces it), the verdict and suspects are the
// tree's. Stop ends every member session, then the whole process group.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describeError, HeapscopeError } from '../errors';
import { bounded } from '../inspector/cdp';
import { STOP_GRACE_MS } from '../inspector/connect';
import { launchWithInspector, type LaunchedProcess } from '../inspector/launch';
import { looksLikeNode, processArgv, scriptOf } from '../inspector/processes';
import { combineTreeVerdicts, ProcessVerdictHistory } from '../leak';
import { buildReport } from '../report';
import { redactArgs, redactText } from '../redact';
import { identifyInspector } from '../targets/identify';
import { processRoles, wrapperKind, type ProcessIdentity } from '../targets/processRole';
import type {
  FollowChange,
  GcEvent,
  IsolateReport,
  MemorySample,
  ProcessReport,
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
  SnapshotRisk,
} from './api';
import { MemorySession } from './memorySession';
import { capForUnobservedChildren, ProcessTreeWatch } from './processTree';
import {
  liveFigures,
  memberLabel,
  mergeTreeSuspects,
  processReports,
  type TreeMemberState,
} from './treeReport';
import { REPORT_FILE } from './recording';
import { TreeRecording } from './treeRecording';

/** A member session that has not let go within this is left behind (the group is killed anyway). */
const MEMBER_STOP_MS = 2500;
/** A member's set-up (connect, domains, sampler) must be done within this. */
const MEMBER_START_MS = 15_000;
const STOP_WAIT_FOR_START_MS = 1500;
/** Only wrappers answered at first: how long to wait for the program's own inspector. */
const PROGRAM_WAIT_MS = 10_000;
/** A process that appears within this of another's end replaces it (a restart, a new worker). */
const REPLACEMENT_WINDOW_MS = 60_000;

interface Member {
  url: string;
  identity: ProcessIdentity;
  wrapper?: string;
  session?: MemorySession;
  startedAtMs: number;
  endedAtMs?: number;
}

type LaunchSpec = Extract<SessionOptions['target'], { kind: 'launch' }>;

export class TreeSession extends EventEmitter<SessionEvents> implements MemorySessionApi {
  readonly id = randomUUID();
  target: TargetInfo;
  status: SessionStatus = { state: 'connecting' };
  verdict: TrendVerdict | undefined;
  suspects: Suspect[] = [];
  readonly recordingDir: string | undefined;

  private readonly spec: LaunchSpec;
  private readonly members: Member[] = [];
  private readonly identifying = new Set<Promise<void>>();
  private focus: Member | undefined;
  /** When the chart began to follow the focus: its readings from before are not the chart's. */
  private focusSinceMs = 0;
  private readonly changes: FollowChange[] = [];
  /** What the chart showed of the processes it followed before the focus, oldest first. */
  private readonly chartPast: { samples: MemorySample[]; gcEvents: GcEvent[] } = {
    samples: [],
    gcEvents: [],
  };
  private launched: LaunchedProcess | undefined;
  private killLaunched: (() => void) | undefined;
  private unobserved: ProcessTreeWatch | undefined;
  private readonly history = new ProcessVerdictHistory();
  private readonly restarts: NonNullable<ReportV1['restarts']> = [];
  /** Observed processes that ended while the tree runs: the next apps to appear replace them. */
  private readonly awaitingSuccessor: Array<{ atMs: number; endedPid: number }> = [];
  private startedAtMs = Date.now();
  private endedAtMs: number | undefined;
  private exitInfo: ReportV1['targetExited'];
  private starting: Promise<void> | undefined;
  /** Settles when the start is over (either way): later announcements wait for it. */
  private started: Promise<void> = Promise.resolve();
  private stopping: Promise<ReportV1> | undefined;
  /** Set once the tree exited or a stop began: nothing new is attached. */
  private over = false;
  private readonly teardown = new AbortController();
  private readonly recording: TreeRecording | undefined;

  constructor(private readonly options: SessionOptions) {
    super();
    if (options.target.kind !== 'launch')
      throw new HeapscopeError('usage', 'A tree session launches its target.');
    this.spec = options.target;
    this.recordingDir = options.recordingDir;
    this.recording = options.recordingDir
      ? new TreeRecording(options.recordingDir, (line) => this.log(line))
      : undefined;
    this.target = { kind: 'launch', command: redactArgs([this.spec.command, ...this.spec.args]) };
  }

  get samples() {
    return this.focus?.session?.samples ?? [];
  }

  get gcEvents() {
    return this.focus?.session?.gcEvents ?? [];
  }

  get allocationSampling(): boolean {
    return this.focus?.session?.allocationSampling ?? false;
  }

  /** The isolates of the process the view follows (its worker threads). */
  get isolates(): IsolateReport[] | undefined {
    return this.focus?.session?.isolates;
  }

  /** One entry per process of the tree (as the report's `processes[]`); none while it holds one. */
  get processes(): ProcessReport[] | undefined {
    if (this.members.length < 2) return undefined;
    const suspects = this.treeSuspects();
    return processReports(this.memberStates(true), this.startedAtMs, suspects);
  }

  /** Where the chart's series changed process, oldest first. */
  get followChanges(): FollowChange[] {
    return this.changes.map((c) => ({ ...c }));
  }

  /**
   * The chart's whole series: each followed process's readings while it was followed, oldest first
   * (the changes of process say where one ends). For a view opened after a restart.
   */
  get chartSamples(): MemorySample[] {
    return [...this.chartPast.samples, ...this.sinceFocus(this.focus?.session?.samples ?? [])];
  }

  get chartGcEvents(): GcEvent[] {
    return [...this.chartPast.gcEvents, ...this.sinceFocus(this.focus?.session?.gcEvents ?? [])];
  }

  /** The pid whose series the chart shows. */
  get followedPid(): number | undefined {
    return this.focus?.identity.pid;
  }

  armHeapSnapshotNearLimit(): Promise<string> {
    return this.focused('arm a heap snapshot near the heap limit').armHeapSnapshotNearLimit();
  }

  start(): Promise<void> {
    if (this.starting)
      return Promise.reject(new HeapscopeError('usage', 'This session was already started.'));
    this.starting = this.launchAndObserve();
    this.started = this.starting.catch(() => undefined);
    return this.starting;
  }

  stop(reason?: string): Promise<ReportV1> {
    this.stopping ??= this.finish(reason);
    return this.stopping;
  }

  abandon(): void {
    this.over = true;
    this.teardown.abort();
    for (const member of this.members) member.session?.abandon();
    this.killLaunched?.();
  }

  nameHolders(options?: HolderOptions): Promise<HolderOutcome> {
    const lead = this.lead()?.session;
    if (!lead) return Promise.resolve({ kind: 'cancelled', reason: 'no process of the tree is observed' });
    // The observation ends here (the CLI's end of --duration): the snapshots are not part of it.
    if (options?.final) this.endedAtMs ??= Date.now();
    return lead.nameHolders(options);
  }

  forceGc(): Promise<void> {
    return this.focused('force a garbage collection').forceGc();
  }

  async setAllocationSampling(on: boolean): Promise<void> {
    this.focused(on ? 'start allocation sampling' : 'stop allocation sampling');
    await Promise.all(this.running().map((m) => m.session!.setAllocationSampling(on)));
  }

  takeHeapSnapshot(
    file: string,
    options?: Parameters<MemorySessionApi['takeHeapSnapshot']>[1],
  ): Promise<string> {
    return this.focused('take a heap snapshot').takeHeapSnapshot(file, options);
  }

  snapshotRisk(): Promise<SnapshotRisk> {
    return this.focused('take a heap snapshot').snapshotRisk();
  }

  exportHeapProfile(file: string): Promise<string> {
    return this.focused('export a heap profile').exportHeapProfile(file);
  }

  resolveFrame(frame: RawFrame): Promise<SourceFrame> {
    return this.focused('map a profile frame').resolveFrame(frame);
  }

  originalSource(frame: RawFrame, url: string): Promise<string | undefined> {
    return this.focused('read a mapped source').originalSource(frame, url);
  }

  report(): ReportV1 {
    const observed = this.members.filter((m) => m.session);
    const single = observed.length === 1 && this.members.length === 1;
    const lead = this.lead();
    const endedAtMs = this.endedAtMs ?? Date.now();
    const base =
      lead?.session?.report() ??
      buildReport({
        target: this.target,
        startedAtMs: this.startedAtMs,
        endedAtMs,
        samples: [],
        gcEvents: [],
        verdict: this.verdict,
        suspects: [],
      });
    const target: TargetInfo = {
      ...this.target,
      ...(base.target.title ? { title: base.target.title } : {}),
      ...(base.target.nodeVersion ? { nodeVersion: base.target.nodeVersion } : {}),
    };
    const report: ReportV1 = {
      ...base,
      target,
      startedAt: new Date(this.startedAtMs).toISOString(),
      durationSeconds: Math.round(Math.max(0, endedAtMs - this.startedAtMs) / 100) / 10,
    };
    delete report.targetExited;
    if (this.exitInfo) report.targetExited = { ...this.exitInfo };
    if (this.restarts.length) report.restarts = this.restarts.map((r) => ({ ...r }));
    const verdict = this.verdict;
    // One process: its own report, unless the tree's guard (Node children without an inspector)
    // capped its verdict.
    if (single && (!verdict || verdict.verdict === base.verdict)) return report;
    if (verdict) {
      report.verdict = verdict.verdict;
      report.reason = verdict.reason;
      report.growth = {
        heapBytesPerMinute: Math.round(verdict.growth.heapBytesPerMinute),
        externalBytesPerMinute: Math.round(verdict.growth.externalBytesPerMinute),
        confidence: Math.round(verdict.growth.confidence * 1000) / 1000,
      };
    }
    report.verdictHistory = [...this.history.history];
    if (single) return report;
    report.suspects = this.treeSuspects();
    report.processes = processReports(this.memberStates(), this.startedAtMs, report.suspects);
    return report;
  }

  // ---- set-up ---------------------------------------------------------------------------------

  private async launchAndObserve(): Promise<void> {
    try {
      const launched = await launchWithInspector(this.spec.command, this.spec.args, {
        cwd: this.spec.cwd,
        env: this.spec.env,
        onOutput: this.options.onTargetOutput,
        signal: this.teardown.signal,
        onSpawn: (kill) => (this.killLaunched = kill),
      });
      this.launched = launched;
      this.target = { ...this.target, pid: launched.pid, inspectorUrl: launched.inspectorUrl };
      this.startedAtMs = Date.now();
      this.ensureStillStarting();
      // Announcements during the start join the first round; later ones are followed (track).
      const early: string[] = [];
      let announced: (() => void) | undefined;
      let starting = true;
      launched.onAnnounced((url) => {
        if (!starting) return this.follow(this.track(url));
        early.push(url);
        announced?.();
      });
      void launched.exited.then((status) => this.treeExited(status));
      // What announced itself while the launch settled: the wrappers and, normally, the program.
      const found = await Promise.all(launched.announcedUrls.map((url) => this.identify(url)));
      // On a busy machine the program may announce itself well after its wrapper: wait for it, bounded.
      const deadline = Date.now() + PROGRAM_WAIT_MS;
      while (!found.some((m) => m && !m.wrapper) && Date.now() < deadline && !this.over) {
        if (!early.length)
          await new Promise<void>((resolve) => {
            announced = resolve;
            setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
            this.teardown.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        announced = undefined;
        found.push(...(await Promise.all(early.splice(0).map((url) => this.identify(url)))));
      }
      starting = false;
      for (const url of early.splice(0)) this.follow(this.track(url));
      this.ensureStillStarting();
      const members = found.filter((m): m is Member => m !== undefined);
      const programs = members.filter((m) => !m.wrapper);
      // Nothing but wrappers answered (the program has not started its inspector): the last one is
      // observed rather than nothing, and the unobserved-children guard keeps its flatness honest.
      const toObserve = programs.length ? programs : members.slice(-1);
      if (!toObserve.length)
        throw new HeapscopeError(
          'target-unreachable',
          'No process of the launched tree answered its inspector.',
        );
      // A leader that announced no inspector (the `node --watch` supervisor) is still listed.
      const leader = members.some((m) => m.identity.pid === launched.pid)
        ? undefined
        : await leaderMember(launched.pid);
      if (leader) this.remember(leader);
      for (const member of members) this.remember(member);
      await Promise.all(toObserve.map((member) => this.observe(member)));
      this.ensureStillStarting();
      const started = toObserve.filter((m) => m.session?.status.state !== 'error' && m.session);
      if (!started.length)
        throw new HeapscopeError('target-unreachable', 'No process of the launched tree could be observed.');
      this.focus = this.pickFocus() ?? started[0];
      this.target = {
        ...this.target,
        pid: this.focus.identity.pid,
        ...(this.focus.identity.title ? { title: this.focus.identity.title } : {}),
        ...(this.focus.identity.nodeVersion ? { nodeVersion: this.focus.identity.nodeVersion } : {}),
      };
      this.unobserved = new ProcessTreeWatch(launched.pid);
      const others = this.members.filter((m) => m !== this.focus);
      if (others.length)
        this.log(`heapscope: process tree: ${this.members.map((m) => this.describe(m)).join('; ')}`);
      this.publish(this.focus.session!.status);
    } catch (error) {
      this.over = true;
      this.teardown.abort();
      await Promise.all(this.members.map((m) => m.session?.stop().catch(() => undefined)));
      await this.launched?.stop(STOP_GRACE_MS);
      if (!this.stopping) this.publish({ state: 'error', message: describeError(error) });
      throw error;
    }
  }

  private ensureStillStarting(): void {
    if (this.exitInfo) throw new HeapscopeError('target-exited', this.exitInfo.message);
    if (this.over) throw new HeapscopeError('cancelled', 'The session was stopped while connecting.');
  }

  /** Who is behind an announced inspector; undefined when it is gone before it answers. */
  private async identify(url: string): Promise<Member | undefined> {
    const identity = await identifyInspector(url, this.teardown.signal);
    if (!identity) return undefined;
    const wrapper = wrapperKind(identity);
    return { url, identity, startedAtMs: Date.now(), ...(wrapper ? { wrapper } : {}) };
  }

  /** A process announced after the start: identify it, observe it unless it is a wrapper. */
  private async track(url: string): Promise<void> {
    await this.started;
    if (this.over || !this.focus) return;
    const member = await this.identify(url);
    if (!member || this.over) return;
    this.remember(member);
    this.log(`heapscope: the tree started ${this.describe(member)}`);
    if (member.wrapper) return;
    await this.observe(member);
    if (this.over || !member.session) return;
    const replaced = this.takeReplaced(member.startedAtMs);
    if (replaced) {
      const atSeconds = Math.round((replaced.atMs - this.startedAtMs) / 100) / 10;
      const gapSeconds = Math.round((member.startedAtMs - replaced.atMs) / 100) / 10;
      this.restarts.push({
        atSeconds,
        endedPid: replaced.endedPid,
        nextPid: member.identity.pid,
        gapSeconds,
      });
      this.recording?.write({
        t: 'restart',
        at: Date.now(),
        d: { endedPid: replaced.endedPid, nextPid: member.identity.pid, gapSeconds },
      });
      this.log(
        `heapscope: pid ${replaced.endedPid} was replaced by pid ${member.identity.pid} after ${gapSeconds} s; each keeps its own series`,
      );
    }
    // The chart follows the program: after a start that fell back on a wrapper (the program came
    // late), or once the process it followed ended (a restart).
    if (this.focus.wrapper || this.focus.endedAtMs !== undefined) {
      const previous = this.focus.identity.pid;
      this.refocus(member, replaced?.endedPid === previous);
      this.publish({
        state: 'observing',
        message: `now following pid ${member.identity.pid} (pid ${previous} before it)`,
      });
    }
    this.updateVerdict();
  }

  /** Announcements are handled one at a time in the background; stop waits for those in flight. */
  private follow(work: Promise<void>): void {
    const tracked = work.catch((error) =>
      this.log(`heapscope: a new process of the tree: ${describeError(error)}`),
    );
    this.identifying.add(tracked);
    void tracked.finally(() => this.identifying.delete(tracked));
  }

  private async observe(member: Member): Promise<void> {
    const pid = member.identity.pid;
    const first = !this.members.some((m) => m.session);
    const session = new MemorySession({
      ...this.options,
      target: { kind: 'attach', address: member.url },
      // The first process records where asked; later ones beside it, one folder each.
      recordingDir:
        this.recordingDir && (first ? this.recordingDir : join(this.recordingDir, 'processes', String(pid))),
      // Armed through NODE_OPTIONS at launch: only the Debugger domain must stay off in each member.
      armedAtLaunch: true,
      targetStopsWithSession: true,
      onTargetOutput: undefined,
      // With several processes, each line says whose it is; one process speaks as a session always did.
      log: (line) =>
        this.log(
          this.members.filter((m) => !m.wrapper).length > 1
            ? line.replace(/^heapscope: /, `heapscope: [pid ${pid}] `)
            : line,
        ),
    });
    member.session = session;
    // A reading taken before the chart turned to this process belongs to no segment of the chart.
    session.on('sample', (sample) => {
      if (member === this.focus && sample.timeMs >= this.focusSinceMs) this.emit('sample', sample);
    });
    session.on('gc', (event) => {
      if (member === this.focus && event.timeMs >= this.focusSinceMs) this.emit('gc', event);
    });
    session.on('profile', (reading) => {
      if (member === this.focus) this.emit('profile', reading);
    });
    session.on('verdict', () => this.updateVerdict());
    session.on('suspects', () => this.updateSuspects());
    session.on('status', (status) => this.onMemberStatus(member, status));
    try {
      await bounded(session.start(), MEMBER_START_MS, this.teardown.signal);
      if (this.members.filter((m) => !m.wrapper).length > 1)
        this.log(`heapscope: observing ${this.describe(member)}`);
    } catch (error) {
      this.log(`heapscope: cannot observe ${memberLabel(member.identity)}: ${describeError(error)}`);
      await session.stop().catch(() => undefined);
      delete member.session;
    }
  }

  // ---- members come and go --------------------------------------------------------------------

  private onMemberStatus(member: Member, status: SessionStatus): void {
    const gone = status.state === 'target-exited' || status.state === 'error';
    if (gone && member.endedAtMs === undefined) {
      member.endedAtMs = Date.now();
      if (this.over) return;
      this.recording?.write({
        t: 'ended',
        at: member.endedAtMs,
        d: { pid: member.identity.pid, ...(status.message ? { message: status.message } : {}) },
      });
      this.log(
        `heapscope: ${memberLabel(member.identity)} ended${status.message ? ` (${status.message})` : ''}`,
      );
      if (!member.wrapper)
        this.awaitingSuccessor.push({ atMs: member.endedAtMs, endedPid: member.identity.pid });
      if (member === this.focus) {
        const next = this.pickFocus();
        if (next) this.refocus(next, false);
        else {
          this.publish({
            state: 'observing',
            message: `pid ${member.identity.pid} ended; waiting for the tree to start the next process`,
          });
        }
      }
      this.updateVerdict();
      return;
    }
    // The chart's process speaks for the session (paused, capturing, naming holders…).
    if (!gone && member === this.focus && !this.over) this.publish(status);
  }

  private treeExited(status: { code: number | null; signal: NodeJS.Signals | null }): void {
    const message = `The target exited (${status.signal ? `signal ${status.signal}` : `exit code ${status.code}`}).`;
    if (this.stopping || this.exitInfo) return;
    this.endedAtMs = Date.now();
    this.exitInfo = {
      atSeconds: Math.round((this.endedAtMs - this.startedAtMs) / 100) / 10,
      message,
      exitCode: status.code,
      signal: status.signal,
    };
    this.over = true;
    // Members see their own end (their inspector closes); give them a moment, bounded.
    void Promise.all(
      this.members.map((m) =>
        m.session ? bounded(m.session.stop(message), MEMBER_STOP_MS).catch(() => undefined) : undefined,
      ),
    ).then(() => this.publish({ state: 'target-exited', message }));
  }

  /** The oldest process that ended recently enough for `atMs`'s newcomer to be its replacement. */
  private takeReplaced(atMs: number): { atMs: number; endedPid: number } | undefined {
    while (this.awaitingSuccessor.length && atMs - this.awaitingSuccessor[0].atMs > REPLACEMENT_WINDOW_MS)
      this.awaitingSuccessor.shift();
    return this.awaitingSuccessor.shift();
  }

  // ---- verdict and suspects -------------------------------------------------------------------

  private updateVerdict(): void {
    const roles = processRoles(this.members.map((m) => m.identity));
    let verdict = combineTreeVerdicts(
      this.members
        .filter((m) => m.session || m.wrapper)
        .map((m) => ({
          label: memberLabel(m.identity),
          role: m.wrapper ? 'wrapper' : (roles.get(m.identity.pid) ?? 'app'),
          verdict: m.session?.verdict,
          ended: m.endedAtMs !== undefined,
        })),
    );
    if (this.unobserved && this.launched) {
      this.unobserved.refresh();
      const known = new Set(this.members.map((m) => m.identity.pid));
      const unknown = this.unobserved.unobserved.filter((c) => !known.has(c.pid));
      // A program that answered but could not be observed, and still runs, is as unknown.
      const failed = this.members
        .filter((m) => !m.session && !m.wrapper && isAlive(m.identity.pid))
        .map((m) => ({ pid: m.identity.pid, command: m.identity.argv.join(' ') }));
      verdict = capForUnobservedChildren(verdict, this.launched.pid, [...failed, ...unknown]);
    }
    if (this.identifying.size && verdict.verdict === 'no-leak') {
      verdict = {
        verdict: 'inconclusive',
        growth: { ...verdict.growth, confidence: 0 },
        reason: 'A new process of the tree is being attached; no verdict until it is observed.',
      };
    }
    this.history.note(verdict, Date.now(), this.startedAtMs);
    this.verdict = verdict;
    this.emit('verdict', verdict);
  }

  private updateSuspects(): void {
    this.suspects = this.treeSuspects();
    this.emit('suspects', this.suspects);
  }

  private treeSuspects(): Suspect[] {
    const observed = this.members.filter((m) => m.session);
    if (observed.length === 1 && this.members.length === 1) return [...observed[0].session!.suspects];
    return mergeTreeSuspects(
      observed.map((m) => ({
        pid: m.identity.pid,
        verdict: m.session!.verdict,
        ended: m.endedAtMs !== undefined,
        suspects: m.session!.suspects,
      })),
    );
  }

  /** `live`: the members' figures from their verdicts (cheap), not from their whole reports. */
  private memberStates(live = false): TreeMemberState[] {
    const roles = processRoles(this.members.map((m) => m.identity));
    return this.members.map((m) => ({
      identity: m.identity,
      role: m.wrapper ? 'wrapper' : (roles.get(m.identity.pid) ?? 'app'),
      ...(m.wrapper ? { wrapper: m.wrapper } : {}),
      startedAtMs: m.startedAtMs,
      ...(m.endedAtMs !== undefined ? { endedAtMs: m.endedAtMs } : {}),
      ...(m.session
        ? {
            report: live
              ? liveFigures(m.session.verdict, m.session.samples, m.session.isolates)
              : m.session.report(),
          }
        : {}),
    }));
  }

  // ---- end ------------------------------------------------------------------------------------

  private async finish(reason?: string): Promise<ReportV1> {
    const exited = this.exitInfo !== undefined;
    this.over = true;
    this.endedAtMs ??= Date.now();
    if (!exited) this.publish({ state: 'stopping', ...(reason ? { message: reason } : {}) });
    this.teardown.abort();
    if (this.starting) await bounded(this.starting, STOP_WAIT_FOR_START_MS).catch(() => undefined);
    await bounded(Promise.all(this.identifying), STOP_WAIT_FOR_START_MS).catch(() => undefined);
    await Promise.all(
      this.members.map((m) =>
        m.session ? bounded(m.session.stop(reason), MEMBER_STOP_MS).catch(() => undefined) : undefined,
      ),
    );
    // The whole process group: wrappers, the program, and every child they started.
    await this.launched?.stop(STOP_GRACE_MS);
    if (!this.launched) this.killLaunched?.();
    const report = this.report();
    // The recording's report is the tree's (the first process's own is replaced: it is in `processes`).
    if (this.recordingDir && this.members.length > 1) {
      try {
        writeFileSync(join(this.recordingDir, REPORT_FILE), JSON.stringify(report, null, 2) + '\n');
      } catch (error) {
        this.log(`heapscope: cannot write the tree's report to the recording: ${describeError(error)}`);
      }
    }
    if (!exited) this.publish({ state: 'stopped', ...(reason ? { message: reason } : {}) });
    return report;
  }

  // ---- helpers --------------------------------------------------------------------------------

  private remember(member: Member): void {
    this.members.push(member);
    this.recording?.write({
      t: 'process',
      at: member.startedAtMs,
      d: {
        pid: member.identity.pid,
        ppid: member.identity.ppid,
        command: redactArgs(member.identity.argv),
        ...(member.wrapper ? { wrapper: member.wrapper } : {}),
      },
    });
  }

  /** The chart follows `next` from now on; its series starts apart from the previous one's. */
  private refocus(next: Member, restart: boolean): void {
    const previous = this.focus;
    if (previous?.session && previous !== next) {
      this.chartPast.samples.push(...this.sinceFocus(previous.session.samples));
      this.chartPast.gcEvents.push(...this.sinceFocus(previous.session.gcEvents));
    }
    this.focus = next;
    this.focusSinceMs = Date.now();
    // The target is the chart's process (the bridge and the status bar name it).
    this.target = { ...this.target, pid: next.identity.pid };
    if (previous && previous !== next)
      this.changes.push({
        timeMs: this.focusSinceMs,
        fromPid: previous.identity.pid,
        toPid: next.identity.pid,
        restart,
      });
  }

  private sinceFocus<T extends { timeMs: number }>(items: readonly T[]): T[] {
    return this.focusSinceMs ? items.filter((x) => x.timeMs >= this.focusSinceMs) : [...items];
  }

  private running(): Member[] {
    return this.members.filter((m) => m.session && m.endedAtMs === undefined);
  }

  /** The chart's process: the first running app (not a supervisor), else any running observed one. */
  private pickFocus(): Member | undefined {
    const roles = processRoles(this.members.map((m) => m.identity));
    const running = this.running();
    return running.find((m) => roles.get(m.identity.pid) === 'app') ?? running[0];
  }

  /** The process the report's series and holders come from: the most certain leak, else the focus. */
  private lead(): Member | undefined {
    const leaking = this.members
      .filter((m) => m.session?.verdict?.verdict === 'leak')
      .sort((a, b) => b.session!.verdict!.growth.confidence - a.session!.verdict!.growth.confidence);
    return leaking[0] ?? this.focus ?? this.members.find((m) => m.session);
  }

  private focused(what: string): MemorySession {
    const session = this.focus?.session;
    if (!session || this.over)
      throw new HeapscopeError('usage', `Cannot ${what}: the session is not attached to a running target.`);
    return session;
  }

  private describe(member: Member): string {
    const label = memberLabel(member.identity);
    return member.wrapper ? `${label}, ${member.wrapper}: only waits, not observed` : label;
  }

  private publish(status: SessionStatus): void {
    this.status = status;
    this.emit('status', status);
  }

  private log(raw: string): void {
    const line = redactText(raw);
    this.options.log?.(line);
    this.emit('log', line);
  }
}

/** The launched process as a wrapper entry, from its command line, when it is a known wrapper. */
async function leaderMember(pid: number): Promise<Member | undefined> {
  const argv = await processArgv(pid);
  if (!argv?.length || !looksLikeNode(argv[0]!)) return undefined;
  const { script, args } = scriptOf(argv);
  if (!script) return undefined;
  const execArgv = argv.slice(1, argv.length - args.length - 1);
  const identity: ProcessIdentity = { pid, ppid: process.pid, argv: [argv[0]!, script, ...args], execArgv };
  const wrapper = wrapperKind(identity);
  return wrapper ? { url: '', identity, wrapper, startedAtMs: Date.now() } : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
