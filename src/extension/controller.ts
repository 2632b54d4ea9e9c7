// Starts, tracks and stops memory sessions for the window: settings, recording folders, status bar
// items, notifications, the output channel. Every figure comes from the engine's MemorySession.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, HeapscopeError } from '../core/errors';
import { redactArgs } from '../core/redact';
import { snapshotPauseSeconds } from '../core/heapsnapshot/capture';
import { holderSnapshotCount } from '../core/session/holderSnapshots';
import { bounded } from '../core/inspector/cdp';
import type { MemorySessionApi, SessionOptions, TargetSpec } from '../core/session/api';
import { formatBytes, statusBarText } from './format';
import { pruneRecordings, recordingFolderName } from './recordings';
import { SessionRegistry, type SessionEntry, type SessionOrigin } from './sessionRegistry';
import { notificationsDue, readSettings, type HeapscopeSettings, type NotificationState } from './settings';
import { isLoopbackAddress } from './targetPicks';
import { VerdictNotifier } from './verdictNotifier';
import { oomArmOffer } from './oomArm';
import { ARM_OOM_CHOICE, ARM_OOM_COMMAND } from './oomArmCommand';

export type SessionFactory = (options: SessionOptions) => MemorySessionApi;
export type RecordingOpener = (dir: string) => Promise<MemorySessionApi>;

/** Ended sessions kept for the views (their data stays browsable until pushed out by newer ones). */
const MAX_ENDED_SESSIONS = 4;
const ENDED = new Set(['stopped', 'target-exited', 'error']);
/** The engine's stop ends within ~2 s; this is the face's backstop, never the normal path. */
const STOP_DEADLINE_MS = 4000;

export interface StartRequest {
  target: TargetSpec;
  name: string;
  origin: SessionOrigin;
  debugSessionId?: string;
  /** Show a progress notification while connecting (manual starts); debug-follow starts quietly. */
  progress?: boolean;
  /** Per-session values that win over the settings (launch.json entries). */
  overrides?: { metricsIntervalMs?: number; samplingIntervalBytes?: number };
}

