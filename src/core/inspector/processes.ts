// Running Node processes on this machine, read from /proc (Linux) or `ps` (macOS): for the pid
// target (refuse to send SIGUSR1 to something that is not Node: its default action kills) and for
// the process pickers. Each process is labelled by what it runs (its script relative to its working
// directory, and the first arguments), and the editor's own processes (VS Code's server, extension
// hosts, language servers, file watchers, tsserver, and their children) are marked, so a picker can
// hide them: they are Node too, and on a developer's machine they outnumber the user's programs.
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';

export interface NodeProcess {
  pid: number;
  /** Parent pid, when known. */
  ppid?: number;
  /** argv joined by spaces. */
  command: string;
  argv: string[];
  /** Working directory, when readable. */
  cwd?: string;
  /** What it runs: the script relative to its working directory and its first arguments. */
  label: string;
  /** Set for the editor's own processes (and their children): why it is one. */
  editorRole?: string;
  /** Port of its inspector when its command line turns one on (--inspect[=host:]port). */
  inspectorPort?: number;
}

/** A process as the ancestry walk needs it (any process, Node or not). */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  argv: string[];
}

export function looksLikeNode(argv0: string): boolean {
  const name = basename(argv0).toLowerCase();
  return name === 'node' || /^node\d+$/.test(name) || name === 'nodejs';
}

/** The argv of a process, or undefined when it does not exist or cannot be read. */
export async function processArgv(pid: number): Promise<string[] | undefined> {
  if (process.platform === 'linux') {
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      return raw.split('\0').filter((part, index, all) => part !== '' || index < all.length - 1);
    } catch {
      return undefined;
    }
  }
  const out = await run('ps', ['-o', 'command=', '-p', String(pid)]);
  return out?.trim() ? out.trim().split(/\s+/) : undefined;
}

function inspectorPortOf(argv: readonly string[]): number | undefined {
  for (const arg of argv) {
    const match = /^--inspect(?:-brk|-wait)?(?:=(?:.*:)?(\d+))?$/.exec(arg);
    if (match) return match[1] ? Number(match[1]) : 9229;
  }
  return undefined;
}

/** Node options that take the next argument as their value (`-r x`, `--import x`). */
const OPTIONS_WITH_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
  '--title',
  '--env-file',
  '--input-type',
  '--stack-size',
  '--max-old-space-size',
  '--inspect-port',
  '--debug-port',
]);

/** The script a Node argv runs and the arguments after it (undefined script: -e, -p or a REPL). */
export function scriptOf(argv: readonly string[]): { script?: string; args: string[]; eval?: boolean } {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print')
      return { args: [], eval: true };
    if (arg === '--') return { script: argv[i + 1], args: argv.slice(i + 2) };
    if (arg.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return { script: arg, args: argv.slice(i + 1) };
  }
  return { args: [] };
}

const MAX_LABEL_ARGS = 3;
const MAX_ARG_CHARS = 40;

/** `app/server.js --port 3000`, relative to the process's working directory when inside it. */
export function processLabel(argv: readonly string[], cwd?: string): string {
  const { script, args, eval: isEval } = scriptOf(argv);
  if (isEval) return 'node -e …';
  if (!script) return 'node (no script)';
  let shown = script;
  if (cwd && isAbsolute(script)) {
    const rel = relative(cwd, script);
    if (!rel.startsWith('..') && !isAbsolute(rel)) shown = rel;
  } else if (cwd && !isAbsolute(script)) {
    shown = relative(cwd, resolve(cwd, script)) || script;
  }
  // One line: an inline script's newlines would break the picker's row.
  const shownArgs = args
    .slice(0, MAX_LABEL_ARGS)
    .map((a) => a.replace(/\s+/g, ' ').trim())
    .map((a) => (a.length > MAX_ARG_CHARS ? `${a.slice(0, MAX_ARG_CHARS - 1)}…` : a));
  const more = args.length > MAX_LABEL_ARGS ? ' …' : '';
  return [shown, ...shownArgs].join(' ') + more;
}

/**
 * The editor's own processes, by their arguments, most specific first (a language server runs from
 * the server's install folder too). VS Code (desktop, server, code-server, remote)
 * starts them from its install folder with these entry points or flags.
 */
const EDITOR_PATTERNS: Array<[RegExp, string]> = [
  [/--type=extensionHost|extensionHostProcess|bootstrap-fork.*extensionHost/, 'extension host'],
  [/--type=fileWatcher|watcherService|parcelWatcher|--type=watcher/, 'file watcher'],
  [/--type=ptyHost|ptyHostMain/, 'terminal host'],
  [/tsserver(\.js)?(\s|$)|typingsInstaller\.js/, 'TypeScript server'],
  [
    /(json|css|html|markdown)ServerMain|[Ss]erver[/\\].*[Ss]erverMain\.js|eslintServer\.js|--node-ipc|--clientProcessId=/,
    'language server',
  ],
  [
    /(^|[/\\])out[/\\]server-main\.js|[/\\]code-server[^/\\\s]*([/\\]|\s|$)|[/\\]\.?vscode-server[/\\]/,
    'VS Code server',
  ],
];

