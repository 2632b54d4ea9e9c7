// The extension host's share of an idle live session: a MemorySession (the engine, exactly as the
// extension drives it) attached to a real idle Node process at 1 Hz, each event turned into the
// protocol's webview message and serialised as postMessage would. CPU of this process over the
// window, from process.cpuUsage, as a percentage of one core.
import { execFileSync } from 'node:child_process';
import type { HostMessage } from '../../src/shared/protocol';

export interface HostCpuResult {
  measured: boolean;
  reason?: string;
  seconds?: number;
  cpuPercent?: number;
  samples?: number;
  messages?: number;
  messageBytes?: number;
}

type SessionLike = {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  start(): Promise<void>;
  stop(reason?: string): Promise<unknown>;
  samples: readonly unknown[];
};

async function loadEngine(): Promise<((options: Record<string, unknown>) => SessionLike) | undefined> {
  try {
    const mod = (await import('../../src/core/session/index')) as Record<string, unknown>;
    const Ctor = (mod.MemorySession ??
      (mod.default as Record<string, unknown> | undefined)?.MemorySession) as
      (new (options: Record<string, unknown>) => SessionLike) | undefined;
    const create = mod.createMemorySession as ((o: Record<string, unknown>) => SessionLike) | undefined;
    if (create) return create;
    if (Ctor) return (options) => new Ctor(options);
    return undefined;
  } catch {
    return undefined;
  }
}

export async function measureHostCpu(
  seconds: number,
  allocationSampling = true,
  settleMs = 3000,
): Promise<HostCpuResult> {
  const create = await loadEngine();
  if (!create) return { measured: false, reason: 'src/core/session does not export MemorySession yet' };
  // An idle target: a timer that does nothing, the inspector on a free loopback port.
  const target = { kind: 'launch', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] };
  const session = create({ target, metricsIntervalMs: 1000, allocationSampling, holders: false });
  let messages = 0;
  let messageBytes = 0;
  const post = (message: HostMessage): void => {
    messages++;
    messageBytes += JSON.stringify(message).length;
  };
  session.on('sample', (sample) => post({ type: 'samples', sessionId: 's', samples: [sample as never] }));
  session.on('gc', (gc) => post({ type: 'gcEvents', sessionId: 's', gcEvents: [gc as never] }));
  session.on('verdict', (v) => post({ type: 'verdict', sessionId: 's', verdict: v as never }));
  session.on('suspects', (s) => post({ type: 'suspects', sessionId: 's', suspects: s as never }));
  session.on('status', (s) => post({ type: 'status', sessionId: 's', status: s as never }));
  await session.start();
  // Let the connection settle (domains enabled, first profile read) before measuring the steady state.
  await new Promise((r) => setTimeout(r, settleMs));
  const before = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const samplesBefore = session.samples.length;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = process.cpuUsage(before);
  const elapsedUs = Number(process.hrtime.bigint() - t0) / 1000;
  const samples = session.samples.length - samplesBefore;
  await session.stop('bench done');
  return {
    measured: true,
    seconds,
    cpuPercent: Math.round(((used.user + used.system) / elapsedUs) * 100 * 1000) / 1000,
    samples,
    messages,
    messageBytes,
  };
}

/**
 * The same measurement in a fresh process: the chart bench's own process holds Chromium's driver and
 * 86,400-point data sets, and its garbage collections would be counted as the session's CPU.
 */
export function measureHostCpuInChild(
  seconds: number,
  allocationSampling: boolean,
  settleMs: number,
): HostCpuResult {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', __filename, String(seconds), String(allocationSampling), String(settleMs)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as HostCpuResult;
}

if (require.main === module) {
  const [seconds, sampling, settle] = process.argv.slice(2);
  void measureHostCpu(Number(seconds), sampling !== 'false', Number(settle)).then((result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  });
}
