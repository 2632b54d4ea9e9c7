// The `heapscope` debug type's adapter, spoken to over DAP exactly as VS Code does (requests in,
// responses and events out), starting real memory sessions on a real Node process.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { MemorySessionApi } from '../../../src/core/session/api';
import { HeapscopeDebugAdapter, type MemorySessionHost } from '../../../src/extension/debugAdapter';
import { createMemorySession } from '../../../src/extension/engine';

const repo = path.resolve(__dirname, '../../..');
const leakyService = path.join(repo, 'examples/leaky-service/server.js');

/** What VS Code sends in `initialize` (@vscode/debugadapter refuses anything but native paths). */
const VSCODE_INITIALIZE = {
  clientID: 'vscode',
  adapterID: 'heapscope',
  linesStartAt1: true,
  columnsStartAt1: true,
  pathFormat: 'path',
  supportsRunInTerminalRequest: true,
};

/** Drives an adapter like VS Code's inline implementation does. */
class DapClient {
  private seq = 1;
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly adapter: HeapscopeDebugAdapter) {
    adapter.onDidSendMessage((m) => {
      this.messages.push(m as DebugProtocol.ProtocolMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    this.adapter.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return this.waitFor(
      (m): m is DebugProtocol.Response =>
        m.type === 'response' && (m as DebugProtocol.Response).request_seq === seq,
    );
  }

  event(name: string): Promise<DebugProtocol.Event> {
    return this.waitFor(
      (m): m is DebugProtocol.Event => m.type === 'event' && (m as DebugProtocol.Event).event === name,
    );
  }

  async waitFor<T extends DebugProtocol.ProtocolMessage>(
    match: (m: DebugProtocol.ProtocolMessage) => m is T,
  ): Promise<T> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  output(): string {
    return this.messages
      .filter((m) => m.type === 'event' && (m as DebugProtocol.Event).event === 'output')
      .map((m) => (m as DebugProtocol.OutputEvent).body.output)
      .join('');
  }
}

describe('extension debug adapter (heapscope launch.json type)', function () {
  this.timeout(60000);
  let dir: string;
  const sessions: MemorySessionApi[] = [];
  const host: MemorySessionHost = {
    startForDebugSession: async ({ target }) => {
      const session = createMemorySession({
        target,
        metricsIntervalMs: 200,
        recordingDir: path.join(dir, 'rec'),
        projectRoot: repo,
      });
      sessions.push(session);
      await session.start();
      return session;
    },
    stop: async (id, reason) => {
      await sessions.find((s) => s.id === id)?.stop(reason);
    },
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hs-dap-'));
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.stop('test cleanup').catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('launches a program, observes it, and stops it from the debug toolbar', async () => {
    const client = new DapClient(new HeapscopeDebugAdapter(host, 'dbg-1', repo));
    const init = await client.request('initialize', VSCODE_INITIALIZE);
    assert.equal(init.success, true);
    assert.equal((init as DebugProtocol.InitializeResponse).body?.supportsTerminateRequest, true);
    await client.event('initialized');
    const launched = await client.request('launch', {
      type: 'heapscope',
      request: 'launch',
      name: 'Memory: api server',
      program: leakyService,
    });
    assert.equal(launched.success, true, JSON.stringify(launched));
    await client.request('configurationDone');
    const threads = (await client.request('threads')) as DebugProtocol.ThreadsResponse;
    assert.deepEqual(threads.body.threads, []);
    const session = sessions[0]!;
    assert.equal(session.status.state, 'observing');
    await waitUntil(() => session.samples.length >= 3);
    assert.ok(session.samples.at(-1)!.heapUsedBytes > 0);
    assert.match(client.output(), /observing/);
    const pid = session.target.pid;
    const disconnected = await client.request('disconnect', { terminateDebuggee: true });
    assert.equal(disconnected.success, true);
    assert.equal(session.status.state, 'stopped');
    if (pid) assert.equal(isAlive(pid), false, 'the launched program was stopped with the session');
  });

  it('ends the debug session when the target exits on its own', async () => {
    const client = new DapClient(new HeapscopeDebugAdapter(host, 'dbg-2', repo));
    await client.request('initialize', VSCODE_INITIALIZE);
    const launched = await client.request('launch', {
      request: 'launch',
      name: 'short',
      runtimeExecutable: process.execPath,
      runtimeArgs: ['-e', 'setTimeout(() => {}, 1500)'],
    });
    assert.equal(launched.success, true, JSON.stringify(launched));
    await client.event('terminated');
    assert.equal(sessions[0]!.status.state, 'target-exited');
  });

  it('answers a bad launch.json entry with a message the user can act on', async () => {
    const client = new DapClient(new HeapscopeDebugAdapter(host, 'dbg-3', repo));
    await client.request('initialize', VSCODE_INITIALIZE);
    const bad = await client.request('attach', { request: 'attach', name: 'nothing' });
    assert.equal(bad.success, false);
    assert.match(
      (bad as DebugProtocol.ErrorResponse).body?.error?.format ?? bad.message ?? '',
      /needs one of "address"\/"port", "pid" or "pod"/,
    );
    await client.event('terminated');
    const unreachable = new DapClient(new HeapscopeDebugAdapter(host, 'dbg-4', repo));
    await unreachable.request('initialize', VSCODE_INITIALIZE);
    const refused = await unreachable.request('attach', { request: 'attach', address: '127.0.0.1', port: 1 });
    assert.equal(refused.success, false);
    await unreachable.event('terminated');
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
