// Items of the "Start memory session" quick pick, built from what discovery found. Pure: the
// extension turns them into vscode.QuickPickItems, tests check labels, order and warnings.
import type { TargetSpec } from '../core/session/api';

export interface ListeningInspector {
  /** ws:// URL from /json/list. */
  webSocketDebuggerUrl: string;
  port: number;
  host: string;
  title?: string;
  pid?: number;
  /** Someone (a debugger, DevTools) already attached: Node allows several clients, but say so. */
  attachedElsewhere?: boolean;
}

export interface NodeProcessInfo {
  pid: number;
  /** argv as the process shows it. */
  command: string;
  /** What it runs (script relative to its working directory, first arguments); the entry's label. */
  label?: string;
  cwd?: string;
  /** Set for the editor's own processes (and their children): hidden unless all are asked for. */
  editorRole?: string;
  /** Port of its inspector when it is already listening (then it is listed as an inspector instead). */
  inspectorPort?: number;
}

export interface DebugSessionPick {
  id: string;
  label: string;
}

export type TargetPick =
  | { kind: 'inspector'; label: string; description: string; detail?: string; target: TargetSpec }
  | { kind: 'process'; label: string; description: string; detail: string; target: TargetSpec }
  | { kind: 'debug-session'; label: string; description: string; debugSessionId: string }
  | { kind: 'launch-script' | 'launch-npm' | 'k8s' | 'url'; label: string; description: string }
  /** Lists the editor's own Node processes too. */
  | { kind: 'show-all-processes'; label: string; description: string }
  | { kind: 'separator'; label: string };

/** SIGUSR1 cannot be undone: the inspector stays on until the process exits. The warning says so. */
export const SIGUSR1_WARNING =
  'Sends SIGUSR1: Node opens its inspector on 127.0.0.1:9229 and keeps it open until the process exits. Anyone on this machine who can reach that port can run code in the process.';

function short(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The process entries of a picker: the user's processes, or all of them, labelled by what they run. */
export function processPicks(
  processes: readonly NodeProcessInfo[],
  options: { showAll: boolean; selfPid?: number; skip?: ReadonlySet<number> },
): { picks: TargetPick[]; hidden: number } {
  const candidates = processes.filter(
    (p) => p.pid !== options.selfPid && !options.skip?.has(p.pid) && p.inspectorPort === undefined,
  );
  const shown = options.showAll ? candidates : candidates.filter((p) => !p.editorRole);
  const picks = shown.map<TargetPick>((p) => ({
    kind: 'process',
    label: `$(server-process) ${short(p.label ?? p.command)}`,
    description: `pid ${p.pid}${p.editorRole ? ` · ${p.editorRole}` : ''}`,
    detail: `${p.cwd ? `${p.cwd} · ` : ''}$(warning) ${SIGUSR1_WARNING}`,
    target: { kind: 'pid', pid: p.pid },
  }));
  return { picks, hidden: candidates.length - shown.length };
}

export function buildTargetPicks(input: {
  inspectors: readonly ListeningInspector[];
  processes: readonly NodeProcessInfo[];
  debugSessions: readonly DebugSessionPick[];
  /** Our own pid (the extension host is Node too): never offer it. */
  selfPid?: number;
  k8sAvailable: boolean;
  /** List the editor's own Node processes too (the "Show all Node processes" entry). */
  showAllProcesses?: boolean;
}): TargetPick[] {
  const picks: TargetPick[] = [];
  if (input.debugSessions.length) {
    picks.push({ kind: 'separator', label: 'Node debug sessions' });
    for (const s of input.debugSessions) {
      picks.push({
        kind: 'debug-session',
        label: `$(debug) ${s.label}`,
        description: 'through js-debug',
        debugSessionId: s.id,
      });
    }
  }
  const inspectorPids = new Set<number>();
  if (input.inspectors.length) {
    picks.push({ kind: 'separator', label: 'Inspectors listening on this machine' });
    for (const i of input.inspectors) {
      if (i.pid !== undefined) inspectorPids.add(i.pid);
      picks.push({
        kind: 'inspector',
        label: `$(plug) ${i.title || `${i.host}:${i.port}`}`,
        description: `${i.host}:${i.port}${i.pid !== undefined ? ` · pid ${i.pid}` : ''}`,
        ...(i.attachedElsewhere ? { detail: 'A debugger is attached too; Heapscope reads beside it.' } : {}),
        target: { kind: 'attach', address: i.webSocketDebuggerUrl },
      });
    }
  }
  const { picks: processes, hidden } = processPicks(input.processes, {
    showAll: input.showAllProcesses ?? false,
    selfPid: input.selfPid,
    skip: inspectorPids,
  });
  if (processes.length || hidden) {
    picks.push({ kind: 'separator', label: 'Running Node processes (wake the inspector)' });
    picks.push(...processes);
    if (hidden) {
      picks.push({
        kind: 'show-all-processes',
        label: '$(eye) Show all Node processes',
        description: `${hidden} of the editor's own (VS Code server, extension hosts, language servers…) are hidden`,
      });
    }
  }
  picks.push({ kind: 'separator', label: 'Other' });
  picks.push({
    kind: 'launch-script',
    label: '$(play) Launch a script…',
    description: 'node with the inspector on 127.0.0.1',
  });
  picks.push({
    kind: 'launch-npm',
    label: '$(package) Run an npm script…',
    description: 'from package.json, inspector on',
  });
  if (input.k8sAvailable) {
    picks.push({
      kind: 'k8s',
      label: '$(cloud) Attach to a Kubernetes pod…',
      description: 'kubectl port-forward',
    });
  }
  picks.push({
    kind: 'url',
    label: '$(link) Enter an inspector URL…',
    description: 'ws://, host:port or a port',
  });
  return picks;
}

/**
 * Checks an inspector address typed by the user. Returns a message for the input box, or undefined
 * when it is acceptable. Non-loopback addresses are accepted with a warning elsewhere, not refused.
 */
export function validateInspectorAddress(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter ws://host:port/id, host:port, or a port number.';
  if (/^\d+$/.test(v)) return Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port is 1–65535.';
  if (/^wss?:\/\/[^/\s]+(\/\S*)?$/.test(v)) return undefined;
  if (/^(\[[0-9a-fA-F:]+\]|[^\s:/]+):\d{1,5}$/.test(v)) return undefined;
  return 'Not an inspector address. Examples: 9229, 127.0.0.1:9229, ws://127.0.0.1:9229/<id>.';
}

/** Loopback addresses; anything else gets a loud warning (the inspector is remote code execution). */
export { isLoopbackAddress } from '../core/inspector/address';

/** npm scripts from a package.json's text, for "Run an npm script…". */
export function npmScripts(packageJsonText: string): Array<{ name: string; command: string }> {
  try {
    const scripts = (JSON.parse(packageJsonText) as { scripts?: Record<string, unknown> }).scripts ?? {};
    return Object.entries(scripts)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([name, command]) => ({ name, command }));
  } catch {
    return [];
  }
}
