// Benchmark (not a test): attaching to a pod through the real kubectl and the local test API server.
//  1. Time from choosing a pod to the first memory sample: a MemorySession on the pod (contexts, pod,
//     exec scan, SIGUSR1, port-forward, inspector answer, CDP, first reading). Median of runs.
//  2. Throughput of the forward: a heap snapshot (~100 MB) pulled through it, against the same snapshot
//     pulled straight from the inspector on loopback in the same run (the ratio is the forward's cost).
//  3. The forward's raw ceiling: 100 MB of plain bytes through it vs straight.
// Usage: npx tsx bench/k8s/run.ts [--runs=5] [--heap-mb=40]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import CDP from 'chrome-remote-interface';
import * as net from 'node:net';
import { connectToPod } from '../../src/core/k8s';
import { createMemorySession } from '../../src/core/session';
import { startForward } from '../../src/core/k8s/portForward';
import { freePort, startCluster, startTarget, type TargetProcess } from '../../test/k8s-apiserver/harness';

const ROOT = path.resolve(__dirname, '../..');
const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const RUNS = arg('runs', 5);
const HEAP_MB = arg('heap-mb', 40);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function pullSnapshot(inspectorUrl: string): Promise<{ bytes: number; ms: number }> {
  const client = await CDP({ target: inspectorUrl, local: true });
  try {
    await client.HeapProfiler.enable();
    let bytes = 0;
    client.on(
      'HeapProfiler.addHeapSnapshotChunk',
      ({ chunk }: { chunk: string }) => (bytes += Buffer.byteLength(chunk)),
    );
    const start = performance.now();
    await client.HeapProfiler.takeHeapSnapshot({ reportProgress: false });
    const ms = performance.now() - start;
    await client.HeapProfiler.disable();
    return { bytes, ms };
  } finally {
    await client.close();
  }
}

const RAW_BYTES = 100 * 1024 * 1024;

/** Reads everything a TCP server on 127.0.0.1:port sends, timing it. */
function drain(port: number): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let bytes = 0;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (d: Buffer) => (bytes += d.length));
    socket.on('end', () => resolve({ bytes, ms: performance.now() - start }));
    socket.on('error', reject);
  });
}

