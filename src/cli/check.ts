// `heapscope check`: observe a Node.js process for a while and say whether it leaks (exit code and
// JSON report for CI, a summary for people). It drives the same MemorySession as the extension.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, HeapscopeError } from '../core/errors';
import { redactArgs } from '../core/redact';
import { checkContext, parsePodRef } from '../core/k8s/podRef';
import { createMemorySession } from '../core/session/createSession';
import { parseHorizonMinutes } from '../core/leak';
import type { TargetSpec } from '../core/session/api';
import { DEFAULT_HOLDERS_BUDGET_MS } from '../core/session/holderSnapshots';
import { armedNodeOptions } from '../core/session/oomSnapshot';
import type { ReportV1 } from '../core/types';
import { exitCodes } from './exitCodes';
import { progressLine, summaryText } from './checkFormat';
import { stripControl } from '../shared/text';
import { importLoadScript, LoadRunner, loadSummaryText, type LoadFunction } from './loadScript';

interface CheckOptions {
  attach?: string;
  pid?: string;
  k8s?: string;
  context?: string;
  kubeconfig?: string;
  duration: string;
  json?: string;
  samplingInterval?: string;
  metricsInterval?: string;
  record?: string;
  projectRoot?: string;
  quiet?: boolean;
  holders: boolean;
  holdersMaxHeap?: string;
  holdersBudget?: string;
  load?: string;
  horizon?: string;
  armOomSnapshot?: string;
}

export function registerCheckCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('Observe a Node.js process and say whether it leaks memory, how fast, and where.')
    .argument('[command...]', 'command to launch with the inspector on 127.0.0.1 (put it after --)')
    .option('--attach <address>', 'attach to an inspector: ws:// URL, host:port or port')
    .option('--pid <pid>', "wake a running Node process's inspector with SIGUSR1 and attach")
    .option('--k8s <target>', 'attach to a pod: <namespace>/<pod>[/<container>]')
    .option('--context <name>', 'kubectl context for --k8s')
    .option('--kubeconfig <file>', 'kubeconfig for --k8s')
    .option('--duration <seconds>', 'how long to observe', '60')
    .option('--json <file>', 'write the JSON report to a file (- for stdout)')
    .option('--sampling-interval <bytes>', 'sampling heap profiler interval in bytes (default 65536)')
    .option('--metrics-interval <ms>', 'memory reading period in milliseconds (default 1000)')
    .option('--record <dir>', 'append a recording of the session to this folder')
    .option('--project-root <dir>', 'root of the code, to show paths and fold node_modules (default: cwd)')
    .option('--no-holders', 'do not take heap snapshots at the end to name what holds the leak')
    .option(
      '--holders-max-heap <MiB>',
      'skip those snapshots when the JS heap is larger than this (default 1024; 0: no limit)',
    )
    .option(
      '--holders-budget <seconds>',
      `time allowed for those snapshots; skipped when the heap is too large for it (default ${DEFAULT_HOLDERS_BUDGET_MS / 1000})`,
    )
    .option('--load <script>', "call this module's exported async function repeatedly while observing")
    .option(
      '--horizon <time>',
      'a rise that reaches the heap limit within this time is a leak: 90m, 24h, 7d (default 24h)',
    )
    .option(
      '--arm-oom-snapshot <dir>',
      'write a heap snapshot when the heap nears its limit (launched: into <dir>; running: its own folder)',
    )
    .option('--quiet', 'print only the summary (no progress, no target output)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no leak, 1 leak, 2 usage or target error, 3 inconclusive, 130 a second Ctrl-C.\n' +
        'Ctrl-C stops the observation and reports what was seen; a second Ctrl-C exits at once.\n' +
        'Examples:\n  heapscope check --duration 60 --json report.json -- node server.js\n' +
        '  heapscope check --duration 120 --load test/load.js -- node server.js\n' +
        '  heapscope check --attach 9229 --duration 120\n  heapscope check --pid 4242',
    )
    .action(async (command: string[], options: CheckOptions) => {
      setExit(await runCheck(command, options));
    });
}

