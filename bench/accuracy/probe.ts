// Development probe for the leak analysis: runs one corpus scenario under a minimal CDP reader (not
// the session: that is `heapscope check`), then prints the verdict and suspects. It lets the
// analysis be tuned on real V8 data independently of the CLI. Usage:
//   npx tsx bench/accuracy/probe.ts <fixture.js> [seconds] [--dump file.json]
// The dump holds the raw samples, GC events and profile readings, replayable by the unit tests.
// It also prints the history of the live verdict (what a session would have shown, and when).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { analyzeTrendDetail, attributeHolders, LiveVerdict, rankSuspects } from '../../src/core/leak';
import type {
  AllocationProfileReading,
  AllocationSiteReading,
  GcEvent,
  MemorySample,
  RawFrame,
} from '../../src/core/types';

// Fixed expressions only: nothing from the command line is evaluated in the target.
const READ_MEMORY = `(() => { const m = process.memoryUsage(); const v8 = process.getBuiltinModule('v8');
  return JSON.stringify({ m, limit: v8.getHeapStatistics().heap_size_limit, gc: globalThis.__hsProbeGc.splice(0) }); })()`;
const INSTALL_GC = `(() => { if (globalThis.__hsProbeGc) return; globalThis.__hsProbeGc = [];
  const { PerformanceObserver } = process.getBuiltinModule('perf_hooks');
  new PerformanceObserver((list) => { for (const e of list.getEntries()) { const m = process.memoryUsage();
    globalThis.__hsProbeGc.push({ t: performance.timeOrigin + e.startTime + e.duration, kind: e.detail.kind, d: e.duration, h: m.heapUsed, x: m.external }); } })
    .observe({ entryTypes: ['gc'] }); })()`;

interface ProfileNode {
  callFrame: RawFrame;
  selfSize: number;
  id: number;
  children: ProfileNode[];
}

