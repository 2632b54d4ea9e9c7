// "Heapscope: Start memory session": a quick pick that fills in live with inspectors listening on this
// machine, running Node processes, Node debug sessions, and ways to launch or enter a target.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { TargetSpec } from '../core/session/api';
import type { SessionController } from './controller';
import type { DebugFollower } from './debugFollower';
import { debugSessionLabel, type DebugSessionLike } from './debugSessions';
import {
  buildTargetPicks,
  npmScripts,
  SIGUSR1_WARNING,
  validateInspectorAddress,
  type ListeningInspector,
  type NodeProcessInfo,
  type TargetPick,
} from './targetPicks';

/** What the quick pick needs from the engine's discovery (src/core/inspector). */
export interface TargetDiscovery {
  listInspectors(signal: AbortSignal): Promise<ListeningInspector[]>;
  listNodeProcesses(signal: AbortSignal): Promise<NodeProcessInfo[]>;
}

/** Kubernetes pod picker (src/extension/k8s); returns undefined when the user cancels. */
export type PodPicker = () => Promise<TargetSpec | undefined>;

type Item = vscode.QuickPickItem & { pick: TargetPick };

/** An argument to heapscope.startSession that skips the picker (tests, other extensions, keybindings). */
export type StartArgument = TargetSpec & { name?: string };

export class StartCommand {
  constructor(
    private readonly controller: SessionController,
    private readonly follower: DebugFollower,
    private readonly discovery: TargetDiscovery,
    private readonly pickPod: PodPicker | undefined,
  ) {}

  async run(argument?: StartArgument): Promise<void> {
    try {
      if (argument && typeof argument === 'object' && 'kind' in argument) {
        const { name, ...target } = argument;
        await this.startTarget(target as TargetSpec, name);
        return;
      }
      const pick = await this.pickTarget();
      if (pick) await this.handle(pick);
    } catch (error) {
      void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
    }
  }

  private async startTarget(target: TargetSpec, name?: string): Promise<void> {
    await this.controller.start({
      target,
      name: name ?? defaultName(target),
      origin: 'command',
      progress: true,
    });
    await vscode.commands.executeCommand('heapscope.showView');
  }

