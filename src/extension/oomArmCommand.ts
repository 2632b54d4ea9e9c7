// The "Arm a heap snapshot near the heap limit" command: says what it costs (oomArm.ts), asks where
// the file should go (the session's recording folder or one the user picks), arms the running
// target through the engine, and when the session ends moves the snapshot there (mode 0600).
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { SessionController } from './controller';
import { collectNearLimitSnapshots, oomArmOffer } from './oomArm';
import type { SessionEntry } from './sessionRegistry';

export const ARM_OOM_COMMAND = 'heapscope.armOomSnapshot';
export const ARM_OOM_CHOICE = 'Arm snapshot near heap limit…';

interface Armed {
  /** Where Node writes it: the target's own folder. */
  fromDir: string;
  /** Where the user wants it. */
  toDir: string;
  sinceMs: number;
  pid?: number;
}

export function registerOomArm(context: vscode.ExtensionContext, ctl: SessionController): void {
  const armed = new Map<string, Armed>();

  const arm = async (arg?: unknown): Promise<void> => {
    const id = typeof arg === 'string' ? arg : undefined;
    const entry = (id ? ctl.registry.get(id) : undefined) ?? (await ctl.pickLive('arm'));
    if (!entry || entry.ended || entry.readOnly) return;
    const session = entry.session;
    const offer = oomArmOffer(session.target, session.samples[session.samples.length - 1]);
    if (!offer.available || !session.armHeapSnapshotNearLimit) {
      void vscode.window.showWarningMessage(
        `Heapscope: ${entry.name} cannot be armed: ${offer.why ?? 'this session cannot run it'}.`,
      );
      return;
    }
    const yes = await vscode.window.showWarningMessage(
      `Heapscope: arm ${entry.name} to write a heap snapshot near its heap limit?`,
      { modal: true, detail: offer.cost },
      'Arm',
    );
    if (yes !== 'Arm') return;
    const toDir = await chooseFolder(session.recordingDir);
    if (!toDir) return;
    const fromDir = await session.armHeapSnapshotNearLimit();
    armed.set(entry.id, { fromDir, toDir, sinceMs: Date.now(), pid: session.target.pid });
    ctl.output.info(`[${entry.name}] armed for a heap snapshot near the heap limit (written to ${fromDir})`);
    void vscode.window.showInformationMessage(
      `Heapscope: ${entry.name} is armed. Near its heap limit it writes a heap snapshot to ${fromDir}; ` +
        `when the session ends, Heapscope moves it to ${toDir}. The process stays armed after the session stops.`,
    );
  };

  const collect = async (entry: SessionEntry): Promise<void> => {
    const plan = armed.get(entry.id);
    if (!plan) return;
    armed.delete(entry.id);
    const files = await collectNearLimitSnapshots(plan.fromDir, plan.toDir, plan.sinceMs, {
      pid: plan.pid,
      onError: (file, error) =>
        ctl.output.error(`[${entry.name}] could not move ${file}: ${describeError(error)}`),
    });
    if (files.length === 0) return;
    ctl.output.info(`[${entry.name}] heap snapshot written near the heap limit: ${files.join(', ')}`);
    const open = await vscode.window.showWarningMessage(
      `Heapscope: ${entry.name} wrote a heap snapshot near its heap limit: ${files[0]}`,
      'Open',
    );
    if (open === 'Open') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(files[0]));
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('heapscope.armOomSnapshot', async (arg?: unknown) => {
      try {
        await arm(arg);
      } catch (error) {
        ctl.output.error(describeError(error));
        void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
      }
    }),
    ctl.onDidChange(({ entry, what }) => {
      if (what === 'ended') void collect(entry);
    }),
  );
}

async function chooseFolder(recordingDir: string | undefined): Promise<string | undefined> {
  const pick = 'Choose a folder…';
  const recording = 'Recording folder';
  const choice = recordingDir
    ? await vscode.window.showQuickPick(
        [
          { label: recording, description: recordingDir },
          { label: pick, description: 'the snapshot can be as large as the heap limit' },
        ],
        { title: 'Heapscope: where should the near-limit heap snapshot go?' },
      )
    : { label: pick };
  if (!choice) return undefined;
  if (choice.label === recording) return recordingDir;
  const picked = await vscode.window.showOpenDialog({
    title: 'Heapscope: folder for the near-limit heap snapshot',
    canSelectFiles: false,
    canSelectFolders: true,
    openLabel: 'Use this folder',
  });
  return picked?.[0]?.fsPath;
}
