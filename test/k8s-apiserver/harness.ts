// Test and bench plumbing around the local API server: real Node "container" processes, a kubeconfig in
// a temp dir, kubectl's discovery cache kept out of the user's home, and clean-up of it all.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FakeApiServer, TEST_TOKEN, opensslAvailable } from './server';

/** A Node process standing in for the app in a container. It allocates a little, all the time. */
export const TARGET_SOURCE = `
const kept = [];
setInterval(() => {
  kept.push({ at: Date.now(), data: new Array(200).fill(Math.random()) });
  if (kept.length > 500) kept.splice(0, 100);
}, 20);
if (process.env.HS_TARGET_HEAP_MB) {
  // A big heap for the snapshot benchmark: many small objects, as a real service holds.
  const big = (globalThis.__big = []);
  const target = Number(process.env.HS_TARGET_HEAP_MB) * 1024 * 1024;
  let bytes = 0;
  for (let i = 0; bytes < target; i++) {
    big.push({ id: i, name: 'item-' + i, tags: ['a' + (i % 97), 'b' + (i % 89)], value: { n: i, s: String(i) } });
    bytes += 200;
  }
}
process.stdout.write('ready\\n');
`;

export interface TargetProcess {
  child: ChildProcess;
  pid: number;
  /** The inspector port printed on stderr ("Debugger listening on ws://127.0.0.1:<port>/..."), once on. */
  inspectorPort(): number | undefined;
  stop(): Promise<void>;
}

export async function startTarget(
  dir: string,
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<TargetProcess> {
  const file = path.join(dir, 'app.js');
  writeFileSync(file, TARGET_SOURCE);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...options.env },
  });
  let port: number | undefined;
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const match = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
    if (match) port = Number(match[1]);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`target exited (${code}): ${stderr}`)));
  });
  return {
    child,
    pid: child.pid!,
    inspectorPort: () => port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface Cluster {
  server: FakeApiServer;
  dir: string;
  kubeconfig: string;
  tls: boolean;
  /** Environment for kubectl: its discovery cache in the temp dir, not in ~/.kube. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A local API server with a kubeconfig for it. TLS (with the token required) whenever the openssl CLI
 * is there to make a certificate (Debian's ca-certificates depends on it); plain HTTP otherwise.
 */
export async function startCluster(options: { tls?: boolean } = {}): Promise<Cluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-test-'));
  const tls = options.tls ?? opensslAvailable();
  const server = new FakeApiServer({ tls });
  await server.start();
  const closedPort = await freePort();
  const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'), {
    extraContexts: [{ name: 'unreachable', server: `http://127.0.0.1:${closedPort}` }],
  });
  return {
    server,
    dir,
    tls,
    kubeconfig,
    env: { KUBECACHEDIR: path.join(dir, 'kube-cache') },
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pids of running kubectl processes whose command line mentions this kubeconfig. */
export async function kubectlProcessesFor(kubeconfig: string): Promise<number[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('kubectl') && cmdline.includes(kubeconfig)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * An exec credential plugin, as cloud logins use (gke-gcloud-auth-plugin, aws eks get-token): a Node
 * script that prints an ExecCredential with the token, and counts its calls in a file.
 */
export function writeExecPlugin(dir: string): { plugin: string; callsFile: string } {
  const plugin = path.join(dir, 'credential-plugin.js');
  const callsFile = path.join(dir, 'credential-plugin.calls');
  writeFileSync(
    plugin,
    `require('fs').appendFileSync(${JSON.stringify(callsFile)}, 'call\\n');
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: ${JSON.stringify(TEST_TOKEN)} },
}));
`,
  );
  return { plugin, callsFile };
}
