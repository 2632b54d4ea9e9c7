// A suspect's objects in the snapshot explorer: the live view's "objects" link and a holder's
// CodeLens open the session's latest heap snapshot on the class the suspect keeps (a holder: on
// the largest of those objects, its retainer path open). No snapshot yet: offers to take one.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionActions } from '../actions';
import type { SessionController } from '../controller';
import type { SessionEntry } from '../sessionRegistry';
import { suspectFocus } from './suspectFocus';

export const SHOW_SUSPECT_OBJECTS = 'heapscope.showSuspectObjects';

/** The newest .heapsnapshot in the session's recording folder, or the last one this window took. */
async function latestSnapshot(
  entry: SessionEntry,
  taken: ReadonlyMap<string, string>,
): Promise<string | undefined> {
  const candidates: Array<{ file: string; mtimeMs: number }> = [];
  const known = taken.get(entry.id);
  if (known) {
    const stat = await fs.stat(known).catch(() => undefined);
    if (stat) candidates.push({ file: known, mtimeMs: stat.mtimeMs });
  }
  const dir = entry.session.recordingDir ? path.join(entry.session.recordingDir, 'snapshots') : undefined;
  const names = dir ? await fs.readdir(dir).catch(() => [] as string[]) : [];
  for (const name of names) {
    if (!name.endsWith('.heapsnapshot')) continue;
    const file = path.join(dir!, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isFile()) candidates.push({ file, mtimeMs: stat.mtimeMs });
  }
  candidates.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return candidates[0]?.file;
}

export function registerSuspectObjects(
  context: vscode.ExtensionContext,
  controller: SessionController,
  actions: SessionActions,
): void {
  /** Snapshots taken from here, by session (those of a session without a recording folder too). */
  const taken = new Map<string, string>();
  const show = async (sessionId: unknown, rank: unknown, mode?: unknown): Promise<void> => {
    const entry = typeof sessionId === 'string' ? controller.registry.get(sessionId) : undefined;
    const suspect = entry?.session.suspects.find((s) => s.rank === rank);
    if (!entry || !suspect) {
      void vscode.window.showInformationMessage(
        'Heapscope: that suspect is gone (its session ended or it stopped growing).',
      );
      return;
    }
    const focus = suspectFocus(suspect, mode === 'holder');
    if (!focus) {
      void vscode.window.showInformationMessage(
        `Heapscope: suspect #${suspect.rank} is an anonymous function and no holder is named yet: its objects have no class to open on ("Name what holds it" first).`,
      );
      return;
    }
    let file = await latestSnapshot(entry, taken);
    if (!file) {
      if (entry.ended || entry.readOnly) {
        void vscode.window.showInformationMessage(
          `Heapscope: ${entry.name} has no heap snapshot, and it is not running any more to take one.`,
        );
        return;
      }
      const take = 'Take heap snapshot';
      const choice = await vscode.window.showInformationMessage(
        `Heapscope: ${entry.name} has no heap snapshot yet. Take one to see its ${focus.className} objects? (the target pauses while V8 writes it)`,
        take,
      );
      if (choice !== take) return;
      file = await actions.takeSnapshot(entry);
      if (!file) return;
      taken.set(entry.id, file);
    }
    await vscode.commands.executeCommand('heapscope.openSnapshotExplorer', vscode.Uri.file(file), focus);
  };
  context.subscriptions.push(vscode.commands.registerCommand(SHOW_SUSPECT_OBJECTS, show));
}
