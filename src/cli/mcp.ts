// `heapscope mcp`: the agent tools (src/core/agent) served over stdio with the Model Context Protocol,
// for any MCP client (Claude, Copilot CLI, Cursor, VS Code). stdout carries the protocol only: logs and
// a launched target's output go to stderr. The server itself is mcpServer.ts, bundled apart.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { agentTools, type AgentTool } from '../core/agent';

/** Tools that read sessions a face already runs; this server runs none between calls. */
const SESSION_TOOLS = new Set(['heapscope_session_state']);

/** The tools the MCP server offers. */
export function mcpTools(): AgentTool[] {
  return agentTools.filter((t) => !SESSION_TOOLS.has(t.name));
}

/**
 * dist/mcp.js next to the running bundle, or the TypeScript source through tsx when running from
 * source. Loaded by path, not imported: the SDK (~0.8 MB of the bundle) then costs the other commands
 * nothing (measured ~60 ms and ~4 MB at each start when bundled into cli.js, even lazily).
 */
function loadServer(): typeof import('./mcpServer') {
  const bundled = path.join(__dirname, 'mcp.js');
  const file = existsSync(bundled) ? bundled : path.join(__dirname, 'mcpServer');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as typeof import('./mcpServer');
}

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve the Heapscope tools to AI agents over stdio (Model Context Protocol).')
    .option('--project-root <dir>', 'root of the code: where commands launch, how paths show (default: cwd)')
    .addHelpText(
      'after',
      `\nTools: ${mcpTools()
        .map((t) => t.name)
        .join(', ')}\n` +
        'Prometheus: the url argument, or HEAPSCOPE_PROM_URL; a bearer token from HEAPSCOPE_PROM_TOKEN.\n' +
        'Example client configuration: { "command": "npx", "args": ["heapscope", "mcp"] }',
    )
    .action(async (options: { projectRoot?: string }) => {
      const log = (line: string) => process.stderr.write(`heapscope mcp: ${line}\n`);
      await loadServer().serveMcp(path.resolve(options.projectRoot ?? process.cwd()), log);
    });
}