/** Shells end the walk up: what runs in the editor's terminal is the user's, not the editor's. */
const SHELLS = /^(ba|z|fi|da|k|c|tc)?sh$|^(pwsh|powershell|nu|xonsh)$/;

function ownRole(argv: readonly string[]): string | undefined {
  const text = argv.join(' ');
  for (const [pattern, role] of EDITOR_PATTERNS) if (pattern.test(text)) return role;
  return undefined;
}

/**
 * Which processes are the editor's: those whose arguments say so, and their descendants, up to a
 * shell (a terminal's shell and what runs in it are the user's).
 */
export function editorRoles(entries: readonly ProcessEntry[]): Map<number, string> {
  const byPid = new Map(entries.map((e) => [e.pid, e]));
  const roles = new Map<number, string>();
  const roleOf = (pid: number, depth: number): string | undefined => {
    if (roles.has(pid)) return roles.get(pid);
    const entry = byPid.get(pid);
    if (!entry || depth > 64) return undefined;
    const own = ownRole(entry.argv);
    if (own) {
      roles.set(pid, own);
      return own;
    }
    if (SHELLS.test(basename(entry.argv[0] ?? '').replace(/^-/, ''))) return undefined;
    const parentRole = entry.ppid > 1 ? roleOf(entry.ppid, depth + 1) : undefined;
    if (parentRole) {
      const role = parentRole.startsWith('started by ') ? parentRole : `started by the ${parentRole}`;
      roles.set(pid, role);
      return role;
    }
    return undefined;
  };
  for (const entry of entries) roleOf(entry.pid, 0);
  return roles;
}

/** Labels and editor roles for the Node processes among `entries`. Pure (tested on tables). */
export function describeNodeProcesses(
  entries: readonly ProcessEntry[],
  cwds: ReadonlyMap<number, string> = new Map(),
  selfPid = process.pid,
): NodeProcess[] {
  const roles = editorRoles(entries);
  const found: NodeProcess[] = [];
  for (const entry of entries) {
    if (entry.pid === selfPid || !entry.argv.length || !looksLikeNode(entry.argv[0]!)) continue;
    const cwd = cwds.get(entry.pid);
    const role = roles.get(entry.pid);
    found.push({
      pid: entry.pid,
      ppid: entry.ppid,
      argv: entry.argv,
      command: entry.argv.join(' '),
      ...(cwd ? { cwd } : {}),
      label: processLabel(entry.argv, cwd),
      ...(role ? { editorRole: role } : {}),
      inspectorPort: inspectorPortOf(entry.argv),
    });
  }
  return found;
}

export async function listNodeProcesses(signal?: AbortSignal): Promise<NodeProcess[]> {
  const entries = await listProcesses(signal);
  const cwds = new Map<number, string>();
  if (process.platform === 'linux') {
    await Promise.all(
      entries
        .filter((e) => e.argv.length && looksLikeNode(e.argv[0]!))
        .map(async (e) => {
          const cwd = await readlink(`/proc/${e.pid}/cwd`).catch(() => undefined);
          if (cwd) cwds.set(e.pid, cwd);
        }),
    );
  }
  return describeNodeProcesses(entries, cwds);
}

/** Every process with its parent and argv (the ancestry walk needs the shells and the editor too). */
async function listProcesses(signal?: AbortSignal): Promise<ProcessEntry[]> {
  if (process.platform === 'linux') {
    let names: string[];
    try {
      names = await readdir('/proc');
    } catch {
      return [];
    }
    const entries: ProcessEntry[] = [];
    for (const name of names) {
      if (signal?.aborted) break;
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const [argv, stat] = await Promise.all([
        processArgv(pid),
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
      ]);
      // The command name in stat may hold spaces and parentheses: the ppid follows the last ')'.
      const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : 0;
      if (argv?.length) entries.push({ pid, ppid: Number.isFinite(ppid) ? ppid : 0, argv });
    }
    return entries;
  }
  const out = await run('ps', ['-axo', 'pid=,ppid=,command=']);
  const entries: ProcessEntry[] = [];
  for (const line of out?.split('\n') ?? []) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match) entries.push({ pid: Number(match[1]), ppid: Number(match[2]), argv: match[3]!.split(/\s+/) });
  }
  return entries;
}

function run(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 5000 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}
