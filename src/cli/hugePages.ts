// Whether `heapscope` should start itself again with transparent huge pages for its large arrays.
//
// Analysing a heap snapshot fills about 1.5 times the file's size with fresh typed arrays. In 4 KiB
// pages a 340 MB file costs ~130,000 page faults, and in a virtual machine a fault costs several
// microseconds: a third of the `summary` command's time went to the kernel. glibc (2.35 and later)
// asks for transparent huge pages on its large allocations when `glibc.malloc.hugetlb=1` is set, but
// it reads its tunables once, when the process starts; so the launcher (launch.ts) runs the command
// in a child started with the setting. Only where it pays: Linux with glibc ≥ 2.35, huge pages in
// `madvise` mode (with `always` they are used anyway, with `never` not at all), a command that
// reads snapshot files, and files large enough that the analysis dwarfs a second Node start.
import { readFileSync, statSync } from 'node:fs';

/** Set in the relaunched child (to the launcher's pid), so that it never relaunches again. */
export const RELAUNCHED_ENV = 'HEAPSCOPE_RELAUNCHED';
/** `HEAPSCOPE_HUGE_PAGES=0`: never relaunch; `=1`: relaunch any snapshot command (on Linux). */
export const HUGE_PAGES_ENV = 'HEAPSCOPE_HUGE_PAGES';

const SNAPSHOT_COMMANDS = new Set(['summary', 'diff', 'retainers']);

/** The command analyses snapshot files (summary, diff, retainers): `args` without node and script. */
export function isSnapshotAnalysis(args: readonly string[]): boolean {
  return SNAPSHOT_COMMANDS.has(args.find((a) => !a.startsWith('-')) ?? '');
}
/** Below this the relaunch (~50–100 ms) costs more than the faults it saves. */
export const MIN_SNAPSHOT_BYTES = 64 * 1024 * 1024;
const TUNABLE = 'glibc.malloc.hugetlb';

export interface Host {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** "2.36", or undefined when the C library is not glibc. */
  glibcVersion: () => string | undefined;
  /** The contents of /sys/kernel/mm/transparent_hugepage/enabled, or undefined. */
  hugePageMode: () => string | undefined;
  fileBytes: (file: string) => number | undefined;
}

/**
 * The environment to start the command again with, or undefined to run it here. `args` are the
 * command's arguments (process.argv without node and the script).
 */
export function hugePageEnvironment(args: readonly string[], host: Host): NodeJS.ProcessEnv | undefined {
  const { env } = host;
  const setting = env[HUGE_PAGES_ENV];
  if (host.platform !== 'linux' || env[RELAUNCHED_ENV] || setting === '0') return undefined;
  if (env.GLIBC_TUNABLES?.includes(TUNABLE)) return undefined;
  if (!isSnapshotAnalysis(args)) return undefined;
  const positional = args.filter((a) => !a.startsWith('-'));
  if (setting !== '1') {
    // Options' values (`--json out.json`) are counted too: only existing files weigh anything.
    let bytes = 0;
    for (const arg of positional.slice(1)) bytes += host.fileBytes(arg) ?? 0;
    if (bytes < MIN_SNAPSHOT_BYTES) return undefined;
    if (!/\[madvise\]/.test(host.hugePageMode() ?? '')) return undefined;
    if (!glibcHasHugeTlb(host.glibcVersion())) return undefined;
  }
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${TUNABLE}=1` : `${TUNABLE}=1`;
  const child: NodeJS.ProcessEnv = { ...env, GLIBC_TUNABLES: tunables };
  // Node loads NODE_EXTRA_CA_CERTS into a certificate store as it starts (~50 ms for a system
  // bundle): the analysis reads files and opens no connection, so its start-up does without.
  delete child.NODE_EXTRA_CA_CERTS;
  return child;
}

function glibcHasHugeTlb(version: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 2 || (major === 2 && minor >= 35);
}

export const processHost: Host = {
  platform: process.platform,
  env: process.env,
  glibcVersion: () => {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return report?.header?.glibcVersionRuntime;
  },
  hugePageMode: () => {
    try {
      return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    } catch {
      return undefined;
    }
  },
  fileBytes: (file) => {
    try {
      const stat = statSync(file);
      return stat.isFile() ? stat.size : undefined;
    } catch {
      return undefined;
    }
  },
};
