// The MCP server behind `heapscope mcp` (see mcp.ts): a bundle of its own, dist/mcp.js, loaded only by
// that command, so the SDK costs the other commands nothing at start-up. A tool's failure is an MCP
// tool error (isError) carrying the message the CLI prints, so the model can correct its input.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { answerText, type AgentTool, type AgentToolContext } from '../core/agent';
import { describeError } from '../core/errors';
import { HEAPSCOPE_VERSION } from '../core/version';
import { mcpTools } from './mcp';

export function mcpToolList(): Tool[] {
  return mcpTools().map((t) => ({
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
  if (!tool) return { isError: true, content: [{ type: 'text', text: `Unknown tool "${name}".` }] };
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
    callTool(
      mcpTools().find((t) => t.name === request.params.name),
      request.params.name,
      request.params.arguments,
      { projectRoot, signal: extra.signal, log },
    ),
  );
  return server;
}

/** Serves until the client closes stdin. */
export async function serveMcp(projectRoot: string, log: (line: string) => void): Promise<void> {
  const server = createMcpServer(projectRoot, log);
  const closed = new Promise<void>((done) => (server.onclose = done));
  await server.connect(new StdioServerTransport());
  await closed;
}
