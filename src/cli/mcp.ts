// `heapscope mcp`: the agent tools (src/core/agent) served over stdio with the Model Context Protocol,
// for any MCP client (Claude, Copilot CLI, Cursor, VS Code). stdout carries the protocol only: logs and
// a launched target's output go to stderr. A tool's failure is an MCP tool error (isError) carrying the
// same message the CLI prints, so the model can read it and correct its input.
import type { Command } from 'commander';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { resolve } from 'node:path';
import { agentTools, answerText, findAgentTool, type AgentTool, type AgentToolContext } from '../core/agent';
import { describeError } from '../core/errors';
import { HEAPSCOPE_VERSION } from '../core/version';

/** Tools that read sessions a face already runs; this server runs none between calls. */
const SESSION_TOOLS = new Set(['heapscope_session_state']);

export function mcpToolList(): Tool[] {
  return agentTools
    .filter((t) => !SESSION_TOOLS.has(t.name))
    .map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: { ...t.inputSchema },
      annotations: {
        title: t.title,
        readOnlyHint: t.readOnly,
        // A check stops what it launched and pauses what it attached to for snapshots: not destructive.
        destructiveHint: false,
        openWorldHint: t.name === 'heapscope_prometheus_history',
      },
    }));
}

export async function callTool(
  tool: AgentTool | undefined,
  name: string,
  input: unknown,
  context: AgentToolContext,
): Promise<CallToolResult> {
  if (!tool || SESSION_TOOLS.has(name))
    return { isError: true, content: [{ type: 'text', text: `Unknown tool "${name}".` }] };
  try {
    const answer = await tool.run(tool.parse(input), context);
    return {
      content: [{ type: 'text', text: answerText(answer) }],
      structuredContent: { summary: answer.summary, ...answer.data },
    };
  } catch (error) {
    return { isError: true, content: [{ type: 'text', text: describeError(error) }] };
  }
}

export function createMcpServer(projectRoot: string, log: (line: string) => void): Server {
  const server = new Server(
    { name: 'heapscope', title: 'Heapscope', version: HEAPSCOPE_VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        'Heapscope finds memory leaks in Node.js processes. Start with heapscope_list_targets, then ' +
        'heapscope_check on a pid, an inspector or a command (30-120 s while the process does its usual work). ' +
        'Answers are compact: a summary line, then JSON with the top suspects and file:line locations.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: mcpToolList() }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(findAgentTool(request.params.name), request.params.name, request.params.arguments, {
      projectRoot,
      signal: extra.signal,
      log,
    }),
  );
  return server;
}

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve the Heapscope tools to AI agents over stdio (Model Context Protocol).')
    .option('--project-root <dir>', 'root of the code: where commands launch, how paths show (default: cwd)')
    .addHelpText(
      'after',
      '\nTools: ' +
        mcpToolList()
          .map((t) => t.name)
          .join(', ') +
        '\nPrometheus: the url argument, or HEAPSCOPE_PROM_URL; a bearer token from HEAPSCOPE_PROM_TOKEN.\n' +
        'Example client configuration: { "command": "npx", "args": ["heapscope", "mcp"] }',
    )
    .action(async (options: { projectRoot?: string }) => {
      const log = (line: string) => process.stderr.write(`heapscope mcp: ${line}\n`);
      const server = createMcpServer(resolve(options.projectRoot ?? process.cwd()), log);
      const closed = new Promise<void>((done) => (server.onclose = done));
      await server.connect(new StdioServerTransport());
      await closed;
    });
}
