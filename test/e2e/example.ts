// The workspace's leaking example server (test/e2e/workspace-extra via code-server.sh), started by a
// test with its inspector on a free loopback port, for the tests that attach to a running process.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { pickQuickItem, runCommand, waitFor } from './vscode';

export function startExample(workspace: string): Promise<{ child: ChildProcess; url: string }> {
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

/**
 * "Heapscope: Start memory session" → "Enter an inspector URL…" → the URL, as a user attaches to a
 * running process. The picker closes and an input box opens in the same widget: its title is awaited,
 * or the text would go into the closing picker.
 */
export async function attachByUrl(page: Page, url: string): Promise<void> {
  await runCommand(page, 'Heapscope: Start memory session');
  await pickQuickItem(page, 'Enter an inspector URL', 20_000, 'inspector URL');
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: 'inspector address' })
    .waitFor({ state: 'visible', timeout: 20_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  await waitFor(
    'the inspector URL in the input box',
    async () => {
      await input.fill(url);
      return (await input.inputValue()) === url;
    },
    10_000,
  );
  await page.keyboard.press('Enter');
}
