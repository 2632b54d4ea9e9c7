// What the snapshot benches share: the cache folder, a script bundled for a child process, DevTools'
// parser as a runner, and a child process timed under /usr/bin/time -v (wall, CPU, peak RSS).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

export const ROOT = path.resolve(__dirname, '../..');
export const CACHE = path.join(ROOT, '.cache/bench');
mkdirSync(CACHE, { recursive: true });

/** Writes `source` as .cache/bench/<name>.ts and bundles it into <name>.js for a child process. */
export async function bundledScript(name: string, source: string): Promise<string> {
  const entry = path.join(CACHE, `${name}.ts`);
  writeFileSync(entry, source);
  const out = path.join(CACHE, `${name}.js`);
  await esbuild.build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
    external: ['chrome-remote-interface'],
  });
  return out;
}

/** Chrome DevTools' own parser (heap-snapshot-toolkit): parse, dominators, retained sizes. */
export function devtoolsRunner(): string {
  const out = path.join(CACHE, 'devtools-analyse.mjs');
  const toolkit = path.join(ROOT, 'node_modules/heap-snapshot-toolkit/index.js');
  writeFileSync(
    out,
    `import { createReadStream } from 'node:fs';
import { parse } from ${JSON.stringify(toolkit)};
const snapshot = await parse(createReadStream(process.argv[2], 'utf-8'));
console.log(JSON.stringify({ nodeCount: snapshot.nodeCount, rootRetainedBytes: snapshot.rootNode().retainedSize() }));\n`,
  );
  return out;
}

// The tools run without NODE_EXTRA_CA_CERTS: none of them speaks TLS, and on machines that set it
// (these do, for their proxy) every Node process spends ~70 ms loading the bundle at start-up, a
// fixed cost that says nothing about either tool. The same environment for all.
const { NODE_EXTRA_CA_CERTS: _extraCerts, ...toolEnv } = process.env;

export interface TimedRun {
  seconds: number;
  cpuSeconds: number;
  /** -1 when /usr/bin/time did not say. */
  peakRssMb: number;
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** `node --max-old-space-size=<heapMb> <script> <args>` under /usr/bin/time -v (warm: once untimed first). */
export function timedNode(script: string, args: string[], heapMb: number, warm = false): TimedRun {
  const command = ['-v', process.execPath, `--max-old-space-size=${heapMb}`, script, ...args];
  const options = { encoding: 'utf8', maxBuffer: 64 << 20, env: toolEnv } as const;
  if (warm) spawnSync('/usr/bin/time', command, options);
  const t0 = performance.now();
  const result = spawnSync('/usr/bin/time', command, options);
  const seconds = (performance.now() - t0) / 1000;
  const stderr = result.stderr ?? '';
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return {
    seconds: Math.round(seconds * 100) / 100,
    cpuSeconds: Math.round((Number(user?.[1] ?? 0) + Number(sys?.[1] ?? 0)) * 100) / 100,
    peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : -1,
    ok: result.status === 0,
    stdout: result.stdout ?? '',
    stderr,
  };
}
