// What each Node process of a launched tree is there for. Wrappers (npm, npx, yarn, pnpm, the tsx and
// nodemon command lines, `node --watch`) start the program and wait for it: their heap says nothing
// about the program's, so they are listed and left unobserved. A process that other Node processes of
// the tree descend from (a cluster primary, a parent that forks its workers) supervises: it is
// observed and a leak in it counts, but its flatness says nothing of its children. Every other
// process is an app: its own verdict decides. Pure: tested on tables.
import { basename } from 'node:path';

export type ProcessRole = 'app' | 'wrapper' | 'supervisor';

/** What a process says of itself through the inspector (IDENTITY_TREE_EXPRESSION). */
export interface ProcessIdentity {
  pid: number;
  ppid: number;
  /** process.argv: argv[1] is the script, resolved. */
  argv: string[];
  /** process.execArgv: Node's own options (--watch, --import …). */
  execArgv: string[];
  title?: string;
  nodeVersion?: string;
}

/**
 * The fixed expression a tree member answers (the inspector is remote code execution: nothing
 * else is ever sent).
 */
export const IDENTITY_TREE_EXPRESSION =
  "(typeof process === 'object' && process && process.versions && process.versions.node) ? " +
  '[process.pid, process.ppid, process.argv, process.execArgv, process.title, process.version] : null';

/** Parses the expression's answer; undefined for anything else. */
export function toProcessIdentity(value: unknown): ProcessIdentity | undefined {
  if (!Array.isArray(value) || typeof value[0] !== 'number' || typeof value[1] !== 'number') return undefined;
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return {
    pid: value[0],
    ppid: value[1],
    argv: strings(value[2]),
    execArgv: strings(value[3]),
    ...(typeof value[4] === 'string' ? { title: value[4] } : {}),
    ...(typeof value[5] === 'string' ? { nodeVersion: value[5] } : {}),
  };
}

/** Scripts of the command lines that only start a program and wait for it, by what they are. */
const WRAPPER_SCRIPTS: Array<[RegExp, string]> = [
  [/[/\\]npm[/\\]bin[/\\]npm-cli\.js$|(^|[/\\])npm$/, 'npm'],
  [/[/\\]npm[/\\]bin[/\\]npx-cli\.js$|(^|[/\\])npx$/, 'npx'],
  [/[/\\]yarn[/\\]bin[/\\]yarn(\.js)?$|(^|[/\\])yarn(-[\d.]+)?\.c?js$|(^|[/\\])yarn$/, 'yarn'],
  [/[/\\]pnpm[/\\]bin[/\\]pnpm\.c?js$|(^|[/\\])pnpm$/, 'pnpm'],
  [/[/\\]tsx[/\\]dist[/\\]cli\.m?js$|[/\\]\.bin[/\\]tsx$/, 'tsx'],
  [/[/\\]nodemon[/\\]bin[/\\]nodemon\.js$|[/\\]\.bin[/\\]nodemon$/, 'nodemon'],
  [/[/\\]ts-node-dev[/\\]lib[/\\]bin\.js$|[/\\]\.bin[/\\]ts-node-dev$/, 'ts-node-dev'],
];

/** Which wrapper this process is (`npm`, `node --watch` …), or undefined for a program. */
export function wrapperKind(identity: Pick<ProcessIdentity, 'argv' | 'execArgv'>): string | undefined {
  // `node --watch` restarts its child: the supervisor runs no user code.
  if (identity.execArgv.some((a) => a === '--watch' || a.startsWith('--watch-path'))) return 'node --watch';
  const script = identity.argv[1]?.replace(/\\/g, '/');
  if (!script) return undefined;
  for (const [pattern, kind] of WRAPPER_SCRIPTS) if (pattern.test(script)) return kind;
  return undefined;
}

/** The role of each process of the tree, by pid. */
export function processRoles(
  members: ReadonlyArray<Pick<ProcessIdentity, 'pid' | 'ppid' | 'argv' | 'execArgv'>>,
): Map<number, ProcessRole> {
  const parents = new Set(members.map((m) => m.ppid));
  const roles = new Map<number, ProcessRole>();
  for (const member of members) {
    if (wrapperKind(member)) roles.set(member.pid, 'wrapper');
    else if (parents.has(member.pid)) roles.set(member.pid, 'supervisor');
    else roles.set(member.pid, 'app');
  }
  return roles;
}

/** `server.js --port 3000` (script file name and first arguments): how a line names a process. */
export function shortCommand(argv: readonly string[], execArgv: readonly string[] = []): string {
  const script = argv[1];
  if (!script) return 'node';
  const watch = execArgv.includes('--watch') ? ' --watch' : '';
  const args = argv.slice(2, 4).map((a) => (a.length > 30 ? `${a.slice(0, 29)}…` : a));
  return [`node${watch} ${basename(script)}`, ...args].join(' ') + (argv.length > 4 ? ' …' : '');
}
