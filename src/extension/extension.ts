// VS Code entry point. Everything here is a face over src/core; no analysis lives in this folder.
// Activation: the contributed commands and view (implicit), a Node debug session (onDebugResolve for
// js-debug's types), or the heapscope debug type.
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { bounded } from '../core/inspector/cdp';
import { SessionActions } from './actions';
import { SuspectLenses } from './codeLens';
import { SessionController } from './controller';
import { DebugFollower } from './debugFollower';
import { registerHeapscopeDebugType } from './debugType';
import { registerLanguageModelTools } from './lmTools';
import { registerOomArm } from './oomArmCommand';
import { E2eStateWriter } from './e2eState';
import { createMemorySession, discovery, openRecording } from './engine';
import { registerSnapshotView } from './snapshotView';
import { registerSuspectObjects, SHOW_SUSPECT_OBJECTS } from './explorer/suspectObjects';
import { registerLiveFlameGraph } from './explorer/liveFlame';
import { StartCommand, type StartArgument } from './startCommand';
import { processPicks } from './targetPicks';
import { pickPodTarget } from './k8s';
import { reportedSourceUrls } from './locations';
import { redactedOutput } from './redactedOutput';
import { registerPrometheus } from './prometheus';
import { sessionMatchesRef } from './prometheus/liveMatch';
import { WebviewHost } from './webviewHost';

