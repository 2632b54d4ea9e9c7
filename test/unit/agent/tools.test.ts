// The agent tools' contract: input validation (clear messages, defaults, numbers as strings), the
// output budget (top suspects only, JSON within the budget, what was cut counted), and package.json's
// language model tools agreeing with the tools the code registers.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { agentTools, answerText, compactReport, findAgentTool, fitToBudget } from '../../../src/core/agent';
import type { AgentTool, AgentToolContext, RunningSession } from '../../../src/core/agent';
import { isHeapscopeError } from '../../../src/core/errors';
import { buildReport } from '../../../src/core/report';
import type { MemorySessionApi, SessionEvents, SessionOptions } from '../../../src/core/session/api';
import type { ReportV1, Suspect } from '../../../src/core/types';

const tool = (name: string): AgentTool => {
  const found = findAgentTool(name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};

function rejects(name: string, input: unknown, message: RegExp): void {
  assert.throws(
    () => tool(name).parse(input),
    (error: unknown) => isHeapscopeError(error, 'usage') && message.test((error as Error).message),
  );
}

function suspect(i: number): Suspect {
  return {
    rank: i + 1,
    kind: 'heap',
    functionName: `grow${i}`,
    url: `file:///srv/app/src/module${i}.js`,
    line: 10 + i,
    column: 3,
    allocation: { line: 12 + i, column: 5, callee: 'push', how: 'callee-in-source' },
    liveBytes: 1_000_000 - i * 1000,
    growthBytesPerMinute: 500_000 - i * 1000,
    stack: Array.from({ length: 12 }, (_, f) => ({
      functionName: `caller${f}`,
      url: `file:///srv/app/src/deep${f}.js`,
      line: f + 1,
      column: 1,
    })),
    holder: {
      kind: 'Array',
      name: 'sessionLog',
      path: Array.from({ length: 20 }, (_, s) => `step ${s} of a long retainer path`),
      location: { functionName: '', url: 'file:///srv/app/src/log.js', line: 4, column: 7 },
    },
    series: Array.from({ length: 300 }, (_, t) => [t * 1000, t * 4096] as [number, number]),
  };
}

function bigReport(suspects = 40): ReportV1 {
  return buildReport({
    target: { kind: 'launch', pid: 42, command: ['node', 'server.js'] },
    startedAtMs: 0,
    endedAtMs: 60_000,
    samples: [
      {
        timeMs: 60_000,
        rssBytes: 90e6,
        heapTotalBytes: 60e6,
        heapUsedBytes: 50e6,
        externalBytes: 1e6,
        arrayBuffersBytes: 0,
        spaces: { old_space: 40e6, new_space: 1e6 },
      },
    ],
    gcEvents: 12,
    verdict: {
      verdict: 'leak',
      growth: { heapBytesPerMinute: 2_400_000, externalBytesPerMinute: 0, confidence: 0.97 },
      reason: 'The heap floor rose steadily after every major GC.',
    },
    suspects: Array.from({ length: suspects }, (_, i) => suspect(i)),
  });
}

describe('agent tools: input validation', () => {
  it('every tool takes no input or an object, and rejects anything else', () => {
    for (const t of agentTools) {
      assert.throws(() => t.parse('node server.js'), /must be a JSON object/, t.name);
      assert.throws(() => t.parse([1]), /must be a JSON object/, t.name);
    }
  });

  it('heapscope_check wants exactly one target, on loopback, for 5..600 s', () => {
    rejects('heapscope_check', {}, /give exactly one target/);
    rejects('heapscope_check', { pid: 1, attach: '9229' }, /give exactly one target/);
    rejects('heapscope_check', { attach: '10.0.0.5:9229' }, /not on loopback/);
    rejects('heapscope_check', { attach: 'ws://example.com:9229/abc' }, /not on loopback/);
    rejects('heapscope_check', { pid: -3 }, /"pid" must be a whole number from 1/);
    rejects(
      'heapscope_check',
      { pid: 7, durationSeconds: 4 },
      /"durationSeconds" must be a whole number from 5 to 600, not 4/,
    );
    rejects('heapscope_check', { pid: 7, durationSeconds: 601 }, /from 5 to 600/);
    rejects('heapscope_check', { command: [] }, /"command" must be a list of 1 to 100 non-empty strings/);
    rejects('heapscope_check', { command: 'node server.js' }, /"command" must be a list/);
    rejects('heapscope_check', { pid: 7, holders: 'yes' }, /"holders" must be true or false/);
  });

  it('heapscope_check fills defaults and accepts numbers sent as strings', () => {
    const parsed = tool('heapscope_check').parse({ pid: '4242', durationSeconds: '30' }) as {
      target: unknown;
      durationSeconds: number;
      holders: boolean;
      suspects: number;
    };
    assert.deepEqual(parsed, {
      target: { kind: 'pid', pid: 4242 },
      durationSeconds: 30,
      holders: true,
      suspects: 5,
    });
    const launch = tool('heapscope_check').parse({ command: ['node', 'server.js', '--port', '0'] }) as {
      target: unknown;
      durationSeconds: number;
    };
    assert.deepEqual(launch.target, {
      kind: 'launch',
      command: 'node',
      args: ['server.js', '--port', '0'],
      cwd: undefined,
    });
    assert.equal(launch.durationSeconds, 60);
    const attach = tool('heapscope_check').parse({ attach: '127.0.0.1:9229' }) as { target: unknown };
    assert.deepEqual(attach.target, { kind: 'attach', address: '127.0.0.1:9229' });
  });

  it('snapshot tools want their files and exactly one retainers query', () => {
    rejects('heapscope_snapshot_summary', {}, /"file" is required/);
    rejects(
      'heapscope_snapshot_summary',
      { file: 'a.heapsnapshot', top: 0 },
      /"top" must be a whole number from 1 to 50/,
    );
    rejects('heapscope_snapshot_compare', {}, /"files" \(two or three \.heapsnapshot files\) is required/);
    rejects('heapscope_snapshot_compare', { files: ['a.heapsnapshot'] }, /list of 2 to 3/);
    rejects('heapscope_snapshot_compare', { files: ['a', 'b', 'c', 'd'] }, /list of 2 to 3/);
    rejects('heapscope_retainers', { file: 'a.heapsnapshot' }, /exactly one of "constructorName" or "id"/);
    rejects('heapscope_retainers', { file: 'a.heapsnapshot', constructorName: 'X', id: 3 }, /exactly one of/);
    assert.deepEqual(tool('heapscope_retainers').parse({ file: 'a.heapsnapshot', id: '12' }), {
      file: 'a.heapsnapshot',
      constructorName: undefined,
      id: 12,
      objects: 3,
    });
  });

  it('snapshot tools refuse a file that is not a .heapsnapshot, or missing, before any parsing', async () => {
    const context: AgentToolContext = { projectRoot: '/nonexistent-root' };
    const summary = tool('heapscope_snapshot_summary');
    await assert.rejects(
      summary.run(summary.parse({ file: '/etc/passwd' }), context),
      /is not a \.heapsnapshot file/,
    );
    await assert.rejects(
      summary.run(summary.parse({ file: 'x.heapsnapshot' }), context),
      /no file \/nonexistent-root\/x\.heapsnapshot/,
    );
  });

  it('heapscope_prometheus_history checks the container, window and end before any request', () => {
    rejects('heapscope_prometheus_history', {}, /"container" is required/);
    rejects('heapscope_prometheus_history', { container: 'shop/api' }, /namespace>\/<pod>\/<container>/);
    rejects(
      'heapscope_prometheus_history',
      { container: 'shop/api-0/app', window: 'forever' },
      /not like 30m/,
    );
    rejects(
      'heapscope_prometheus_history',
      { container: 'shop/api-0/app', end: 'yesterday' },
      /neither Unix seconds/,
    );
    assert.deepEqual(tool('heapscope_prometheus_history').parse({ container: 'shop/api-0/app' }), {
      container: 'shop/api-0/app',
      url: undefined,
      window: '24h',
      end: 'now',
    });
  });

  it('heapscope_session_state says when no session runs, and which ones do', async () => {
    const state = tool('heapscope_session_state');
    await assert.rejects(state.run(state.parse({}), {}), /no memory session is running here/);
    const sessions = (): RunningSession[] => [
      { id: 's1', name: 'api', session: new FakeSession({}, bigReport()) as unknown as MemorySessionApi },
    ];
    await assert.rejects(
      state.run(state.parse({ sessionId: 'nope' }), { sessions }),
      /no session "nope"; running: s1/,
    );
  });
});

/** A MemorySession stand-in: starts, reports the target exited, and stops with a given report. */
class FakeSession extends EventEmitter<SessionEvents> {
  stopped = 0;
  readonly id = 'fake';
  readonly target = { kind: 'launch' as const, pid: 42 };
  status: { state: 'observing' | 'target-exited' | 'stopped' } = { state: 'observing' };
  constructor(
    readonly options: Partial<SessionOptions>,
    private readonly finalReport: ReportV1,
  ) {
    super();
  }
  async start(): Promise<void> {
    setImmediate(() => this.emit('status', { state: 'target-exited', message: 'target exited (code 0)' }));
  }
  async stop(): Promise<ReportV1> {
    this.stopped++;
    this.status = { state: 'stopped' };
    return this.finalReport;
  }
  report(): ReportV1 {
    return this.finalReport;
  }
}

describe('agent tools: output budget', () => {
  it('compactReport keeps the schema fields, the top suspects, and file:line links', () => {
    const report = bigReport();
    const compact = compactReport(report) as { suspects: Array<Record<string, unknown>>; omitted: unknown };
    assert.equal(compact.suspects.length, 5);
    assert.deepEqual(compact.omitted, { suspects: 35 });
    const first = compact.suspects[0]!;
    assert.equal(first.location, '/srv/app/src/module0.js:12:5');
    assert.equal((first.stack as string[]).length, 3);
    assert.equal(first.series, undefined);
    const holder = first.holder as { path: string[]; location: string };
    assert.equal(holder.location, '/srv/app/src/log.js:4:7');
    assert.equal(holder.path.length, 7);
    assert.equal(holder.path[0], '…');
    for (const key of ['schema', 'tool', 'target', 'verdict', 'reason', 'growth', 'samples', 'gcEvents'])
      assert.ok(key in compact, key);
  });

  it('fitToBudget cuts the longest lists from their ends until the JSON fits, and counts the cut', () => {
    const value = {
      verdict: 'leak',
      rows: Array.from({ length: 500 }, (_, i) => ({ name: `constructor-${i}`, bytes: i })),
      small: [1, 2, 3],
    };
    const fitted = fitToBudget(value, 2000);
    assert.ok(JSON.stringify(fitted).length <= 2000, `${JSON.stringify(fitted).length}`);
    assert.equal(fitted.rows[0]!.name, 'constructor-0');
    assert.deepEqual(fitted.small, [1, 2, 3]);
    assert.equal(fitted.rows.length + fitted.omitted!.rows!, 500);
    assert.equal(value.rows.length, 500, 'the input is not changed');
    assert.deepEqual(fitToBudget({ a: [1, 2] }, 2000), { a: [1, 2] });
  });

  it('heapscope_check answers with at most the asked suspects, within the budget, and stops the session', async () => {
    const check = tool('heapscope_check');
    let made: FakeSession | undefined;
    const context: AgentToolContext = {
      projectRoot: '/srv/app',
      createSession: (options) =>
        (made = new FakeSession(options, bigReport())) as unknown as MemorySessionApi,
    };
    for (const [budgetChars, suspects] of [
      [8000, 5],
      [3000, 20],
    ] as const) {
      const answer = await check.run(check.parse({ command: ['node', 'server.js'], suspects }), {
        ...context,
        budgetChars,
      });
      const json = JSON.stringify(answer.data);
      assert.ok(json.length <= budgetChars, `${json.length} > ${budgetChars}`);
      const kept = (answer.data.suspects as unknown[]).length;
      assert.ok(kept >= 1 && kept <= suspects, `${kept} suspects`);
      assert.match(answer.summary, /^Leak: heap floor growing 2\.3 MiB\/min after 60 s/);
      assert.match(
        answer.summary,
        /top suspect grow0 at \/srv\/app\/src\/module0\.js:12:5 .* held by Array sessionLog/,
      );
      assert.equal(made!.stopped, 1);
      assert.deepEqual(made!.options.target, {
        kind: 'launch',
        command: 'node',
        args: ['server.js'],
        cwd: '/srv/app',
      });
      assert.equal(answerText(answer).split('\n').length, 2);
    }
  });

  it("heapscope_check runs through a face's own sessions when it has them, named for the user", async () => {
    const check = tool('heapscope_check');
    const session = new FakeSession({}, bigReport(2));
    const started: string[] = [];
    const answer = await check.run(check.parse({ pid: 4242, durationSeconds: 5 }), {
      startSession: async (options, name) => {
        started.push(`${name} ${JSON.stringify(options.target)}`);
        await session.start();
        return session as unknown as MemorySessionApi;
      },
    });
    assert.deepEqual(started, ['agent check: pid 4242 {"kind":"pid","pid":4242}']);
    assert.equal(session.stopped, 1);
    assert.equal((answer.data.suspects as unknown[]).length, 2);
  });

  it('heapscope_session_state reads the newest running session without stopping it', async () => {
    const state = tool('heapscope_session_state');
    const session = new FakeSession({}, bigReport(3));
    const answer = await state.run(state.parse({}), {
      sessions: () => [{ id: 's1', name: 'api server', session: session as unknown as MemorySessionApi }],
    });
    assert.match(answer.summary, /^api server \(observing\): Leak/);
    assert.equal((answer.data.suspects as unknown[]).length, 3);
    assert.equal(answer.data.sessionId, 's1');
    assert.equal(session.stopped, 0);
  });
});

describe('agent tools: VS Code manifest', () => {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
    contributes: {
      languageModelTools: Array<{
        name: string;
        displayName: string;
        modelDescription: string;
        inputSchema: unknown;
      }>;
      languageModelToolSets: Array<{ name: string; tools: string[] }>;
    };
  };

  it('contributes every tool with the same description and input schema as the code', () => {
    const contributed = pkg.contributes.languageModelTools;
    assert.deepEqual(
      contributed.map((t) => t.name),
      agentTools.map((t) => t.name),
    );
    for (const t of agentTools) {
      const c = contributed.find((x) => x.name === t.name)!;
      assert.equal(c.modelDescription, t.description, t.name);
      assert.equal(c.displayName, t.title, t.name);
      assert.deepEqual(c.inputSchema, t.inputSchema, t.name);
    }
  });

  it('groups them in the "Heapscope" tool set', () => {
    const set = pkg.contributes.languageModelToolSets.find((s) => s.name === 'Heapscope');
    assert.deepEqual(
      set?.tools,
      agentTools.map((t) => t.name),
    );
  });
});