  /** The live quick pick: static entries at once, discovered targets as they are found (every 2 s). */
  private pickTarget(): Promise<TargetPick | undefined> {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Heapscope: Start memory session';
    qp.placeholder = 'Choose a Node process, an inspector, a debug session, or launch a script';
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    const abort = new AbortController();
    let inspectors: ListeningInspector[] = [];
    let processes: NodeProcessInfo[] = [];
    let showAllProcesses = false;
    // The list is replaced only when its entries change: replacing it while the user presses Enter
    // would drop the accepted entry (the picker would stay open and do nothing).
    let shownKey = '';
    const render = (): void => {
      const active = qp.activeItems[0]?.pick;
      const picks = buildTargetPicks({
        inspectors,
        processes,
        debugSessions: this.follower.nodeSessions.map((s) => ({
          id: s.id,
          label: debugSessionLabel(s as DebugSessionLike),
        })),
        selfPid: process.pid,
        k8sAvailable: this.pickPod !== undefined,
        showAllProcesses,
      });
      const key = JSON.stringify(picks);
      if (key === shownKey) return;
      shownKey = key;
      qp.items = picks.map(toItem);
      // With a filter typed, VS Code activates the first entry that matches it; keeping the entry
      // active before could keep one the filter hides, and Enter would then accept nothing.
      const keep = !qp.value && active && qp.items.find((i) => i.pick.label === active.label);
      if (keep) qp.activeItems = [keep];
    };
    const scan = async (): Promise<void> => {
      qp.busy = true;
      const [found, procs] = await Promise.allSettled([
        this.discovery.listInspectors(abort.signal),
        this.discovery.listNodeProcesses(abort.signal),
      ]);
      if (abort.signal.aborted) return;
      if (found.status === 'fulfilled') inspectors = found.value;
      if (procs.status === 'fulfilled') processes = procs.value;
      qp.busy = false;
      render();
    };
    render();
    void scan();
    const timer = setInterval(() => void scan(), 2000);
    return new Promise<TargetPick | undefined>((resolve) => {
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0]?.pick;
        if (chosen?.kind === 'show-all-processes') {
          showAllProcesses = true;
          render();
          return;
        }
        if (chosen && chosen.kind !== 'separator') {
          resolve(chosen);
          qp.hide();
        }
      });
      qp.onDidHide(() => {
        resolve(undefined);
        clearInterval(timer);
        abort.abort();
        qp.dispose();
      });
      qp.show();
    });
  }

  private async handle(pick: TargetPick): Promise<void> {
    switch (pick.kind) {
      case 'inspector':
        return this.startTarget(pick.target, pick.label.replace(/^\$\([^)]*\)\s*/, ''));
      case 'process': {
        const go = await vscode.window.showWarningMessage(
          `Wake the inspector of pid ${pick.target.kind === 'pid' ? pick.target.pid : ''}?`,
          { modal: true, detail: SIGUSR1_WARNING },
          'Send SIGUSR1 and attach',
        );
        if (go)
          await this.startTarget(pick.target, `pid ${pick.target.kind === 'pid' ? pick.target.pid : ''}`);
        return;
      }
      case 'debug-session': {
        const session = this.follower.nodeSessions.find((s) => s.id === pick.debugSessionId);
        if (session) await this.follower.follow(session, true);
        return;
      }
      case 'launch-script':
        return this.launchScript();
      case 'launch-npm':
        return this.launchNpmScript();
      case 'k8s': {
        const target = await this.pickPod?.();
        if (target) await this.startTarget(target);
        return;
      }
      case 'url': {
        const address = await vscode.window.showInputBox({
          title: 'Heapscope: inspector address',
          prompt: 'ws://host:port/<id>, host:port, or a port on 127.0.0.1',
          placeHolder: '9229',
          validateInput: validateInspectorAddress,
          ignoreFocusOut: true,
        });
        if (address) await this.startTarget({ kind: 'attach', address: address.trim() });
        return;
      }
      case 'separator':
      case 'show-all-processes':
        return;
    }
  }

  private async launchScript(): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const defaultUri = active?.scheme === 'file' ? active : vscode.workspace.workspaceFolders?.[0]?.uri;
    const picked = await vscode.window.showOpenDialog({
      title: 'Heapscope: launch a script with the inspector on',
      canSelectMany: false,
      ...(defaultUri ? { defaultUri } : {}),
      filters: { 'JavaScript / TypeScript': ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'] },
    });
    const file = picked?.[0]?.fsPath;
    if (!file) return;
    const cwd = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
    if (/\.[cm]?ts$/.test(file)) {
      // TypeScript runs through the project's own tsx, which keeps source maps for the suspects.
      const tsx = path.join(cwd, 'node_modules', '.bin', 'tsx');
      if (!existsSync(tsx))
        throw new Error(
          `${path.basename(file)} is TypeScript and ${cwd} has no tsx (npm i -D tsx), or launch its compiled JavaScript.`,
        );
      await this.startTarget({ kind: 'launch', command: tsx, args: [file], cwd }, path.basename(file));
      return;
    }
    await this.startTarget({ kind: 'launch', command: 'node', args: [file], cwd }, path.basename(file));
  }

  private async launchNpmScript(): Promise<void> {
    const candidates: Array<vscode.QuickPickItem & { cwd: string; script: string }> = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = path.join(folder.uri.fsPath, 'package.json');
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        continue;
      }
      for (const s of npmScripts(text)) {
        candidates.push({
          label: s.name,
          description: folder.name,
          detail: s.command,
          cwd: folder.uri.fsPath,
          script: s.name,
        });
      }
    }
    if (!candidates.length) {
      void vscode.window.showInformationMessage(
        'Heapscope: no npm scripts in the workspace folders’ package.json.',
      );
      return;
    }
    const chosen = await vscode.window.showQuickPick(candidates, {
      title: 'Heapscope: run an npm script with the inspector on',
    });
    if (chosen) {
      await this.startTarget(
        { kind: 'launch', command: 'npm', args: ['run', chosen.script], cwd: chosen.cwd },
        `npm run ${chosen.script}`,
      );
    }
  }
}

function toItem(pick: TargetPick): Item {
  if (pick.kind === 'separator') return { label: pick.label, kind: vscode.QuickPickItemKind.Separator, pick };
  return {
    label: pick.label,
    description: pick.description,
    ...('detail' in pick && pick.detail ? { detail: pick.detail } : {}),
    pick,
  };
}

export function defaultName(target: TargetSpec): string {
  switch (target.kind) {
    case 'launch':
      return path.basename(target.args.find((a) => !a.startsWith('-')) ?? target.command);
    case 'attach':
      return target.address.replace(/^wss?:\/\//, '').replace(/\/.*$/, '');
    case 'pid':
      return `pid ${target.pid}`;
    case 'cdp':
      return target.title ?? 'debug session';
    case 'k8s':
      return `${target.pod}${target.container ? `/${target.container}` : ''}`;
  }
}
