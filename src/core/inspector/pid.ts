// Wakes the inspector of a running Node process with SIGUSR1 (what `node --inspect` would have
// opened, on 127.0.0.1:9229 by default), then checks that the inspector found really is that pid:
// another process may already hold the port.
import { HeapscopeError, describeError } from '../errors';
import { listInspectorTargets, type JsonListTarget } from './address';
import { openCdpClient } from './cdp';
import { looksLikeNode, processArgv } from './processes';

export interface WokenInspector {
  webSocketDebuggerUrl: string;
  port: number;
  title?: string;
  /** What was done to the process, in words. */
  actions: string[];
}

/** The only expression evaluated to check identity: a fixed one. */
const PID_EXPRESSION = 'process.pid';

export async function wakeInspector(
  pid: number,
  options: { port?: number; host?: string; timeoutMs?: number } = {},
): Promise<WokenInspector> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9229;
  if (!Number.isInteger(pid) || pid <= 0) throw new HeapscopeError('usage', `"${pid}" is not a process id.`);
  if (process.platform === 'win32') {
    throw new HeapscopeError(
      'usage',
      '--pid needs SIGUSR1 (Linux or macOS). Start the process with --inspect instead.',
    );
  }
  const argv = await processArgv(pid);
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH')
      throw new HeapscopeError('target-unreachable', `No process with pid ${pid} is running.`);
    if (code !== 'EPERM')
      throw new HeapscopeError('target-unreachable', `Cannot reach pid ${pid}: ${describeError(error)}`);
    throw new HeapscopeError(
      'target-unreachable',
      `Not allowed to signal pid ${pid} (it belongs to another user).`,
    );
  }
  // SIGUSR1's default action terminates a process: only send it to something known to be Node. A
  // command line that cannot be read (permissions, a zombie, `ps` failing) is not known to be Node.
  if (!argv || argv.length === 0 || !argv[0]) {
    throw new HeapscopeError(
      'target-not-node',
      `Cannot read the command line of pid ${pid} (no permission, a zombie, or \`ps\` failed), so it is not known ` +
        'to be a Node.js process; SIGUSR1 would stop any other process, so it was not sent. Start the process ' +
        'with --inspect, or attach with --attach to its inspector port.',
    );
  }
  if (!looksLikeNode(argv[0])) {
    throw new HeapscopeError(
      'target-not-node',
      `pid ${pid} is not a Node.js process (${argv.slice(0, 3).join(' ')}); SIGUSR1 would stop it, so it was not sent.`,
    );
  }
  const actions: string[] = [];
  let targets = await tryList(host, port);
  if (!targets || !(await ownedBy(targets, pid))) {
    process.kill(pid, 'SIGUSR1');
    actions.push(`sent SIGUSR1 to pid ${pid} (its inspector stays on until the process exits)`);
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    targets = undefined;
    while (Date.now() < deadline) {
      targets = await tryList(host, port);
      if (targets?.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (!targets?.length) {
    throw new HeapscopeError(
      'target-unreachable',
      `pid ${pid} got SIGUSR1 but no inspector answers on ${host}:${port}. If it was started with ` +
        `--inspect-port=<n> or the port was busy, pass --attach 127.0.0.1:<port> instead.`,
    );
  }
  const target = targets.find((t) => t.webSocketDebuggerUrl)!;
  const owner = await ownerPid(target);
  if (owner !== pid) {
    throw new HeapscopeError(
      'target-not-node',
      `The inspector on ${host}:${port} belongs to pid ${owner ?? '?'}, not ${pid} (the port was taken). ` +
        'Stop the other process or attach with --attach to the right port.',
    );
  }
  return { webSocketDebuggerUrl: target.webSocketDebuggerUrl!, port, title: target.title, actions };
}

async function tryList(host: string, port: number): Promise<JsonListTarget[] | undefined> {
  try {
    return (await listInspectorTargets(host, port, 1000)).filter((t) => t.webSocketDebuggerUrl);
  } catch {
    return undefined;
  }
}

async function ownedBy(targets: JsonListTarget[], pid: number): Promise<boolean> {
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  return target !== undefined && (await ownerPid(target)) === pid;
}

async function ownerPid(target: JsonListTarget): Promise<number | undefined> {
  try {
    const client = await openCdpClient({ target: target.webSocketDebuggerUrl! });
    try {
      const reply = await client.send('Runtime.evaluate', {
        expression: PID_EXPRESSION,
        returnByValue: true,
      });
      const value = reply?.result?.value;
      return typeof value === 'number' ? value : undefined;
    } finally {
      await client.close().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}