let controller: SessionController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = redactedOutput(vscode.window.createOutputChannel('Heapscope', { log: true }));
  context.subscriptions.push(output);
  const ctl = new SessionController(context, output, createMemorySession, openRecording);
  controller = ctl;
  context.subscriptions.push(ctl);

  const follower = new DebugFollower(ctl);
  const lenses = new SuspectLenses(ctl);
  const actions = new SessionActions(ctl, context);
  const start = new StartCommand(ctl, follower, discovery, async () => {
    const pod = await pickPodTarget();
    return pod ? { kind: 'k8s', ...pod } : undefined;
  });
  const host = new WebviewHost(context, ctl, async (intent, entry) => {
    const liveOnly =
      intent.kind === 'forceGc' || intent.kind === 'takeSnapshot' || intent.kind === 'toggleSampling';
    if (liveOnly && entry && (entry.ended || entry.readOnly)) {
      // Never act on another session than the one the view shows.
      void vscode.window.showInformationMessage(
        `Heapscope: ${entry.name} is not observing a process any more.`,
      );
      return;
    }
    switch (intent.kind) {
      case 'forceGc':
        return actions.forceGc(entry);
      case 'takeSnapshot':
        return void (await actions.takeSnapshot(entry));
      case 'toggleSampling':
        return actions.toggleSampling(entry, intent.on);
      case 'export':
        return actions.export(entry, intent.format);
      case 'openSource':
        return actions.openSource(
          intent.url,
          intent.line,
          intent.column,
          reportedSourceUrls(entry?.session.suspects ?? []),
        );
      case 'comparePrometheus':
        return void (await vscode.commands.executeCommand('heapscope.prometheus.showHistory', {
          pod: entry?.session.target.pod,
        }));
      case 'startSession':
        return start.run();
      case 'stopSession':
        return entry ? ctl.stop(entry.id) : undefined;
      case 'showObjects':
        return entry
          ? void (await vscode.commands.executeCommand(SHOW_SUSPECT_OBJECTS, entry.id, intent.rank))
          : undefined;
      default:
        return undefined;
    }
  });
  context.subscriptions.push(follower, lenses, host);

  const e2e = new E2eStateWriter(process.env.HEAPSCOPE_E2E_STATE_FILE, () => ({
    entries: ctl.registry.all,
    lenses: lenses.lensState(),
  }));
  context.subscriptions.push(e2e);

  // Context keys for menus: title-bar buttons appear only when they can act.
  const updateContext = (): void => {
    void vscode.commands.executeCommand(
      'setContext',
      'heapscope.hasLiveSession',
      ctl.registry.live.length > 0,
    );
    void vscode.commands.executeCommand('setContext', 'heapscope.hasSession', ctl.registry.all.length > 0);
  };
  updateContext();
  context.subscriptions.push(
    ctl.onDidChange(({ what }) => {
      if (what === 'status' || what === 'ended') updateContext();
      e2e.write(what === 'ended' ? 'stopped' : 'state');
    }),
  );
  ctl.registry.on('added', () => {
    updateContext();
    e2e.write('started');
  });
  ctl.registry.on('removed', updateContext);

  const guarded =
    <A extends unknown[]>(fn: (...args: A) => Promise<unknown> | unknown) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (error) {
        output.error(describeError(error));
        void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
      }
    };
  const entryArg = (arg: unknown): string | undefined => (typeof arg === 'string' ? arg : undefined);

  context.subscriptions.push(
    vscode.commands.registerCommand(
      'heapscope.startSession',
      guarded((arg?: StartArgument) => start.run(arg)),
    ),
    vscode.commands.registerCommand(
      'heapscope.stopSession',
      guarded(async (arg?: unknown) => {
        const id = entryArg(arg) ?? (await ctl.pickLive('stop'))?.id;
        if (id) await ctl.stop(id);
      }),
    ),
    vscode.commands.registerCommand(
      'heapscope.showView',
      guarded(async (arg?: unknown) => {
        const id = entryArg(arg);
        if (id) ctl.registry.setCurrent(id);
        await host.show();
      }),
    ),
    vscode.commands.registerCommand(
      'heapscope.openPanel',
      guarded(() => host.openPanel()),
    ),
    vscode.commands.registerCommand(
      'heapscope.nameHolders',
      guarded(async (arg?: unknown) => {
        const id = entryArg(arg);
        const entry = (id ? ctl.registry.get(id) : undefined) ?? (await ctl.pickLive('name holders in'));
        if (entry && !entry.ended && !entry.readOnly) await ctl.nameHolders(entry);
      }),
    ),
    vscode.commands.registerCommand(
      'heapscope.forceGc',
      guarded((arg?: unknown) => actions.forceGc(entryArg(arg))),
    ),
    vscode.commands.registerCommand(
      'heapscope.takeHeapSnapshot',
      guarded((arg?: unknown) => actions.takeSnapshot(entryArg(arg))),
    ),
    vscode.commands.registerCommand(
      'heapscope.toggleAllocationSampling',
      guarded((arg?: unknown) => actions.toggleSampling(entryArg(arg))),
    ),
    vscode.commands.registerCommand(
      'heapscope.exportRecording',
      guarded((arg?: unknown) => actions.export(entryArg(arg))),
    ),
    vscode.commands.registerCommand(
      'heapscope.exportHeapProfile',
      guarded((arg?: unknown) => actions.export(entryArg(arg), 'heapprofile')),
    ),
    vscode.commands.registerCommand(
      'heapscope.openRecording',
      guarded(async (arg?: unknown) => {
        let dir = entryArg(arg);
        if (!dir) {
          const picked = await vscode.window.showOpenDialog({
            title: 'Heapscope: open a recording (its folder)',
            canSelectFiles: false,
            canSelectFolders: true,
            defaultUri: vscode.Uri.file(ctl.recordingRoot()),
          });
          dir = picked?.[0]?.fsPath;
        }
        if (!dir) return;
        const entry = await ctl.openRecording(dir);
        ctl.registry.setCurrent(entry.id);
        await host.show();
      }),
    ),
    vscode.commands.registerCommand(
      'heapscope.showSuspect',
      guarded((sessionId: string, rank: number) => lenses.showSuspect(sessionId, rank)),
    ),
    vscode.commands.registerCommand('heapscope.pickProcess', () => pickProcess()),
  );

  registerHeapscopeDebugType(context, ctl);
  registerSnapshotView(context);
  registerSuspectObjects(context, ctl, actions);
  registerLanguageModelTools(context, ctl, output);
  registerOomArm(context, ctl);
  registerLiveFlameGraph(context, () => ctl.registry.current);
  registerPrometheus(context, {
    currentPod: () => ctl.registry.current?.session.target.pod,
    // History and a live session on the same pod: the history view marks the session's start and
    // shows its current figures; the live chart stays minutes wide (see docs/prometheus.md).
    live: (ref) => {
      const entry = ctl.registry.live.find((e) => sessionMatchesRef(e.session.target.pod, ref));
      if (!entry) return null;
      const s = entry.session;
      const last = s.samples[s.samples.length - 1];
      return {
        sessionName: entry.name,
        startedAtMs: entry.startedAtMs,
        state: s.status.state,
        ...(last
          ? { sampleTimeMs: last.timeMs, heapUsedBytes: last.heapUsedBytes, rssBytes: last.rssBytes }
          : {}),
        ...(s.verdict
          ? { verdict: s.verdict.verdict, heapBytesPerMinute: s.verdict.growth.heapBytesPerMinute }
          : {}),
      };
    },
    onLiveChange: ctl.onDidChange,
  });
  e2e.write('activated');

  /** `${command:pickProcess}` in launch.json: the user's Node processes, the editor's behind an entry. */
  async function pickProcess(): Promise<string | undefined> {
    const abort = new AbortController();
    const processes = await discovery.listNodeProcesses(abort.signal).catch(() => []);
    let showAll = false;
    for (;;) {
      const { picks, hidden } = processPicks(processes, { showAll, selfPid: process.pid });
      const items: Array<vscode.QuickPickItem & { pid?: number }> = picks.map((p) => ({
        label: p.label,
        description: 'description' in p ? p.description : undefined,
        detail: 'detail' in p ? p.detail : undefined,
        pid: p.kind === 'process' && p.target.kind === 'pid' ? p.target.pid : undefined,
      }));
      if (hidden) items.push({ label: '$(eye) Show all Node processes', description: `${hidden} hidden` });
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Heapscope: pick a Node process (its inspector is woken with SIGUSR1)',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked) return undefined;
      if (picked.pid !== undefined) return String(picked.pid);
      showAll = true;
    }
  }
}

/** VS Code gives deactivate a few seconds; the stops are bounded well within them. */
const DEACTIVATE_DEADLINE_MS = 3000;

export async function deactivate(): Promise<void> {
  // Stop what we launched and close inspector connections; recordings are already on disk. Whatever
  // has not stopped by the deadline is killed: no process of ours outlives the extension host.
  const ctl = controller;
  controller = undefined;
  if (!ctl) return;
  await bounded(ctl.stopAll('VS Code is closing'), DEACTIVATE_DEADLINE_MS).catch(() => undefined);
  ctl.abandonAll();
}
