// Reaching real Node inspectors: by URL, host:port and port; launching and stopping (no leftover
// processes); waking a process by pid; discovery; and each way an address can be wrong.
import { strict as assert } from 'node:assert';
import { isHeapscopeError } from '../../../src/core/errors';
import {
  connectTarget,
  launchWithInspector,
  listInspectors,
  listNodeProcesses,
  openCdpClient,
  resolveInspector,
  wakeInspector,
  type LaunchedProcess,
} from '../../../src/core/inspector';
import { alive, eventually, fixture, freePort, startNode, type Started } from './targets';

describe('inspector (real Node processes)', function () {
  this.timeout(60_000);
  let launched: LaunchedProcess | undefined;
  const started: Started[] = [];

  afterEach(async () => {
    await launched?.stop();
    launched = undefined;
    for (const s of started.splice(0)) await s.kill();
  });

  async function pidOver(url: string): Promise<number> {
    const client = await openCdpClient({ target: url });
    try {
      const reply = await client.send('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
      return reply.result.value as number;
    } finally {
      await client.close();
    }
  }

  it('launches node with the inspector on 127.0.0.1 and attaches by URL, host:port and port', async () => {
    launched = await launchWithInspector(process.execPath, [fixture('idle.js')]);
    const url = new URL(launched.inspectorUrl);
    assert.equal(url.hostname, '127.0.0.1');
    const port = Number(url.port);
    for (const address of [launched.inspectorUrl, `127.0.0.1:${port}`, String(port)]) {
      const resolved = await resolveInspector(address);
      assert.equal(resolved.warning, undefined, address);
      assert.equal(await pidOver(resolved.webSocketDebuggerUrl), launched.pid, address);
    }
    const listed = await listInspectors({ ports: [port] });
    const entry = listed.find((i) => i.port === port && i.webSocketDebuggerUrl === launched!.inspectorUrl);
    assert.ok(entry, JSON.stringify(listed));
    // The pid comes from /proc (listening socket inode -> fd link), not from the target.
    if (process.platform === 'linux') assert.equal(entry.pid, launched.pid);
  });

  it('stops a launched command and its children (process group)', async () => {
    let childPid = 0;
    launched = await launchWithInspector(process.execPath, [fixture('spawn-child.js')], {
      onOutput: (line) => {
        const match = /child-pid (\d+)/.exec(line);
        if (match) childPid = Number(match[1]);
      },
    });
    assert.ok(await eventually(() => childPid > 0), 'grandchild started');
    assert.ok(alive(childPid) && alive(launched.pid));
    await launched.stop();
    assert.ok(await eventually(() => !alive(childPid) && !alive(launched!.pid), 5000), 'no leftover process');
    launched = undefined;
  });

  it('launches a non-node command through NODE_OPTIONS', async () => {
    launched = await launchWithInspector('sh', ['-c', `exec "${process.execPath}" "${fixture('idle.js')}"`]);
    assert.equal(await pidOver(launched.inspectorUrl), launched.pid);
  });

  it('says clearly when the command exits at start-up', async () => {
    await assert.rejects(
      launchWithInspector(process.execPath, [fixture('exit-early.js')]),
      (error: unknown) => {
        assert.ok(isHeapscopeError(error, 'target-exited'));
        assert.match(error.message, /exited at start-up \(exit code 3\)/);
        assert.match(error.message, /giving up/);
        return true;
      },
    );
    await assert.rejects(
      launchWithInspector('/nonexistent/heapscope-cmd', []),
      (error: unknown) => isHeapscopeError(error, 'usage') && /Command not found/.test(error.message),
    );
  });

  it('says clearly when nothing listens or the port is not a Node inspector', async () => {
    const port = await freePort();
    await assert.rejects(
      resolveInspector(String(port)),
      (error: unknown) =>
        isHeapscopeError(error, 'target-unreachable') && error.message.includes(`127.0.0.1:${port}`),
    );
    const http = startNode([fixture('not-inspector.js')]);
    started.push(http);
    const httpPort = (await http.waitFor(/port (\d+)/))[1];
    await assert.rejects(
      resolveInspector(`127.0.0.1:${httpPort}`),
      (error: unknown) =>
        isHeapscopeError(error, 'target-not-node') && /not a Node inspector/.test(error.message),
    );
    await assert.rejects(resolveInspector('not an address'), (error: unknown) =>
      isHeapscopeError(error, 'usage'),
    );
  });

  it('warns loudly about an inspector that is not on loopback', async () => {
    const resolved = await resolveInspector('ws://10.1.2.3:9229/abc');
    assert.match(resolved.warning ?? '', /not on loopback/);
  });

  it('wakes a running node process with SIGUSR1 and checks the pid', async () => {
    const port = await freePort();
    const target = startNode([`--inspect-port=${port}`, fixture('idle.js')]);
    started.push(target);
    await eventually(() => target.child.pid !== undefined);
    // Give Node a moment to install its SIGUSR1 handler.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const processes = await listNodeProcesses();
    assert.ok(processes.some((p) => p.pid === target.child.pid && p.command.includes('idle.js')));
    const woken = await wakeInspector(target.child.pid!, { port });
    assert.match(woken.actions.join(' '), /SIGUSR1/);
    assert.equal(await pidOver(woken.webSocketDebuggerUrl), target.child.pid);
    // The port is now taken by that process: another pid must not be mistaken for it.
    const other = startNode(['--inspect-port=0', fixture('idle.js')]);
    started.push(other);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(
      wakeInspector(other.child.pid!, { port }),
      (error: unknown) => isHeapscopeError(error, 'target-not-node') && /belongs to pid/.test(error.message),
    );
  });

  it('refuses SIGUSR1 to a process that is not node, and to a pid that does not exist', async () => {
    await assert.rejects(wakeInspector(1 << 22), (error: unknown) =>
      isHeapscopeError(error, 'target-unreachable'),
    );
    const sleeper = (await import('node:child_process')).spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await assert.rejects(wakeInspector(sleeper.pid!), (error: unknown) =>
        isHeapscopeError(error, 'target-not-node'),
      );
      assert.ok(alive(sleeper.pid!), 'sleep was not signalled');
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('connects a TargetSpec of kind cdp as given, shared', async () => {
    launched = await launchWithInspector(process.execPath, [fixture('idle.js')]);
    const connection = await connectTarget({
      kind: 'cdp',
      options: { target: launched.inspectorUrl, local: true },
      shared: true,
    });
    try {
      assert.equal(connection.shared, true);
      assert.equal(connection.info.kind, 'debug-session');
      const reply = await connection.client.send('Runtime.evaluate', {
        expression: '1 + 1',
        returnByValue: true,
      });
      assert.equal(reply.result.value, 2);
    } finally {
      await connection.dispose();
    }
  });
});
