// What the toolbar buttons, the palette commands and the webview's intents do to a session: force GC,
// heap snapshot, allocation sampling, exports, open source. All through the engine's MemorySession.
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, isHeapscopeError } from '../core/errors';
import { CONFIRM_SNAPSHOT_HEAP_BYTES } from '../core/session/api';
import type { SessionController } from './controller';
import { formatBytes } from './format';
import { scriptUrlToPath, sourceOpenAllowed } from './locations';
import { recordingToJson, samplesToCsv } from './recordings';
import { openSource as openFoundSource } from './sourceOpener';
import type { SessionEntry } from './sessionRegistry';

export class SessionActions {
  constructor(
    private readonly controller: SessionController,
    private readonly context: vscode.ExtensionContext,
  ) {}

  private async resolve(
    entryOrId: SessionEntry | string | undefined,
    action: string,
    live = true,
  ): Promise<SessionEntry | undefined> {
    const entry = typeof entryOrId === 'string' ? this.controller.registry.get(entryOrId) : entryOrId;
    if (entry && (!live || (!entry.ended && !entry.readOnly))) return entry;
    if (!live) return this.controller.registry.current;
    return this.controller.pickLive(action);
  }

  async forceGc(target?: SessionEntry | string): Promise<void> {
    const entry = await this.resolve(target, 'force GC in');
    if (!entry) return;
    await entry.session.forceGc();
    this.controller.output.info(`[${entry.name}] forced a garbage collection`);
  }

  async toggleSampling(target?: SessionEntry | string, on?: boolean): Promise<void> {
    const entry = await this.resolve(target, 'toggle allocation sampling in');
    if (!entry) return;
    const next = on ?? !entry.session.allocationSampling;
    await entry.session.setAllocationSampling(next);
    this.controller.output.info(`[${entry.name}] allocation sampling ${next ? 'on' : 'off'}`);
    void vscode.window.setStatusBarMessage(
      `Heapscope: allocation sampling ${next ? 'on' : 'off'} for ${entry.name}`,
      3000,
    );
  }

