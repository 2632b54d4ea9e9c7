// `heapscope mcp` as an MCP client meets it: dist/cli.js started over stdio by the SDK's own client,
// then initialize, tools/list, and tools/call of a check on a real leaking process.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BUNDLED_CLI } from '../cliRunner';

const LEAKY_SERVICE = join(__dirname, '..', '..', '..', 'examples', 'leaky-service', 'server.js');

function text(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

describe('heapscope mcp (dist/cli.js over stdio)', function () {
  this.timeout(200_000);
  let client: Client;
  let stderr = '';

  before(async function () {
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BUNDLED_CLI, 'mcp'],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    client = new Client({ name: 'heapscope-test', version: '1.0.0' });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
  });

  it('initializes as heapscope and lists its tools with input schemas', async () => {
    assert.equal(client.getServerVersion()?.name, 'heapscope');
    assert.match(client.getInstructions() ?? '', /heapscope_check/);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    assert.deepEqual(names, [
      'heapscope_list_targets',
      'heapscope_check',
      'heapscope_snapshot_summary',
      'heapscope_snapshot_compare',
      'heapscope_retainers',
      'heapscope_prometheus_history',
    ]);
    const check = tools.find((t) => t.name === 'heapscope_check')!;
    assert.equal(check.inputSchema.type, 'object');
    assert.ok(check.inputSchema.properties?.durationSeconds);
    assert.equal(check.annotations?.readOnlyHint, false);
  });

  it('answers bad input with a tool error that says what to give', async () => {
    const none = (await client.callTool({ name: 'heapscope_check', arguments: {} })) as CallToolResult;
    assert.equal(none.isError, true);
    assert.match(text(none), /give exactly one target/);
    const remote = (await client.callTool({
      name: 'heapscope_check',
      arguments: { attach: '10.1.2.3:9229' },
    })) as CallToolResult;
    assert.equal(remote.isError, true);
    assert.match(text(remote), /not on loopback/);
    const missing = (await client.callTool({
      name: 'heapscope_snapshot_summary',
      arguments: { file: '/nonexistent/a.heapsnapshot' },
    })) as CallToolResult;
    assert.equal(missing.isError, true);
    assert.match(text(missing), /no file \/nonexistent\/a\.heapsnapshot/);
  });

  it('checks a leaking service it launches and names the leaking line, within the budget', async () => {
    const result = (await client.callTool(
      {
        name: 'heapscope_check',
        arguments: { command: [process.execPath, LEAKY_SERVICE], durationSeconds: 60, holders: false },
      },
      undefined,
      // A leak is called after about 50 s of sustained rise (docs/leak-method.md).
      { timeout: 150_000 },
    )) as CallToolResult;
    assert.notEqual(result.isError, true, `${text(result)}\n${stderr}`);
    const [summary, json] = text(result).split('\n');
    assert.match(summary, /^Leak: heap floor growing/);
    assert.match(summary, /recordSession at .*server\.js:\d+/);
    assert.ok(json.length <= 8000, `answer is ${json.length} characters`);
    const data = JSON.parse(json) as {
      schema: number;
      verdict: string;
      target: { kind: string };
      suspects: Array<{ functionName: string; location: string; growthBytesPerMinute: number }>;
    };
    assert.equal(data.schema, 1);
    assert.equal(data.verdict, 'leak');
    assert.equal(data.target.kind, 'launch');
    assert.ok(data.suspects.length >= 1 && data.suspects.length <= 5);
    assert.equal(data.suspects[0].functionName, 'recordSession');
    assert.match(data.suspects[0].location, /examples\/leaky-service\/server\.js:1\d:\d+$/);
    assert.deepEqual(result.structuredContent?.verdict, 'leak');
  });
});
