// The language model tools in a real VS Code, invoked through vscode.lm.invokeTool as a chat's agent
// does (the extension's e2e hook, src/extension/e2eToolCalls.ts, forwards the test's requests): the
// tools are registered; a bad input comes back as the tool's error; heapscope_check asks first, in a
// dialog naming the inspector it attaches to, then answers with the verdict and the culprit's file:line.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { E2eTest } from './runner';
import { log, openWorkbench, runCommand, waitFor } from './vscode';

interface ToolLine {
  timeMs?: number;
  event: 'tools' | 'result' | 'error';
  id?: string;
  names?: string[];
  text?: string;
  message?: string;
}

function toolLines(stateFile: string): ToolLine[] {
  const file = `${stateFile}.tool-results`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as ToolLine];
      } catch {
        return [];
      }
    });
}

function invoke(stateFile: string, id: string, name: string, input: object): void {
  appendFileSync(`${stateFile}.tool-calls`, `${JSON.stringify({ id, name, input })}\n`);
}

function answer(stateFile: string, id: string, timeoutMs: number): Promise<ToolLine> {
  return waitFor(
    `the answer of tool call "${id}"`,
    () => toolLines(stateFile).find((l) => l.id === id),
    timeoutMs,
    500,
  );
}

function startExample(workspace: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', 'server.js'], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`example did not open its inspector: ${err}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.stdout!.resume();
    child.on('exit', (code) => reject(new Error(`example exited early (${code}): ${err}`)));
  });
}

async function confirmDialog(page: Page): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box').first();
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await dialog.textContent()) ?? '';
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Yes$/ }).click();
  return text;
}

export const lmToolsTest: E2eTest = {
  name: 'language model tools: registered, input errors, check with confirmation',
  async run({ browser, env }) {
    const { child, url } = await startExample(env.workspace);
    const page = await openWorkbench(browser, env.url);
    try {
      // Any command activates the extension; the hook then lists the registered tools. The line must
      // be this window's extension host's, not one an earlier test's window left behind.
      const shownAt = Date.now();
      await runCommand(page, 'Heapscope: Show live view');
      const tools = await waitFor(
        'the heapscope tools in vscode.lm.tools',
        () => toolLines(env.stateFile).find((l) => l.event === 'tools' && (l.timeMs ?? 0) >= shownAt),
        60_000,
      );
      log(`tools: ${tools.names?.join(', ')}`);
      for (const name of ['heapscope_list_targets', 'heapscope_check', 'heapscope_snapshot_compare'])
        if (!tools.names?.includes(name))
          throw new Error(`${name} is not registered: ${tools.names?.join(', ')}`);

      invoke(env.stateFile, 'bad', 'heapscope_check', { durationSeconds: 10 });
      const bad = await answer(env.stateFile, 'bad', 60_000);
      if (bad.event !== 'error' || !/give exactly one target/.test(bad.message ?? ''))
        throw new Error(`bad input did not come back as the tool's error: ${JSON.stringify(bad)}`);

      invoke(env.stateFile, 'targets', 'heapscope_list_targets', {});
      const targets = await answer(env.stateFile, 'targets', 60_000);
      if (targets.event !== 'result' || !/Node process\(es\)/.test(targets.text ?? ''))
        throw new Error(`list targets: ${JSON.stringify(targets)}`);

      invoke(env.stateFile, 'check', 'heapscope_check', { attach: url, durationSeconds: 45, holders: false });
      const asked = await confirmDialog(page);
      log(`confirmation: ${asked}`);
      if (!asked.includes(url))
        throw new Error(`the confirmation does not name the inspector ${url}: ${asked}`);
      const check = await answer(env.stateFile, 'check', 120_000);
      log(`check: ${(check.text ?? check.message ?? '').split('\n')[0]}`);
      await page.screenshot({ path: join(env.out, 'lm-tools.png') });
      if (check.event !== 'result') throw new Error(`check failed: ${check.message}`);
      const [summary, json] = (check.text ?? '').split('\n');
      // The verdict after 45 s on a loaded machine may still be inconclusive (the engine's promise:
      // never a confident wrong one); the answer must still rank the culprit first, with its line.
      if (
        !/^(Leak: heap floor growing|Inconclusive)/.test(summary ?? '') ||
        !/top suspect recordSession at \S*server\.js:\d+:\d+/.test(summary ?? '')
      )
        throw new Error(`check summary: ${summary}`);
      const data = JSON.parse(json ?? '{}') as { schema?: number; suspects?: unknown[] };
      if (
        data.schema !== 1 ||
        !data.suspects?.length ||
        data.suspects.length > 5 ||
        (json ?? '').length > 8000
      )
        throw new Error(`check data: ${json?.slice(0, 400)}`);
    } finally {
      await page.screenshot({ path: join(env.out, 'lm-tools-last.png') }).catch(() => undefined);
      child.kill();
      await page.close();
    }
  },
};
