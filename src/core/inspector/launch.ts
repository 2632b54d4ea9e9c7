// Starts a command with the inspector on 127.0.0.1 and a port the OS picks, reads the inspector URL
// from the child's stderr, and later stops the child and everything it started. The child runs in its
// own process group so npm/tsx wrappers and their children go down together.
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { HeapscopeError } from '../errors';

export interface LaunchOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Each line the child prints (stdout and stderr), minus the inspector's own banner lines. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Give up when no inspector URL appears within this time. Default 15 s. */
  startTimeoutMs?: number;
  /**
   * Wrappers (npm, tsx, nodemon) under NODE_OPTIONS each open an inspector; the app is normally the
   * last to announce one. Wait this long after an announcement for a later one. Default 800 ms.
   */
  settleMs?: number;
  /** Stops waiting for the inspector and stops the child (a session stopped while connecting). */
  signal?: AbortSignal;
  /** As soon as the child exists: a synchronous kill of its group, for a face that must exit now. */
  onSpawn?: (kill: () => void) => void;
}

export interface LaunchedProcess {
  pid: number;
  /** Inspector WebSocket URL of the (last announced) Node process. */
  inspectorUrl: string;
  /** Every inspector URL announced so far (wrappers included). */
  announcedUrls: string[];
  child: ChildProcess;
  /** Resolves when the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Node printed "Waiting for the debugger to disconnect": the program has ended. */
  onProgramEnded(listener: () => void): void;
  /**
   * Each inspector announced after launch returned (a cluster worker forked later, the app a watcher
   * restarts): the process tree's later members.
   */
  onAnnounced(listener: (url: string) => void): void;
  /** SIGTERM (and SIGCONT, for a stopped process) to the group, wait, then SIGKILL. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the group, now, synchronously (a face that must exit at once). */
  kill(): void;
}

const LISTENING = /Debugger listening on (wss?:\/\/\S+)/;
const BANNER = [
  /^Debugger listening on /,
  /^For help, see: https:\/\/nodejs\.org/,
  /^Debugger attached\.$/,
  /^Debugger ending on /,
  /^Waiting for the debugger to disconnect\.\.\.$/,
];
const INSPECT_FLAG = '--inspect=127.0.0.1:0';

export function isNodeCommand(command: string): boolean {
  const name = basename(command).toLowerCase();
  return command === process.execPath || name === 'node' || name === 'node.exe' || /^node\d+$/.test(name);
}

/** The argv and environment that turn the inspector on for `command`. */
export function inspectorLaunchPlan(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (isNodeCommand(command)) {
    // Directly in argv: NODE_OPTIONS would also reach any node child the program spawns.
    const cleaned = args.filter((a) => !/^--inspect(-brk|-wait)?(=|$)/.test(a));
    return { command, args: [INSPECT_FLAG, ...cleaned], env };
  }
  const nodeOptions = [env.NODE_OPTIONS ?? '', INSPECT_FLAG].filter(Boolean).join(' ');
  return { command, args: [...args], env: { ...env, NODE_OPTIONS: nodeOptions } };
}