async function runCheck(command: string[], options: CheckOptions): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let plan: ReturnType<typeof planCheck>;
  try {
    plan = planCheck(command, options);
  } catch (error) {
    err(`heapscope check: ${describeError(error)}`);
    return exitCodes.usage;
  }
  let loadFn: LoadFunction | undefined;
  try {
    loadFn = options.load ? await importLoadScript(options.load) : undefined;
  } catch (error) {
    err(`heapscope check: ${describeError(error)}`);
    return exitCodes.usage;
  }
  const projectRoot = plan.projectRoot;
  const progress = new ProgressLine(!options.quiet, process.stderr.isTTY === true);
  const session = createMemorySession({
    target: plan.target,
    samplingIntervalBytes: plan.samplingIntervalBytes,
    metricsIntervalMs: plan.metricsIntervalMs,
    recordingDir: plan.recordDir,
    projectRoot,
    holdersMaxHeapBytes: plan.holdersMaxHeapBytes,
    horizonMinutes: plan.horizonMinutes,
    armOomSnapshot: plan.armOomSnapshotDir !== undefined,
    log: (line) => progress.print(stripControl(line)),
    onTargetOutput: options.quiet ? undefined : (line) => progress.print(`  [target] ${line}`),
  });
  const started = Date.now();
  const durationMs = plan.durationSeconds * 1000;
  let resolveEnd: (reason: string) => void = () => undefined;
  const ended = new Promise<string>((resolve) => (resolveEnd = resolve));
  session.on('status', (status) => {
    if (status.state === 'target-exited') resolveEnd(status.message ?? 'target exited');
    if (status.state === 'paused' && status.message) progress.print(`heapscope: ${status.message}`);
  });
  // First Ctrl-C: stop like the end of the run (cancelling the holder snapshots), report what was
  // seen. Second: exit now; a launched target is killed on the way.
  const interrupted = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      interrupted.abort();
      resolveEnd('interrupted');
      if (!options.quiet) err(`\nheapscope: stopping (${signal}); press Ctrl-C again to exit at once.`);
      void session.stop('interrupted').catch(() => undefined);
      return;
    }
    session.abandon();
    process.stderr.write('heapscope: exiting at once; the report was not written.\n');
    process.exit(exitCodes.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!options.quiet) err(`heapscope: connecting to ${describeTarget(plan.target)}…`);
    try {
      // The near-limit snapshot holds the program's data: a folder only the user can read.
      if (plan.armOomSnapshotDir) await mkdir(plan.armOomSnapshotDir, { recursive: true, mode: 0o700 });
      await session.start();
    } catch (error) {
      if (interrupted.signal.aborted) {
        err('heapscope check: stopped while connecting; nothing was observed.');
        return exitCodes.usage;
      }
      err(`heapscope check: ${describeError(error)}`);
      return exitCodes.usage;
    }
    if (!options.quiet) {
      const t = session.target;
      err(
        `heapscope: observing ${t.title ?? 'node'} (pid ${t.pid ?? '?'}, Node ${t.nodeVersion ?? '?'}) for ${plan.durationSeconds} s` +
          (plan.recordDir ? `, recording to ${plan.recordDir}` : ''),
      );
      if (session.status.message) err(`heapscope: ${session.status.message}`);
    }
    const ticker = setInterval(
      () =>
        progress.update(
          progressLine({
            elapsedSeconds: (Date.now() - started) / 1000,
            durationSeconds: plan.durationSeconds,
            sample: session.samples[session.samples.length - 1],
            verdict: session.verdict,
            gcCount: session.gcEvents.length,
            state: session.status.state,
          }),
        ),
      1000,
    );
    const timer = setTimeout(() => resolveEnd('duration reached'), durationMs);
    const load = loadFn ? new LoadRunner(loadFn, session.target.pid) : undefined;
    load?.start();
    const why = await ended;
    clearInterval(ticker);
    clearTimeout(timer);
    if (load) {
      const loadSummary = await load.stop();
      if (!options.quiet || loadSummary.failures) progress.print(loadSummaryText(loadSummary));
    }
    progress.clear();
    if (why !== 'duration reached' && why !== 'interrupted' && !options.quiet)
      err(`heapscope: stopping (${why})`);
    if (options.holders && !interrupted.signal.aborted && session.status.state !== 'target-exited') {
      const outcome = await session.nameHolders({
        final: true,
        budgetMs: plan.holdersBudgetMs,
        signal: interrupted.signal,
        onStep: (step) => {
          if (!options.quiet) err(`heapscope: naming holders: ${step}`);
        },
      });
      if (outcome.kind === 'named' && !options.quiet)
        err(`heapscope: holders named for ${outcome.suspects} suspect(s).`);
    }
    const report = await session.stop(why);
    err(summaryText(report, projectRoot));
    if (plan.armOomSnapshotDir && plan.target.kind === 'launch') {
      const written = (await readdir(plan.armOomSnapshotDir).catch(() => [] as string[])).filter((f) =>
        f.endsWith('.heapsnapshot'),
      );
      for (const file of written)
        err(`heapscope: heap snapshot written near the heap limit: ${join(plan.armOomSnapshotDir, file)}`);
    }
    await writeReport(report, options.json, err);
    if (report.targetExited) {
      err(
        `heapscope check: the target exited before the end of the observation; the report covers what was seen.`,
      );
      return exitCodes.usage;
    }
    return report.verdict === 'leak'
      ? exitCodes.leak
      : report.verdict === 'no-leak'
        ? exitCodes.ok
        : exitCodes.inconclusive;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.clear();
    await session.stop('check finished').catch(() => undefined);
  }
}

