// Benchmark (not a test): how much memory a target needs while V8 writes a heap snapshot, per Node
// version. A target builds a heap of small objects (as a service holds), Heapscope captures a
// snapshot over the inspector (streamed to disk, as the extension and CLI do), and the target's
// peak RSS during the capture is read from /proc (VmHWM, reset just before through clear_refs).
// Prints and writes bench/results/capture-memory.json (rows, date, load average), per row:
//   factor      = peak RSS during capture / heap used
//   extraFactor = (peak RSS − RSS before) / heap used   (what SNAPSHOT_MEMORY_FACTOR stands for)
// Usage: npx tsx bench/snapshot/captureMemory.ts [--heap-mb 40,150] [--node name=/path/to/node ...]
// Linux only (reads /proc); resetting VmHWM needs to own the target (it is our child).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { captureHeapSnapshot } from '../../src/core/heapsnapshot/capture';
import { openCdpClient } from '../../src/core/inspector/cdp';

const ROOT = path.resolve(__dirname, '../..');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const heapSizesMb = (arg('--heap-mb') ?? '40,150').split(',').map(Number);
const nodes: Array<[string, string]> = [];
for (let i = 0; i < process.argv.length; i++) {
  if (process.argv[i] === '--node') {
    const [name, bin] = process.argv[i + 1]!.split('=');
    nodes.push([name!, bin!]);
  }
}
if (!nodes.length) nodes.push([`node ${process.version}`, process.execPath]);

const TARGET = `
const big = (globalThis.__big = []);
const target = Number(process.env.HEAP_MB) * 1024 * 1024;
for (let i = 0; process.memoryUsage().heapUsed < target; i++) {
  big.push({ id: i, name: 'item-' + i, tags: ['a' + (i % 97), 'b' + (i % 89)], value: { n: i, s: String(i) } });
}
setInterval(() => {}, 1000);
process.stdout.write('ready\\n');
`;

function status(pid: number): { rssKb: number; hwmKb: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

async function measure(name: string, bin: string, heapMb: number, dir: string) {
  const script = path.join(dir, 'target.js');
  writeFileSync(script, TARGET);
  const child = spawn(bin, ['--inspect=127.0.0.1:0', script], {
    env: { ...process.env, HEAP_MB: String(heapMb) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`target exited ${code}: ${err}`)));
  });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const client = await openCdpClient({ target: url });
  try {
    await client.send('HeapProfiler.collectGarbage');
    const usage = await client.send('Runtime.getHeapUsage');
    const before = status(child.pid!);
    writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
    const file = path.join(dir, `${heapMb}.heapsnapshot`);
    const t0 = performance.now();
    const result = await captureHeapSnapshot(client, file);
    const seconds = (performance.now() - t0) / 1000;
    const after = status(child.pid!);
    rmSync(file, { force: true });
    const heapUsed = usage.usedSize;
    const peak = after.hwmKb * 1024;
    return {
      node: name,
      heapMb,
      heapUsedBytes: heapUsed,
      rssBeforeBytes: before.rssKb * 1024,
      peakRssBytes: peak,
      factor: +(peak / heapUsed).toFixed(2),
      extraFactor: +((peak - before.rssKb * 1024) / heapUsed).toFixed(2),
      snapshotBytes: result.bytes,
      captureSeconds: +seconds.toFixed(1),
    };
  } finally {
    await client.close();
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-capmem-'));
  const rows = [];
  try {
    for (const [name, bin] of nodes) {
      for (const heapMb of heapSizesMb) {
        const row = await measure(name, bin, heapMb, dir);
        rows.push(row);
        console.log(
          `${row.node.padEnd(14)} heap ${(row.heapUsedBytes / 1048576).toFixed(0).padStart(4)} MiB  ` +
            `RSS ${(row.rssBeforeBytes / 1048576).toFixed(0)} -> peak ${(row.peakRssBytes / 1048576).toFixed(0)} MiB  ` +
            `peak/heap ×${row.factor}  extra/heap ×${row.extraFactor}  (${row.captureSeconds} s, file ${(row.snapshotBytes / 1048576).toFixed(0)} MiB)`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const result = { date: new Date().toISOString(), loadAverage: loadavg(), rows };
  writeFileSync(path.join(ROOT, 'bench/results/capture-memory.json'), `${JSON.stringify(result, null, 2)}\n`);
}

void main();