async function rawThroughput(cluster: Awaited<ReturnType<typeof startCluster>>) {
  const block = Buffer.alloc(1024 * 1024, 7);
  const server = net.createServer((socket) => {
    let sent = 0;
    const pump = () => {
      while (sent < RAW_BYTES) {
        sent += block.length;
        if (!socket.write(block)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  cluster.server.pods.push({
    namespace: 'bench',
    name: 'raw-0',
    containers: [{ name: 'app', processes: [] }],
    ports: { [port]: port },
  });
  const forward = await startForward(
    { namespace: 'bench', pod: 'raw-0', kubeconfig: cluster.kubeconfig },
    port,
    undefined,
    { env: cluster.env },
  );
  try {
    const through = [await drain(forward.localPort), await drain(forward.localPort)];
    const straight = [await drain(port), await drain(port)];
    const rate = (r: { bytes: number; ms: number }) => r.bytes / (1024 * 1024) / (r.ms / 1000);
    const forwardMBPerSecond = median(through.map(rate));
    const directMBPerSecond = median(straight.map(rate));
    return {
      MB: RAW_BYTES / (1024 * 1024),
      forwardMBPerSecond: Number(forwardMBPerSecond.toFixed(1)),
      directMBPerSecond: Number(directMBPerSecond.toFixed(1)),
      forwardToDirectRatio: Number((forwardMBPerSecond / directMBPerSecond).toFixed(3)),
    };
  } finally {
    await forward.stop();
    server.close();
  }
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-bench-'));
  const targets: TargetProcess[] = [];
  try {
    // 1. Choosing a pod -> first sample, as the CLI and the extension run it: a MemorySession on a
    //    'k8s' target. A fresh target per run, inspector off: the full SIGUSR1 path.
    process.env.KUBECACHEDIR = cluster.env.KUBECACHEDIR;
    const attach: Array<{ totalMs: number; phases: Record<string, number> }> = [];
    for (let run = 0; run < RUNS; run++) {
      const port = await freePort();
      const target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
      targets.push(target);
      const name = `bench-${run}`;
      cluster.server.pods.push({
        namespace: 'bench',
        name,
        containers: [{ name: 'app', processes: [{ pid: target.pid, real: true }] }],
        ports: { [port]: port },
      });
      const phases: Record<string, number> = {};
      const start = performance.now();
      const session = createMemorySession({
        target: { kind: 'k8s', namespace: 'bench', pod: name, kubeconfig: cluster.kubeconfig },
        metricsIntervalMs: 1000,
        allocationSampling: false,
        log: (line) => {
          const step = /k8s: (reading pod|looking for|sending SIGUSR1|port-forward to)/.exec(line)?.[1];
          if (step) phases[step] = Math.round(performance.now() - start);
        },
      });
      const sampled = new Promise<void>((resolve) => session.once('sample', () => resolve()));
      await session.start();
      phases['session started'] = Math.round(performance.now() - start);
      await sampled;
      const totalMs = performance.now() - start;
      attach.push({ totalMs, phases });
      await session.stop('bench done');
      await target.stop();
      process.stderr.write(`attach run ${run + 1}/${RUNS}: ${Math.round(totalMs)} ms\n`);
    }

    // 2. Forward throughput: ~100 MB snapshot through the forward vs straight from the inspector.
    const port = await freePort();
    const big = await startTarget(dir, {
      nodeArgs: [`--inspect=127.0.0.1:${port}`, '--max-old-space-size=4096'],
      env: { HS_TARGET_HEAP_MB: String(HEAP_MB) },
    });
    targets.push(big);
    cluster.server.pods.push({
      namespace: 'bench',
      name: 'big-0',
      containers: [{ name: 'app', processes: [{ pid: big.pid, real: true }] }],
      ports: { [port]: port },
    });
    const connection = await connectToPod(
      { namespace: 'bench', pod: 'big-0', kubeconfig: cluster.kubeconfig },
      { env: cluster.env },
    );
    const directUrl = `ws://127.0.0.1:${port}/${connection.inspectorUrl.split('/').pop()}`;
    const forward: Array<{ bytes: number; ms: number }> = [];
    const direct: Array<{ bytes: number; ms: number }> = [];
    for (let run = 0; run < 2; run++) {
      direct.push(await pullSnapshot(directUrl));
      forward.push(await pullSnapshot(connection.inspectorUrl));
      process.stderr.write(
        `snapshot run ${run + 1}/2: direct ${Math.round(direct[run]!.ms)} ms, forward ${Math.round(forward[run]!.ms)} ms\n`,
      );
    }
    await connection.dispose();

    // 3. The forward's own ceiling: 100 MB of raw bytes from a TCP server "in the pod", through the
    //    forward and straight, so the snapshot figures can be read against it.
    const raw = await rawThroughput(cluster);

    const mb = (bytes: number) => bytes / (1024 * 1024);
    const rate = (r: { bytes: number; ms: number }) => mb(r.bytes) / (r.ms / 1000);
    const forwardMBps = median(forward.map(rate));
    const directMBps = median(direct.map(rate));
    const results = {
      date: new Date().toISOString(),
      kubectl: `real kubectl against test/k8s-apiserver (loopback, ${cluster.tls ? 'TLS' : 'plain http'}); exec over WebSocket v5, port-forward SPDY-in-WebSocket`,
      node: process.version,
      runs: RUNS,
      podToFirstSample: {
        medianMs: Math.round(median(attach.map((a) => a.totalMs))),
        runsMs: attach.map((a) => Math.round(a.totalMs)),
        via: "MemorySession, target kind 'k8s', inspector off (SIGUSR1 path)",
        phaseStartsMsOfFirstRun: attach[0]?.phases,
      },
      forwardThroughput: {
        snapshotMB: Number(mb(median(forward.map((r) => r.bytes))).toFixed(1)),
        forwardMBPerSecond: Number(forwardMBps.toFixed(1)),
        directMBPerSecond: Number(directMBps.toFixed(1)),
        forwardToDirectRatio: Number((forwardMBps / directMBps).toFixed(2)),
        forwardMs: forward.map((r) => Math.round(r.ms)),
        directMs: direct.map((r) => Math.round(r.ms)),
      },
      rawForwardThroughput: raw,
    };
    console.log(JSON.stringify(results, null, 2));
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/k8s.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    for (const target of targets) await target.stop();
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
