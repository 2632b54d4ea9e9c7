// Finding the Node process inside a container without `ps` (slim and alpine images have no procps):
// a fixed POSIX sh script run through `kubectl exec` lists /proc/<pid>/{cmdline,exe,environ}; the
// rest (is it Node, is it a package manager, is the inspector on, on which port) is decided here.

/**
 * Fixed script (never built from user input). Per process: pid, exe, argv joined by \x1f (unit
 * separator: NULs cannot cross `$(...)`), NODE_OPTIONS from its initial environment. Needs only sh
 * and `tr` (coreutils or busybox). Every path starts "/proc/" (the local test API server relies on it).
 */
export const SCAN_SCRIPT = [
  'echo "HSSELF\t$$"',
  'for d in /proc/[0-9]*; do',
  '  p=${d#/proc/}',
  '  [ -r "$d/cmdline" ] || continue',
  "  c=$(tr '\\000' '\\037' < \"$d/cmdline\" 2>/dev/null) || continue",
  '  [ -n "$c" ] || continue',
  '  x=$(readlink "$d/exe" 2>/dev/null)',
  '  o=$(tr \'\\000\' \'\\n\' < "$d/environ" 2>/dev/null | while IFS= read -r l; do case "$l" in NODE_OPTIONS=*) printf \'%s\' "${l#NODE_OPTIONS=}" ;; esac; done)',
  '  printf \'HSPROC\\t%s\\t%s\\t%s\\t%s\\n\' "$p" "$x" "$c" "$o"',
  'done',
].join('\n');

export interface ContainerProcess {
  pid: number;
  /** Resolved /proc/<pid>/exe, when readable. */
  exe: string;
  argv: string[];
  nodeOptions: string;
}

export function parseScanOutput(stdout: string): ContainerProcess[] {
  let self = -1;
  const processes: ContainerProcess[] = [];
  for (const line of stdout.split('\n')) {
    const fields = line.replace(/\r$/, '').split('\t');
    if (fields[0] === 'HSSELF') self = Number(fields[1]);
    if (fields[0] !== 'HSPROC' || fields.length < 4) continue;
    const pid = Number(fields[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === self) continue;
    const argv = (fields[3] ?? '').split('\x1f').filter((a, i, all) => a !== '' || i < all.length - 1);
    processes.push({ pid, exe: fields[2] ?? '', argv, nodeOptions: fields[4] ?? '' });
  }
  return processes;
}

const basename = (p: string) => p.replace(/\\/g, '/').split('/').pop() ?? '';

export function isNodeProcess(p: ContainerProcess): boolean {
  return /^node(js)?(\d+)?$/.test(basename(p.exe)) || /^node(js)?(\d+)?$/.test(basename(p.argv[0] ?? ''));
}

/** Package managers and supervisors run on Node too; the app is their child. */
export function isTooling(p: ContainerProcess): boolean {
  const title = basename(p.argv[0] ?? '');
  if (/^(npm|npx|yarn|pnpm|corepack|pm2|nodemon)\b/.test(title) || /^PM2\b/.test(p.argv[0] ?? ''))
    return true;
  const script = p.argv.slice(1).find((a) => !a.startsWith('-')) ?? '';
  if (/(npm-cli|npx-cli|yarn|pnpm|corepack|nodemon|pm2)(\.c?js)?$|\/bin\/(npm|npx|yarn|pnpm)$/.test(script))
    return true;
  return p.argv.includes('--watch');
}

export function describeProcess(p: ContainerProcess): string {
  const text = p.argv.join(' ') || p.exe || '?';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The Node process to attach to: a given pid, else the first app process (lowest pid), else tooling. */
export function chooseNodeProcess(
  processes: ContainerProcess[],
  pid?: number,
): { chosen?: ContainerProcess; others: ContainerProcess[] } {
  const node = processes.filter(isNodeProcess).sort((a, b) => a.pid - b.pid);
  if (pid !== undefined) {
    const chosen = node.find((p) => p.pid === pid);
    return { chosen, others: node.filter((p) => p !== chosen) };
  }
  const chosen = node.find((p) => !isTooling(p)) ?? node[0];
  return { chosen, others: node.filter((p) => p !== chosen) };
}

export interface InspectorFlags {
  /** The inspector is started at launch (--inspect, --inspect-brk, --inspect-wait). */
  active: boolean;
  /** Host it binds (default 127.0.0.1). */
  host: string;
  /** Port it listens on, or would listen on after SIGUSR1 (default 9229). 0 means random. */
  port: number;
  /** The flag that set it, as written, for messages. */
  flag?: string;
}

/** Options that take the next argument as their value (so it is not the script). */
const TAKES_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--title',
]);

/** Node's own options from argv (those before the script) and NODE_OPTIONS, in that order. */
export function nodeOptionsOf(p: ContainerProcess): string[] {
  const own: string[] = [];
  for (let i = 1; i < p.argv.length; i++) {
    const arg = p.argv[i]!;
    if (arg === '--' || !arg.startsWith('-')) break;
    own.push(arg);
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') break;
    if (TAKES_VALUE.has(arg)) i++;
  }
  // NODE_OPTIONS is applied before the command line, so the command line wins.
  return [...splitNodeOptions(p.nodeOptions), ...own];
}

function splitNodeOptions(text: string): string[] {
  return (text.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((t) => t.replace(/"/g, ''));
}

export function parseInspectorFlags(options: string[]): InspectorFlags {
  const result: InspectorFlags = { active: false, host: '127.0.0.1', port: 9229 };
  for (const option of options) {
    const match = /^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(?:=(.*))?$/.exec(option);
    if (!match) continue;
    const [, name, value] = match;
    if (name !== 'inspect-port' && name !== 'debug-port') result.active = true;
    if (value !== undefined && value !== '') {
      const hostPort = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(value);
      if (hostPort) {
        if (hostPort[1]) result.host = hostPort[1];
        result.port = Number(hostPort[2]);
      } else {
        result.host = value; // --inspect=0.0.0.0: a host without a port
      }
    }
    result.flag = option;
  }
  return result;
}
