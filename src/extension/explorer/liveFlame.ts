// "Show live allocation flame graph": the current session's sampling heap profile written to a
// `.heapprofile` beside its recording (or in the extension's storage) every few seconds while the
// flame graph of that file is open; the editor follows the file. Closing the editor, or the session
// ending, stops the writes.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { LiveProfileExport } from '../../core/heapprofile/liveExport';
import type { SessionEntry } from '../sessionRegistry';
import { FLAME_VIEW_TYPE, setLiveSource } from './flameEditor';

/** How often the live profile is read and written (the session reads it every few seconds too). */
const REFRESH_MS = 5_000;

function isShowing(file: string): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.uri.fsPath === file),
  );
}

export function registerLiveFlameGraph(
  context: vscode.ExtensionContext,
  currentSession: () => SessionEntry | undefined,
): void {
  const running = new Map<string, LiveProfileExport>();
  const show = async (): Promise<void> => {
    const entry = currentSession();
    if (!entry || entry.readOnly || entry.ended) {
      void vscode.window.showWarningMessage(
        'Heapscope: the live allocation flame graph needs a running session with allocation sampling on.',
      );
      return;
    }
    const dir = entry.session.recordingDir ?? context.globalStorageUri.fsPath;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'allocations-live.heapprofile');
    let live = running.get(file);
    if (!live?.running) {
      live = new LiveProfileExport(
        (target) => entry.session.exportHeapProfile(target),
        file,
        REFRESH_MS,
        (error) => {
          running.delete(file);
          setLiveSource(file, undefined);
          void vscode.window.showInformationMessage(
            `Heapscope: the live flame graph of ${entry.name} stopped updating: ${describeError(error)}`,
          );
        },
      );
      try {
        await live.start();
      } catch (error) {
        void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
        return;
      }
      running.set(file, live);
      setLiveSource(file, {
        // The session's suspects: allocation sites whose live bytes grow.
        growth: () =>
          entry.session.suspects.map((suspect) => ({
            functionName: suspect.functionName,
            url: suspect.url,
            line: suspect.line,
            column: suspect.column,
            bytesPerMinute: suspect.growthBytesPerMinute,
          })),
        resolveFrame: (frame) => entry.session.resolveFrame(frame),
        originalSource: (frame, url) => entry.session.originalSource(frame, url),
      });
    }
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), FLAME_VIEW_TYPE);
  };
  const tabs = vscode.window.tabGroups.onDidChangeTabs(() => {
    for (const [file, live] of running)
      if (!isShowing(file)) {
        live.stop();
        running.delete(file);
        setLiveSource(file, undefined);
      }
  });
  context.subscriptions.push(vscode.commands.registerCommand('heapscope.showLiveFlameGraph', show), tabs, {
    dispose: () => {
      for (const live of running.values()) live.stop();
      running.clear();
    },
  });
}