async function writeReport(
  report: ReportV1,
  target: string | undefined,
  err: (line: string) => void,
): Promise<void> {
  if (!target) return;
  const text = JSON.stringify(report, null, 2) + '\n';
  if (target === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    await mkdir(dirname(resolve(target)), { recursive: true });
    await writeFile(target, text);
    err(`heapscope: report written to ${target}`);
  } catch (error) {
    err(`heapscope check: cannot write the report to ${target}: ${describeError(error)}`);
  }
}

export interface CheckPlan {
  target: TargetSpec;
  durationSeconds: number;
  samplingIntervalBytes?: number;
  metricsIntervalMs?: number;
  recordDir?: string;
  projectRoot: string;
  holdersMaxHeapBytes?: number;
  holdersBudgetMs: number;
  horizonMinutes?: number;
  /** Folder for the near-heap-limit snapshot (created before launch). */
  armOomSnapshotDir?: string;
}

/** Validates the options and picks exactly one target. Throws HeapscopeError('usage'). */
export function planCheck(command: string[], options: CheckOptions): CheckPlan {
  const chosen = [command.length > 0, !!options.attach, !!options.pid, !!options.k8s].filter(Boolean).length;
  if (chosen === 0) {
    throw new HeapscopeError(
      'usage',
      'Say what to observe: `-- <command> [args...]`, --attach <ws-url|host:port|port>, --pid <pid> or --k8s <ns>/<pod>.',
    );
  }
  if (chosen > 1)
    throw new HeapscopeError('usage', 'Give only one target: a command after --, --attach, --pid or --k8s.');
  const durationSeconds = positiveNumber(options.duration, '--duration');
  const samplingIntervalBytes = options.samplingInterval
    ? positiveNumber(options.samplingInterval, '--sampling-interval')
    : undefined;
  const metricsIntervalMs = options.metricsInterval
    ? positiveNumber(options.metricsInterval, '--metrics-interval')
    : undefined;
  if (metricsIntervalMs !== undefined && metricsIntervalMs < 100)
    throw new HeapscopeError('usage', '--metrics-interval must be at least 100 ms.');
  let holdersMaxHeapBytes: number | undefined;
  if (options.holdersMaxHeap !== undefined) {
    const mib = Number(options.holdersMaxHeap);
    if (!Number.isFinite(mib) || mib < 0)
      throw new HeapscopeError(
        'usage',
        `--holders-max-heap needs a size in MiB (0: no limit), not "${options.holdersMaxHeap}".`,
      );
    holdersMaxHeapBytes = mib * 1024 * 1024;
  }
  const holdersBudgetMs =
    options.holdersBudget !== undefined
      ? positiveNumber(options.holdersBudget, '--holders-budget') * 1000
      : DEFAULT_HOLDERS_BUDGET_MS;
  let horizonMinutes: number | undefined;
  if (options.horizon !== undefined) {
    horizonMinutes = parseHorizonMinutes(options.horizon);
    if (horizonMinutes === undefined)
      throw new HeapscopeError(
        'usage',
        `--horizon needs a time such as 90m, 24h or 7d (a bare number is hours), not "${options.horizon}".`,
      );
  }
  const armOomSnapshotDir = options.armOomSnapshot ? resolve(options.armOomSnapshot) : undefined;
  let target: TargetSpec;
  if (command.length) {
    target = { kind: 'launch', command: command[0], args: command.slice(1), cwd: process.cwd() };
    if (armOomSnapshotDir)
      target.env = { NODE_OPTIONS: armedNodeOptions(process.env.NODE_OPTIONS, armOomSnapshotDir) };
  } else if (options.attach) target = { kind: 'attach', address: options.attach };
  else if (options.pid) {
    const pid = Number(options.pid);
    if (!Number.isInteger(pid) || pid <= 0)
      throw new HeapscopeError('usage', `--pid needs a process id, not "${options.pid}".`);
    target = { kind: 'pid', pid };
  } else {
    let ref: { namespace: string; pod: string; container?: string };
    try {
      ref = parsePodRef(options.k8s!);
    } catch (error) {
      throw new HeapscopeError(
        'usage',
        `--k8s needs <namespace>/<pod>[/<container>]: ${describeError(error)}`,
      );
    }
    target = {
      kind: 'k8s',
      ...ref,
      context: options.context === undefined ? undefined : checkContext(options.context),
      kubeconfig: options.kubeconfig,
    };
  }
  return {
    target,
    durationSeconds,
    samplingIntervalBytes,
    metricsIntervalMs,
    recordDir: options.record ? resolve(options.record) : undefined,
    projectRoot: resolve(options.projectRoot ?? process.cwd()),
    holdersMaxHeapBytes,
    holdersBudgetMs,
    horizonMinutes,
    armOomSnapshotDir,
  };
}

function positiveNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new HeapscopeError('usage', `${name} needs a positive number, not "${text}".`);
  return value;
}

function describeTarget(target: TargetSpec): string {
  switch (target.kind) {
    case 'launch':
      return `\`${redactArgs([target.command, ...target.args]).join(' ')}\``;
    case 'attach':
      return target.address;
    case 'pid':
      return `pid ${target.pid}`;
    case 'k8s':
      return `pod ${target.namespace}/${target.pod}${target.container ? `/${target.container}` : ''}`;
    case 'cdp':
      return target.options.target;
  }
}

/** A progress line redrawn in place on a TTY, printed every ~10 s otherwise; other lines print above it. */
class ProgressLine {
  private shown = false;
  private lastPrintMs = 0;
  private last = '';

  constructor(
    private readonly enabled: boolean,
    private readonly tty: boolean,
  ) {}

  update(line: string): void {
    if (!this.enabled) return;
    this.last = line;
    if (this.tty) {
      // Redrawn in place only while it fits on one row; a wrapped line would leave its head behind.
      const columns = process.stderr.columns;
      if (columns && line.length >= columns) line = `${line.slice(0, columns - 2)}…`;
      this.last = line;
      process.stderr.write(`\r\x1b[2K${line}`);
      this.shown = true;
    } else if (Date.now() - this.lastPrintMs >= 10_000) {
      this.lastPrintMs = Date.now();
      process.stderr.write(`${line}\n`);
    }
  }

  print(line: string): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${line}\n`);
    if (this.tty && this.shown && this.last) process.stderr.write(this.last);
  }

  clear(): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