export class SessionController implements vscode.Disposable {
  readonly registry = new SessionRegistry();
  private readonly statusItems = new Map<string, vscode.StatusBarItem>();
  private readonly notified = new Map<string, NotificationState>();
  private readonly verdictNotifiers = new Map<string, VerdictNotifier>();
  private readonly stopping = new Set<string>();
  private readonly changeEmitter = new vscode.EventEmitter<{ entry: SessionEntry; what: string }>();
  /** Any session's data or state changed: `what` is the engine event name ("sample", "suspects", ...). */
  readonly onDidChange = this.changeEmitter.event;
  private readonly noticeEmitter = new vscode.EventEmitter<{
    level: 'info' | 'warning' | 'error';
    text: string;
  }>();
  /** Short lines for the live view (js-debug's profile is running, snapshot written, ...). */
  readonly onNotice = this.noticeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
    private readonly createSession: SessionFactory,
    private readonly openRecordingSession: RecordingOpener | undefined,
  ) {
    this.disposables.push(this.changeEmitter, this.noticeEmitter);
  }

  notice(level: 'info' | 'warning' | 'error', text: string): void {
    this.noticeEmitter.fire({ level, text });
  }

  settings(): HeapscopeSettings {
    const config = vscode.workspace.getConfiguration('heapscope');
    return readSettings((key) => config.get(key));
  }

  recordingRoot(): string {
    const chosen = this.settings().recordingFolder;
    if (chosen) return path.resolve(this.workspaceRoots()[0] ?? this.context.globalStorageUri.fsPath, chosen);
    return path.join(this.context.globalStorageUri.fsPath, 'recordings');
  }

  workspaceRoots(): string[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath);
  }

  async start(request: StartRequest): Promise<SessionEntry> {
    const settings = { ...this.settings(), ...request.overrides };
    this.warnIfRemote(request.target);
    const name = this.registry.uniqueName(request.name);
    const recordingDir = path.join(this.recordingRoot(), recordingFolderName(name));
    const session = this.createSession({
      target: request.target,
      metricsIntervalMs: settings.metricsIntervalMs,
      ...(settings.samplingIntervalBytes > 0
        ? { samplingIntervalBytes: settings.samplingIntervalBytes }
        : {}),
      allocationSampling: settings.allocationSamplingAtStart,
      holdersMaxHeapBytes: settings.holdersMaxHeapBytes,
      recordingDir,
      ...(this.workspaceRoots()[0] ? { projectRoot: this.workspaceRoots()[0] } : {}),
      log: (line) => this.output.info(`[${name}] ${line}`),
    });
    const entry = this.registry.add({
      id: session.id,
      name,
      origin: request.origin,
      session,
      readOnly: false,
      ...(request.debugSessionId ? { debugSessionId: request.debugSessionId } : {}),
    });
    this.wire(entry);
    this.output.info(`[${name}] starting (${describeTarget(request.target)}), recording to ${recordingDir}`);
    const starting = session.start();
    try {
      if (request.progress) {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Heapscope: connecting to ${name}…` },
          () => starting,
        );
      } else {
        await starting;
      }
    } catch (error) {
      this.output.error(`[${name}] could not start: ${describeError(error)}`);
      this.finish(entry);
      this.registry.remove(entry.id);
      throw error;
    }
    void this.prune();
    return entry;
  }

  /**
   * Stops a live session; resolves when the engine has written its report. The engine bounds its
   * own stop; past STOP_DEADLINE_MS (which it never needs) the session is abandoned all the same,
   * so the status bar and a launched target never outlive a stop.
   */
  async stop(id: string, reason = 'stopped by the user'): Promise<void> {
    const entry = this.registry.get(id);
    if (!entry || entry.ended || entry.readOnly || this.stopping.has(id)) return;
    this.stopping.add(id);
    this.output.info(`[${entry.name}] stop requested: ${reason}`);
    try {
      const report = await bounded(entry.session.stop(reason), STOP_DEADLINE_MS);
      this.output.info(
        `[${entry.name}] stopped after ${Math.round(report.durationSeconds)} s: ${report.verdict} (${report.reason})`,
      );
    } catch (error) {
      this.output.error(`[${entry.name}] stop: ${describeError(error)}; the session was abandoned.`);
      entry.session.abandon();
    } finally {
      this.stopping.delete(id);
    }
    this.finish(entry);
  }

  async stopAll(reason: string): Promise<void> {
    await Promise.all(this.registry.live.map((e) => this.stop(e.id, reason)));
  }

  /** Kills what live sessions launched, synchronously (the extension host is going away). */
  abandonAll(): void {
    for (const entry of this.registry.live) entry.session.abandon();
  }

  /**
   * Takes the holder snapshots of a session, when asked: a progress notification that says what it
   * costs and can be cancelled.
   */
  async nameHolders(entry: SessionEntry): Promise<void> {
    const session = entry.session;
    const heapUsed = session.samples.at(-1)?.heapUsedBytes ?? 0;
    const pause = Math.max(1, Math.round(snapshotPauseSeconds(heapUsed)));
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Heapscope: naming what holds the leak in ${entry.name} (${holderSnapshotCount(heapUsed)} heap snapshots; the target pauses about ${pause} s for each)`,
        cancellable: true,
      },
      (progress, token) => {
        const cancel = new AbortController();
        token.onCancellationRequested(() => cancel.abort());
        return session.nameHolders({
          signal: cancel.signal,
          onStep: (step) => progress.report({ message: step }),
        });
      },
    );
    this.output.info(
      `[${entry.name}] holders: ${outcome.kind}${'reason' in outcome ? ` (${outcome.reason})` : ''}`,
    );
    if (outcome.kind === 'named') {
      this.notice('info', `Holders named for ${outcome.suspects} suspect(s).`);
      void vscode.window.showInformationMessage(
        `Heapscope: ${entry.name}: holders named for ${outcome.suspects} suspect(s); see the live view and the CodeLens.`,
      );
    } else if (outcome.kind === 'cancelled') {
      void vscode.window.showInformationMessage(`Heapscope: naming holders stopped: ${outcome.reason}.`);
    } else {
      void vscode.window.showWarningMessage(`Heapscope: holders not named: ${outcome.reason}.`);
    }
  }

  /** Reopens a recording read-only in the same views. */
  async openRecording(dir: string): Promise<SessionEntry> {
    if (!this.openRecordingSession) {
      throw new HeapscopeError('usage', 'This build of Heapscope cannot reopen recordings yet.');
    }
    const open = this.openRecordingSession;
    const session = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Heapscope: opening recording ${path.basename(dir)}…`,
      },
      () => open(dir),
    );
    // A recording keeps its session's id; the live session (or an earlier reopening) may still be listed.
    const id = this.registry.get(session.id) ? `${session.id}:${Date.now().toString(36)}` : session.id;
    const entry = this.registry.add({
      id,
      name: `${path.basename(dir)} (recording)`,
      origin: 'recording',
      session,
      readOnly: true,
    });
    this.registry.markEnded(entry.id);
    this.changeEmitter.fire({ entry, what: 'status' });
    return entry;
  }

  /** The session a command acts on: the one the views show when live, else ask. */
  async pickLive(action: string): Promise<SessionEntry | undefined> {
    const live = this.registry.live;
    const current = this.registry.current;
    if (current && !current.ended && !current.readOnly && action !== 'stop') return current;
    if (live.length === 0) {
      void vscode.window.showInformationMessage(
        'Heapscope: no memory session is running. Start one with "Heapscope: Start memory session".',
      );
      return undefined;
    }
    if (live.length === 1) return live[0];
    const picked = await vscode.window.showQuickPick(
      live.map((e) => ({ label: e.name, description: statusBarText(summary(e)), id: e.id })),
      { title: `Heapscope: ${action} which session?` },
    );
    return picked ? this.registry.get(picked.id) : undefined;
  }

  private wire(entry: SessionEntry): void {
    const session = entry.session;
    const item = vscode.window.createStatusBarItem(
      `heapscope.session.${entry.id}`,
      vscode.StatusBarAlignment.Left,
      50,
    );
    item.name = `Heapscope: ${entry.name}`;
    item.command = { command: 'heapscope.showView', title: 'Show', arguments: [entry.id] };
    this.statusItems.set(entry.id, item);
    this.notified.set(entry.id, { heapNotified: false });
    this.verdictNotifiers.set(entry.id, new VerdictNotifier());
    const refresh = (): void => {
      item.text = statusBarText(summary(entry));
      item.tooltip = tooltip(entry);
      item.backgroundColor =
        session.verdict?.verdict === 'leak'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    };
    refresh();
    item.show();
    const fire = (what: string) => () => this.changeEmitter.fire({ entry, what });
    session.on('sample', (sample) => {
      refresh();
      this.notify(entry, { heapUsedBytes: sample.heapUsedBytes });
      fire('sample')();
    });
    session.on('gc', fire('gc'));
    session.on('profile', fire('profile'));
    session.on('verdict', () => {
      refresh();
      this.notify(entry, {});
      fire('verdict')();
    });
    session.on('suspects', fire('suspects'));
    session.on('status', (status) => {
      refresh();
      if (status.message) this.output.info(`[${entry.name}] ${status.state}: ${status.message}`);
      if (ENDED.has(status.state)) {
        // A failed start is reported by start()'s caller; this is for sessions that were observing.
        if (status.state !== 'stopped' && session.samples.length > 0 && !entry.ended) {
          void vscode.window.showWarningMessage(
            `Heapscope: ${entry.name}: ${status.message ?? status.state}. What was seen is kept in the recording.`,
          );
        }
        this.finish(entry);
      }
      fire('status')();
    });
  }

  private notify(entry: SessionEntry, figures: { heapUsedBytes?: number }): void {
    const state = this.notified.get(entry.id);
    if (!state) return;
    const leak = this.verdictNotifiers
      .get(entry.id)
      ?.observe(entry.session.verdict, entry.session.samples, this.settings().notifyGrowthBytesPerMinute);
    if (leak) void this.offerActions(`Heapscope: ${entry.name} ${leak}`, entry);
    if (notificationsDue(this.settings(), state, figures).includes('heap')) {
      state.heapNotified = true;
      void this.offerActions(
        `Heapscope: ${entry.name} uses ${formatBytes(figures.heapUsedBytes ?? 0)} of JS heap, over the ${formatBytes(this.settings().notifyHeapUsedBytes)} threshold.`,
        entry,
      );
    }
  }

  private async offerActions(message: string, entry: SessionEntry): Promise<void> {
    const leak = entry.session.verdict?.verdict === 'leak';
    const session = entry.session;
    const armable =
      leak &&
      session.armHeapSnapshotNearLimit !== undefined &&
      oomArmOffer(session.target, session.samples[session.samples.length - 1]).available;
    const choices = [
      'Show',
      ...(leak ? ['Name holders'] : []),
      'Take heap snapshot',
      ...(armable ? [ARM_OOM_CHOICE] : []),
    ];
    const choice = await vscode.window.showWarningMessage(message, ...choices);
    if (choice === ARM_OOM_CHOICE) await vscode.commands.executeCommand(ARM_OOM_COMMAND, entry.id);
    if (choice === 'Show') await vscode.commands.executeCommand('heapscope.showView', entry.id);
    if (choice === 'Name holders') await vscode.commands.executeCommand('heapscope.nameHolders', entry.id);
    if (choice === 'Take heap snapshot')
      await vscode.commands.executeCommand('heapscope.takeHeapSnapshot', entry.id);
  }

  /** The session ended (stopped, target gone, or failed to start): its status bar item goes. */
  private finish(entry: SessionEntry): void {
    if (entry.ended) return;
    this.registry.markEnded(entry.id);
    this.statusItems.get(entry.id)?.dispose();
    this.statusItems.delete(entry.id);
    this.notified.delete(entry.id);
    this.verdictNotifiers.delete(entry.id);
    this.changeEmitter.fire({ entry, what: 'ended' });
    const ended = this.registry.all.filter((e) => e.ended && e.id !== this.registry.current?.id);
    for (const old of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_SESSIONS)))
      this.registry.remove(old.id);
  }

  private warnIfRemote(target: TargetSpec): void {
    const address =
      target.kind === 'attach' ? target.address : target.kind === 'cdp' ? target.options.target : undefined;
    if (address && !isLoopbackAddress(address)) {
      const message = `Heapscope: ${address} is not on this machine. An inspector reachable over the network lets anyone who reaches it run code in that process; prefer an SSH tunnel or kubectl port-forward to 127.0.0.1.`;
      this.output.warn(message);
      void vscode.window.showWarningMessage(message);
    }
  }

  private async prune(): Promise<void> {
    const keep = new Set(
      this.registry.all
        .map((e) => e.session.recordingDir)
        .filter((d): d is string => Boolean(d))
        .map((d) => path.resolve(d)),
    );
    const removed = await pruneRecordings(this.recordingRoot(), this.settings().recordingRetentionDays, keep);
    for (const dir of removed)
      this.output.info(`removed old recording ${dir} (heapscope.recording.retentionDays)`);
  }

  dispose(): void {
    for (const item of this.statusItems.values()) item.dispose();
    this.statusItems.clear();
    for (const d of this.disposables) d.dispose();
  }
}

export function summary(entry: SessionEntry): Parameters<typeof statusBarText>[0] {
  const last = entry.session.samples.at(-1);
  return {
    name: entry.name,
    state: entry.session.status.state,
    ...(entry.session.verdict ? { verdict: entry.session.verdict } : {}),
    ...(last ? { heapUsedBytes: last.heapUsedBytes } : {}),
  };
}

function tooltip(entry: SessionEntry): vscode.MarkdownString {
  const s = entry.session;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**Heapscope · ${escape(entry.name)}**\n\n`);
  md.appendMarkdown(`${s.status.state}${s.status.message ? `: ${escape(s.status.message)}` : ''}\n\n`);
  if (s.verdict) md.appendMarkdown(`${escape(s.verdict.reason)}\n\n`);
  md.appendMarkdown(
    `${s.samples.length} samples · ${s.gcEvents.length} GCs · ${s.suspects.length} suspects\n\n`,
  );
  md.appendMarkdown('Click to show the live view.');
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function describeTarget(target: TargetSpec): string {
  switch (target.kind) {
    case 'launch':
      return `launch ${redactArgs([target.command, ...target.args]).join(' ')}`;
    case 'attach':
      return `attach ${target.address}`;
    case 'pid':
      return `pid ${target.pid}`;
    case 'cdp':
      return `js-debug CDP proxy${target.title ? ` for ${target.title}` : ''}`;
    case 'k8s':
      return `pod ${target.namespace}/${target.pod}${target.container ? `/${target.container}` : ''}`;
  }
}
