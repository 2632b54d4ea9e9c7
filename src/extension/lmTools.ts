// The agent tools (src/core/agent) as VS Code language model tools, for the chat's agent mode: each is
// contributed in package.json (languageModelTools, the "Heapscope" tool set) and registered here. A
// tool that starts, signals or attaches to a process asks first (prepareInvocation's confirmation,
// naming the process). The extension also offers `heapscope mcp` to VS Code's MCP support where the
// API exists, for clients that prefer MCP.
import * as vscode from 'vscode';
import { agentTools, answerText, type AgentTool, type PrometheusContext } from '../core/agent';
import { describeError, HeapscopeError } from '../core/errors';
import type { SessionController } from './controller';
import { registerE2eToolCalls } from './e2eToolCalls';
import { readEndpoints, resolveEndpoint } from './prometheus/endpoints';

class HeapscopeLanguageModelTool implements vscode.LanguageModelTool<unknown> {
  constructor(
    private readonly tool: AgentTool,
    private readonly context: (signal?: AbortSignal) => PrometheusContext,
  ) {}

  async prepareInvocation(
    options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>,
  ): Promise<vscode.PreparedToolInvocation> {
    let params: unknown;
    try {
      params = this.tool.parse(options.input);
    } catch {
      // invoke() reports the input error to the model; nothing to confirm.
      return { invocationMessage: `Heapscope: ${this.tool.title}` };
    }
    if (!this.tool.touchesProcess || !this.tool.confirmation)
      return { invocationMessage: `Heapscope: ${this.tool.title.toLowerCase()}` };
    const message = await this.tool.confirmation(params, this.context());
    return {
      invocationMessage: `Heapscope: observing a Node.js process…`,
      confirmationMessages: {
        title: 'Heapscope: observe a Node.js process?',
        message: new vscode.MarkdownString(message),
      },
    };
  }

  async invoke(
    options: vscode.LanguageModelToolInvocationOptions<unknown>,
    token: vscode.CancellationToken,
  ): Promise<vscode.LanguageModelToolResult> {
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    try {
      const answer = await this.tool.run(this.tool.parse(options.input), this.context(abort.signal));
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answerText(answer))]);
    } catch (error) {
      // The model reads the message and can correct its input; same words as the CLI's.
      throw new Error(describeError(error));
    } finally {
      cancel.dispose();
    }
  }
}

/** The MCP server definition API (VS Code 1.101+), typed locally: the engine's @types stay at 1.95. */
interface McpApi {
  lm: {
    registerMcpServerDefinitionProvider?(
      id: string,
      provider: { provideMcpServerDefinitions(): unknown[] },
    ): vscode.Disposable;
  };
  McpStdioServerDefinition?: new (
    label: string,
    command: string,
    args?: string[],
    env?: Record<string, string>,
  ) => unknown;
}

export function registerLanguageModelTools(
  context: vscode.ExtensionContext,
  controller: SessionController,
  output: vscode.LogOutputChannel,
): void {
  const toolContext = (signal?: AbortSignal): PrometheusContext => ({
    projectRoot: controller.workspaceRoots()[0],
    signal,
    log: (line) => output.info(line),
    sessions: () =>
      controller.registry.all.map((entry) => ({ id: entry.id, name: entry.name, session: entry.session })),
    // The check's session is an ordinary one: the user sees it in the live view, with its CodeLens
    // and recording, and can stop it.
    startSession: async (options, name) =>
      (await controller.start({ target: options.target, name, origin: 'command' })).session,
    prometheus: async (url) => {
      const endpoints = readEndpoints();
      const chosen = url ? endpoints.find((e) => e.url === url || e.name === url) : endpoints[0];
      if (chosen) return resolveEndpoint(context.secrets, chosen);
      if (url) return { url };
      throw new HeapscopeError(
        'usage',
        'No Prometheus endpoint is configured: run "Heapscope: Add Prometheus endpoint…" or give "url".',
      );
    },
  });
  if (typeof vscode.lm?.registerTool === 'function')
    for (const tool of agentTools)
      context.subscriptions.push(
        vscode.lm.registerTool(tool.name, new HeapscopeLanguageModelTool(tool, toolContext)),
      );

  registerE2eToolCalls(context, process.env.HEAPSCOPE_E2E_STATE_FILE);

  const api = vscode as unknown as McpApi;
  const Definition = api.McpStdioServerDefinition;
  if (typeof api.lm.registerMcpServerDefinitionProvider === 'function' && Definition) {
    const cli = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
    // The extension host's executable is Electron in desktop VS Code: run it as plain Node.
    context.subscriptions.push(
      api.lm.registerMcpServerDefinitionProvider('heapscope.mcp', {
        provideMcpServerDefinitions: () => [
          new Definition('Heapscope', process.execPath, [cli, 'mcp'], { ELECTRON_RUN_AS_NODE: '1' }),
        ],
      }),
    );
  }
}
