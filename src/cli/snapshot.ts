// `heapscope snapshot`: capture a heap snapshot over the inspector (and, registered beside it,
// the commands that analyse snapshot files: snapshotAnalysis.ts).
import path from 'node:path';
import type { Command } from 'commander';
import { HeapscopeError } from '../core/errors';
import type { TargetSpec } from '../core/session/api';
import { captureHeapSnapshot, snapshotCost, snapshotCrossesLimit } from '../core/heapsnapshot';
import { formatBytes } from '../shared/format';
import { emitJson, guarded, registerSnapshotAnalysisCommands, type JsonOption } from './snapshotAnalysis';

interface SnapshotCommandOptions {
  attach?: string;
  k8s?: string;
  context?: string;
  kubeconfig?: string;
  force?: boolean;
  out: string;
  gc?: boolean;
  json?: JsonOption;
  quiet?: boolean;
}

function snapshotTarget(options: SnapshotCommandOptions): TargetSpec {
  if (!!options.attach === !!options.k8s)
    throw new HeapscopeError(
      'usage',
      'Say which process: --attach <address> or --k8s <namespace>/<pod>[/<container>].',
    );
  if (options.attach) return { kind: 'attach', address: options.attach };
  const parts = options.k8s!.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p))
    throw new HeapscopeError('usage', `--k8s needs <namespace>/<pod>[/<container>], not "${options.k8s}".`);
  return {
    kind: 'k8s',
    namespace: parts[0]!,
    pod: parts[1]!,
    container: parts[2],
    context: options.context,
    kubeconfig: options.kubeconfig,
  };
}

async function snapshotCommand(options: SnapshotCommandOptions): Promise<void> {
  const say = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  // Loaded here, not at start-up: the inspector client is most of the CLI's code, and the
  // commands that only read files (summary, diff, retainers) never need it.
  const [{ connectTarget }, { bounded }] = await Promise.all([
    import('../core/inspector'),
    import('../core/inspector/cdp'),
  ]);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const connection = await connectTarget(snapshotTarget(options), {
    log: (line) => process.stderr.write(`${line}\n`),
    signal: controller.signal,
  });
  let lastPercent = -1;
  try {
    const usage = await bounded(connection.client.send('Runtime.getHeapUsage'), 10_000, controller.signal);
    const cost = snapshotCost(usage.usedSize);
    const memory = await connection.containerMemory?.();
    say(
      `heapscope: the JS heap holds ${formatBytes(usage.usedSize)}: the target pauses about ` +
        `${Math.max(1, Math.round(cost.pauseSeconds))} s and needs about ${formatBytes(cost.extraMemoryBytes)} ` +
        'more memory while V8 writes the snapshot.',
    );
    if (memory?.limitBytes !== undefined) {
      const crosses = snapshotCrossesLimit(usage.usedSize, {
        currentBytes: memory.currentBytes,
        limitBytes: memory.limitBytes,
      });
      const where =
        `the container uses ${formatBytes(memory.currentBytes ?? 0)} of its ${formatBytes(memory.limitBytes)} limit ` +
        `(${memory.source})`;
      if (crosses && !options.force) {
        throw new HeapscopeError(
          'usage',
          `Not taking the snapshot: ${where}, and the snapshot could push it over the limit (an OOM kill of the pod). ` +
            'Take it with --force if a restart is acceptable, or raise the limit first.',
        );
      }
      say(`heapscope: ${where}${crosses ? '; taking it anyway (--force)' : ''}.`);
    }
    say('heapscope: taking heap snapshot — target paused');
    const result = await captureHeapSnapshot(connection.client, path.resolve(options.out), {
      forceGc: options.gc,
      signal: controller.signal,
      onProgress: (p) => {
        if (options.quiet || !p.total) return;
        const percent = Math.floor((p.done! / p.total) * 10) * 10;
        if (percent !== lastPercent)
          process.stderr.write(`serialising ${percent}% (${formatBytes(p.writtenBytes)} written)\n`);
        lastPercent = percent;
      },
    });
    const json = {
      file: result.file,
      bytes: result.bytes,
      pauseMs: result.pauseMs,
      inspectorUrl: connection.info.inspectorUrl,
    };
    if (!(await emitJson(options.json, json)))
      process.stdout.write(
        `${result.file}: ${formatBytes(result.bytes)}, target paused ${result.pauseMs} ms\n`,
      );
  } finally {
    process.removeListener('SIGINT', onSignal);
    await connection.dispose().catch(() => undefined);
  }
}

export function registerSnapshotCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('snapshot')
    .description(
      'Take a heap snapshot of a running Node process over its inspector (streams to disk; opens in Chrome DevTools).',
    )
    .option('--attach <address>', 'inspector: ws:// URL, host:port, or port on 127.0.0.1')
    .option('--k8s <target>', 'a Node process in a pod: <namespace>/<pod>[/<container>]')
    .option('--context <name>', 'kubectl context for --k8s')
    .option('--kubeconfig <file>', 'kubeconfig for --k8s')
    .option('--force', "take it even when it could push the pod's container over its memory limit")
    .requiredOption('--out <file>', 'where to write the .heapsnapshot (never overwritten)')
    .option('--gc', 'force a garbage collection first')
    .option('--json [file]', 'write the result as JSON (to stdout with - or no file)')
    .option('-q, --quiet', 'no progress on stderr')
    .action((options: SnapshotCommandOptions) => guarded(setExit, () => snapshotCommand(options)));

  registerSnapshotAnalysisCommands(program, setExit);
}