function flatten(
  root: ProfileNode,
  samples: Array<{ size: number; nodeId: number }>,
): AllocationSiteReading[] {
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(s.nodeId, (counts.get(s.nodeId) ?? 0) + 1);
  const out: AllocationSiteReading[] = [];
  const walk = (node: ProfileNode, parents: RawFrame[]): void => {
    const stack = [node.callFrame, ...parents];
    if (node.selfSize > 0) {
      out.push({
        key: stack.map((f) => `${f.functionName}@${f.scriptId}:${f.lineNumber}:${f.columnNumber}`).join('|'),
        stack,
        liveBytes: node.selfSize,
        sampleCount: counts.get(node.id) ?? 1,
      });
    }
    for (const child of node.children) walk(child, stack);
  };
  walk(root, []);
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--holders');
  const dumpIndex = args.indexOf('--dump');
  const dump = dumpIndex >= 0 ? args.splice(dumpIndex, 2)[1] : undefined;
  const [fixture, secondsText] = args;
  const seconds = Number(secondsText ?? 40);
  const nodeArgs = fixture.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', ...nodeArgs, fixture], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /ws:\/\/\S+/.exec(text);
      if (match) resolve(match[0]);
    });
    child.on('exit', () => reject(new Error(`exited: ${text}`)));
  });
  const client = await CDP({ target: wsUrl });
  const scripts = new Map<string, string>();
  try {
    client.Debugger.on('scriptParsed', (e) => scripts.set(e.scriptId, e.url));
    await client.Debugger.enable({});
    await client.Runtime.enable();
    await client.HeapProfiler.enable();
    await client.Runtime.evaluate({ expression: INSTALL_GC });
    await client.HeapProfiler.startSampling({ samplingInterval: 32768 });
    const samples: MemorySample[] = [];
    const gcEvents: GcEvent[] = [];
    const readings: AllocationProfileReading[] = [];
    const kinds: Record<number, GcEvent['kind']> = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weakcb' };
    // The verdict a session would have shown after each reading.
    const live = new LiveVerdict();
    const startedAtMs = Date.now();
    for (let s = 1; s <= seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      const result = await client.Runtime.evaluate({ expression: READ_MEMORY, returnByValue: true });
      const data = JSON.parse(result.result.value as string);
      samples.push({
        timeMs: Date.now(),
        rssBytes: data.m.rss,
        heapTotalBytes: data.m.heapTotal,
        heapUsedBytes: data.m.heapUsed,
        externalBytes: data.m.external,
        arrayBuffersBytes: data.m.arrayBuffers,
        heapLimitBytes: data.limit,
      });
      for (const g of data.gc) {
        gcEvents.push({
          timeMs: g.t,
          kind: kinds[g.kind] ?? 'unknown',
          durationMs: g.d,
          heapUsedAfterBytes: g.h,
          externalAfterBytes: g.x,
        });
      }
      live.update({ samples, gcEvents }, startedAtMs);
      if (s % 3 === 0) {
        const { profile } = await client.HeapProfiler.getSamplingProfile();
        readings.push({ timeMs: Date.now(), sites: flatten(profile.head as ProfileNode, profile.samples) });
      }
    }
    const detail = analyzeTrendDetail({ samples, gcEvents });
    console.log(JSON.stringify(detail.verdict));
    console.log(
      `heap: ${detail.heap.call} ${detail.heap.detail} (${detail.heap.points} pts); external: ${detail.external.call} ${detail.external.detail}`,
    );
    for (const change of live.history)
      console.log(`live ${change.atSeconds} s: ${change.verdict} (${change.confidence}) ${change.reason}`);
    console.log(`gc events: ${gcEvents.length} (major ${gcEvents.filter((g) => g.kind === 'major').length})`);
    const sources = {
      async getScriptSource(scriptId: string): Promise<string | undefined> {
        if (!scripts.has(scriptId)) return undefined;
        return (await client.Debugger.getScriptSource({ scriptId })).scriptSource;
      },
    };
    let suspects = await rankSuspects(readings, sources, { limit: 5 });
    if (process.argv.includes('--holders')) {
      const workDir = mkdtempSync(join(tmpdir(), 'hs-probe-'));
      let snapshotOut: ReturnType<typeof createWriteStream> | undefined;
      client.on(
        'HeapProfiler.addHeapSnapshotChunk',
        (e: { chunk: string }) => void snapshotOut?.write(e.chunk),
      );
      const started = Date.now();
      suspects = await attributeHolders(suspects, detail.verdict, {
        workDir,
        sources,
        log: (line) => console.log(line),
        takeHeapSnapshot: async (file) => {
          const out = createWriteStream(file);
          snapshotOut = out;
          const t = Date.now();
          await client.HeapProfiler.takeHeapSnapshot({ reportProgress: false });
          snapshotOut = undefined;
          await new Promise((r) => out.end(r));
          console.log(`snapshot ${file} in ${Date.now() - t} ms`);
          return file;
        },
      });
      console.log(`holders: ${Date.now() - started} ms`);
      rmSync(workDir, { recursive: true, force: true });
    }
    for (const s of suspects) {
      console.log(
        `#${s.rank} ${s.kind} ${s.functionName} ${s.url}:${s.line}:${s.column} live ${s.liveBytes} growth ${s.growthBytesPerMinute}/min` +
          (s.note ? `\n    note: ${s.note}` : '') +
          (s.holder
            ? `\n    holder: ${s.holder.kind} ${s.holder.name} ${s.holder.location?.url ?? ''}:${s.holder.location?.line ?? ''} path ${s.holder.path.join(' > ')}`
            : '') +
          `\n    ${s.stack
            .slice(0, 3)
            .map((f) => `${f.functionName}:${f.line}${f.foldedFrom ? ` [${f.foldedFrom}]` : ''}`)
            .join(' < ')}`,
      );
    }
    if (dump) writeFileSync(dump, JSON.stringify({ samples, gcEvents, readings }));
  } finally {
    await client.close().catch(() => {});
    child.kill('SIGKILL');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