export async function launchWithInspector(
  command: string,
  args: readonly string[],
  options: LaunchOptions = {},
): Promise<LaunchedProcess> {
  const plan = inspectorLaunchPlan(command, args, { ...process.env, ...options.env });
  const child = spawn(plan.command, plan.args, {
    cwd: options.cwd,
    env: plan.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: stop() signals the whole tree (wrappers and the program).
    detached: process.platform !== 'win32',
  });
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  const announcedUrls: string[] = [];
  const tail: string[] = [];
  const endedListeners: Array<() => void> = [];
  const announcedListeners: Array<(url: string) => void> = [];
  let announce: (() => void) | undefined;
  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    const match = stream === 'stderr' ? LISTENING.exec(line) : null;
    if (match) {
      announcedUrls.push(match[1]);
      announce?.();
      for (const listener of announcedListeners) listener(match[1]);
    }
    if (stream === 'stderr' && /^Waiting for the debugger to disconnect/.test(line)) {
      for (const listener of endedListeners) listener();
    }
    if (BANNER.some((pattern) => pattern.test(line))) return;
    tail.push(line);
    if (tail.length > 20) tail.shift();
    options.onOutput?.(line, stream);
  };
  splitLines(child.stdout!, (line) => onLine(line, 'stdout'));
  splitLines(child.stderr!, (line) => onLine(line, 'stderr'));

  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = makeStopper(child, exited, () => exitStatus);
  const kill = () => signalGroup(child, 'SIGKILL');
  options.onSpawn?.(kill);

  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const settleMs = options.settleMs ?? 800;
  const outcome = await new Promise<
    { url: string } | { error: Error } | { exit: { code: number | null; signal: NodeJS.Signals | null } }
  >((resolve) => {
    let settle: NodeJS.Timeout | undefined;
    const timeout = setTimeout(
      () =>
        resolve({
          error: new HeapscopeError(
            'target-not-node',
            `No Node inspector appeared within ${Math.round(startTimeoutMs / 1000)} s of starting ` +
              `\`${[command, ...args].join(' ')}\`. Is it a Node.js program?` +
              (tail.length ? `\nLast output:\n  ${tail.slice(-5).join('\n  ')}` : ''),
          ),
        }),
      startTimeoutMs,
    );
    announce = () => {
      clearTimeout(settle);
      settle = setTimeout(() => {
        clearTimeout(timeout);
        resolve({ url: announcedUrls[announcedUrls.length - 1] });
      }, settleMs);
    };
    void exited.then((status) => {
      clearTimeout(timeout);
      clearTimeout(settle);
      resolve({ exit: status });
    });
    void spawnError.then((error) => {
      clearTimeout(timeout);
      clearTimeout(settle);
      resolve({ error: spawnFailure(command, error) });
    });
    const onAbort = () => {
      clearTimeout(timeout);
      clearTimeout(settle);
      resolve({ error: new HeapscopeError('cancelled', 'Stopped while the target was starting.') });
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  announce = undefined;
  if ('url' in outcome) {
    return {
      pid: child.pid!,
      inspectorUrl: outcome.url,
      announcedUrls,
      child,
      exited,
      get exitStatus() {
        return exitStatus;
      },
      onProgramEnded: (listener) => endedListeners.push(listener),
      onAnnounced: (listener) => announcedListeners.push(listener),
      stop,
      kill,
    };
  }
  await stop(1000);
  if ('error' in outcome) throw outcome.error;
  const { code, signal } = outcome.exit;
  throw new HeapscopeError(
    'target-exited',
    `\`${[command, ...args].join(' ')}\` exited at start-up (${signal ? `signal ${signal}` : `exit code ${code}`}) ` +
      'before its inspector could be attached.' +
      (tail.length ? `\nLast output:\n  ${tail.slice(-5).join('\n  ')}` : ''),
  );
}

function spawnFailure(command: string, error: Error): HeapscopeError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new HeapscopeError('usage', `Command not found: ${command}.`, { cause: error });
  if (code === 'EACCES')
    return new HeapscopeError('usage', `Command is not executable: ${command}.`, { cause: error });
  return new HeapscopeError('usage', `Cannot start ${command}: ${error.message}`, { cause: error });
}

/** A target that prints without newlines must not grow this buffer without end: longer lines are cut. */
export const MAX_OUTPUT_LINE_CHARS = 64 * 1024;

export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ''));
      buffered = buffered.slice(newline + 1);
    }
    while (buffered.length > MAX_OUTPUT_LINE_CHARS) {
      onLine(buffered.slice(0, MAX_OUTPUT_LINE_CHARS));
      buffered = buffered.slice(MAX_OUTPUT_LINE_CHARS);
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // The group is already gone.
  }
}

function makeStopper(
  child: ChildProcess,
  exited: Promise<unknown>,
  status: () => unknown,
): (graceMs?: number) => Promise<void> {
  let stopping: Promise<void> | undefined;
  const signal = (name: NodeJS.Signals) => signalGroup(child, name);
  return (graceMs = 3000) => {
    stopping ??= (async () => {
      if (!child.pid) return;
      // Even when the leader has exited, its children may still run in the group. A stopped
      // (SIGSTOP) process acts on SIGTERM only once it is continued.
      signal('SIGTERM');
      signal('SIGCONT');
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), graceMs).unref(),
      );
      if (status() === undefined && (await Promise.race([exited, timer])) === 'timeout') signal('SIGKILL');
      else if (!(await groupGone(child.pid, graceMs))) signal('SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      // The leader's exit is not the group's: children (cluster workers, the app under npm) may
      // still be on their way out. Stop means every one of them is gone.
      if (!(await groupGone(child.pid, 1000))) {
        signal('SIGKILL');
        await groupGone(child.pid, 1000);
      }
    })();
    return stopping;
  };
}

/** Waits until no process of the group is left (signal 0 to the group fails). */
async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  if (process.platform === 'win32') return true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
