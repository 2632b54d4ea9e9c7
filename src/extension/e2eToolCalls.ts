// The end-to-end tests' way to call the language model tools as a chat would, through
// vscode.lm.invokeTool: with HEAPSCOPE_E2E_STATE_FILE set, requests appended (one JSON line each) to
// `<state file>.tool-calls` are invoked, and each answer is appended to `<state file>.tool-results`.
// The list of registered heapscope tools is written first. Nothing happens unless the variable is set.
import { appendFileSync, existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';

interface ToolCall {
  id: string;
  name: string;
  input: object;
}

export function registerE2eToolCalls(context: vscode.ExtensionContext, stateFile: string | undefined): void {
  if (!stateFile || typeof vscode.lm?.invokeTool !== 'function') return;
  const requests = `${stateFile}.tool-calls`;
  const results = `${stateFile}.tool-results`;
  const write = (line: object) => {
    try {
      appendFileSync(results, `${JSON.stringify({ timeMs: Date.now(), ...line })}\n`);
    } catch {
      // A test harness that removed its folder must not break the extension.
    }
  };
  write({
    event: 'tools',
    names: vscode.lm.tools.filter((t) => t.name.startsWith('heapscope_')).map((t) => t.name),
  });
  let handled = 0;
  const poll = () => {
    if (!existsSync(requests)) return;
    const lines = readFileSync(requests, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    for (const line of lines.slice(handled)) {
      handled++;
      let call: ToolCall;
      try {
        call = JSON.parse(line) as ToolCall;
      } catch {
        continue; // a line being written is read again on the next change
      }
      vscode.lm.invokeTool(call.name, { input: call.input, toolInvocationToken: undefined }).then(
        (result) =>
          write({
            event: 'result',
            id: call.id,
            text: result.content
              .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : ''))
              .join(''),
          }),
        (error: unknown) => write({ event: 'error', id: call.id, message: describeError(error) }),
      );
    }
  };
  watchFile(requests, { interval: 250 }, poll);
  context.subscriptions.push({ dispose: () => unwatchFile(requests, poll) });
}