  /** Streams a snapshot into the session's recording folder (or storage), with cancellable progress. */
  async takeSnapshot(target?: SessionEntry | string): Promise<string | undefined> {
    const entry = await this.resolve(target, 'take a heap snapshot of');
    if (!entry) return undefined;
    // A big heap stops the target for a long time and V8 needs memory of the order of the heap again
    // while it writes: ask first above CONFIRM_SNAPSHOT_HEAP_BYTES, and always when a pod's
    // container could cross its memory limit (an OOM kill).
    const risk = await entry.session.snapshotRisk().catch(() => undefined);
    if (risk && (risk.crossesLimit || risk.heapUsedBytes > CONFIRM_SNAPSHOT_HEAP_BYTES)) {
      const take = 'Take heap snapshot';
      const cost =
        `a heap snapshot stops its JavaScript for about ${Math.max(1, Math.round(risk.pauseSeconds))} s and ` +
        `needs about ${formatBytes(risk.extraMemoryBytes)} more memory while V8 writes it`;
      const message = risk.crossesLimit
        ? `${entry.name}'s container uses ${formatBytes(risk.currentBytes ?? 0)} of its ${formatBytes(risk.limitBytes ?? 0)} memory limit and its JS heap holds ${formatBytes(risk.heapUsedBytes)}: ${cost}, which could push it over the limit (the pod would be OOM-killed).`
        : `The JS heap of ${entry.name} holds ${formatBytes(risk.heapUsedBytes)}: ${cost}, and writes a file larger than the heap.`;
      const choice = await vscode.window.showWarningMessage(message, { modal: true }, take);
      if (choice !== take) return undefined;
    }
    const dir = entry.session.recordingDir
      ? path.join(entry.session.recordingDir, 'snapshots')
      : path.join(this.context.globalStorageUri.fsPath, 'snapshots');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.heapsnapshot`);
    try {
      const written = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Heapscope: taking heap snapshot of ${entry.name} — target paused`,
          cancellable: true,
        },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let lastPercent = 0;
          return entry.session.takeHeapSnapshot(file, {
            signal: abort.signal,
            onProgress: (p) => {
              const percent = p.total ? Math.floor((100 * (p.done ?? 0)) / p.total) : undefined;
              const increment = percent !== undefined ? Math.max(0, percent - lastPercent) : undefined;
              if (percent !== undefined) lastPercent = percent;
              progress.report({
                message: `${formatBytes(p.writtenBytes)} written`,
                ...(increment ? { increment } : {}),
              });
            },
          });
        },
      );
      this.controller.output.info(`[${entry.name}] heap snapshot written to ${written}`);
      this.controller.notice('info', `Heap snapshot written to ${written}`);
      void this.afterSnapshot(written);
      return written;
    } catch (error) {
      if (isHeapscopeError(error, 'cancelled')) {
        void vscode.window.showInformationMessage('Heapscope: heap snapshot cancelled.');
        return undefined;
      }
      throw error;
    }
  }

  private async afterSnapshot(file: string): Promise<void> {
    // The snapshot summary/diff view (heap snapshot work) registers this command when it exists.
    const commands = await vscode.commands.getCommands(true);
    const actions = [
      'Reveal in file explorer',
      ...(commands.includes('heapscope.openSnapshot') ? ['Open in explorer'] : []),
    ];
    const choice = await vscode.window.showInformationMessage(
      `Heapscope: heap snapshot saved (${path.basename(file)}).`,
      ...actions,
    );
    if (choice === 'Open in explorer')
      await vscode.commands.executeCommand('heapscope.openSnapshot', vscode.Uri.file(file));
    if (choice === 'Reveal in file explorer')
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file));
  }

  /** Export the recording as CSV or JSON, or the last sampling profile as .heapprofile. */
  async export(target?: SessionEntry | string, format?: 'csv' | 'json' | 'heapprofile'): Promise<void> {
    const entry = await this.resolve(target, 'export', false);
    if (!entry) {
      void vscode.window.showInformationMessage('Heapscope: no session to export.');
      return;
    }
    const chosen =
      format ??
      (
        await vscode.window.showQuickPick(
          [
            {
              label: 'CSV',
              description: 'memory samples and GC events, one row each',
              format: 'csv' as const,
            },
            { label: 'JSON', description: 'report, samples and GC events', format: 'json' as const },
            ...(!entry.readOnly && !entry.ended
              ? [
                  {
                    label: '.heapprofile',
                    description: 'last sampling heap profile (DevTools, js-profile-visualizer)',
                    format: 'heapprofile' as const,
                  },
                ]
              : []),
          ],
          { title: `Heapscope: export ${entry.name}` },
        )
      )?.format;
    if (!chosen) return;
    const base = `${entry.name.replace(/[^\w.-]+/g, '-')}-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}`;
    const folder =
      vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.context.globalStorageUri.fsPath);
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, `${base}.${chosen}`),
      filters: { [chosen.toUpperCase()]: [chosen] },
    });
    if (!uri) return;
    const file = uri.fsPath;
    const s = entry.session;
    if (chosen === 'heapprofile') {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Heapscope: exporting the sampling profile of ${entry.name}…`,
        },
        () => s.exportHeapProfile(file),
      );
    } else if (chosen === 'csv') await fs.writeFile(file, samplesToCsv(s.samples, s.gcEvents));
    else await fs.writeFile(file, recordingToJson(s.report(), s.samples, s.gcEvents));
    this.controller.output.info(`[${entry.name}] exported ${chosen} to ${file}`);
    const open = await vscode.window.showInformationMessage(
      `Heapscope: exported to ${path.basename(file)}.`,
      'Open',
    );
    if (open) await vscode.commands.executeCommand('vscode.open', uri);
  }

  /**
   * Opens a script URL at a 1-based line (suspect rows, stack frames): a file of the workspace, or
   * one the session reported (`reported`); anything else the webview asks for is refused.
   */
  async openSource(
    url: string,
    line: number,
    column = 1,
    reported: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    const roots = this.controller.workspaceRoots();
    const file = scriptUrlToPath(url, roots, existsSync);
    // Not here: Node's own code, eval'd code, or a file from elsewhere (a pod's /app/src/server.js)
    // whose workspace copy has the same path tail. Only workspace files are searched.
    if (!file || !existsSync(file)) return openFoundSource(url, line, column, { viewColumn: sourceColumn() });
    if (!sourceOpenAllowed(url, file, roots, reported, realpathSync)) {
      void vscode.window.showWarningMessage(
        `Heapscope: not opening ${file}: it is outside the workspace and not a source this session reported.`,
      );
      return;
    }
    const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(file), {
      selection: new vscode.Range(position, position),
      preview: true,
      viewColumn: sourceColumn(),
    });
  }

  async report(error: unknown): Promise<void> {
    void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
  }
}

/**
 * Where a source opened from the live view goes: next to an editor already showing code, never on top
 * of the live panel itself (clicking a suspect in the panel would otherwise hide the chart).
 */
function sourceColumn(): vscode.ViewColumn {
  const codeColumn = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined)?.viewColumn;
  if (codeColumn !== undefined) return codeColumn;
  const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab;
  return activeTab?.input instanceof vscode.TabInputWebview
    ? vscode.ViewColumn.Beside
    : vscode.ViewColumn.Active;
}
