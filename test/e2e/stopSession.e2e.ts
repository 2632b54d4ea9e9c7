// Stop means stop, in a real VS Code: "Heapscope: Start memory session" launches the leaking example
// (Launch a script…), the session reaches a leak verdict, then "Heapscope: Stop memory session" must
// leave no target process and no Heapscope status bar item within a few seconds — with no holder
// snapshots taken on the way out (they run only when asked).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { E2eTest } from './runner';
import {
  lastState,
  log,
  openWorkbench,
  pickQuickItem,
  runCommand,
  waitFor,
  type E2eEnv,
  type E2eSession,
} from './vscode';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How long after the stop command the target and the status bar item must be gone. */
const STOP_WITHIN_MS = 5_000;

/** Starts "Heapscope: Start memory session" → Launch a script… on the example and waits for readings. */
async function launchExample(page: Page, env: E2eEnv): Promise<E2eSession & { pid: number }> {
  await runCommand(page, 'Heapscope: Start memory session');
  await pickQuickItem(page, 'Launch a script', 20_000, 'Launch a script');
  // code-server's open dialog is a quick input that takes a path.
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  const script = join(env.workspace, 'server.js');
  const before = new Set(lastState(env.stateFile)?.sessions.map((x) => x.id) ?? []);
  // The dialog completes folders as it lists them and can replace a path typed meanwhile: the path
  // is typed and accepted once more if the dialog is still open after the first Enter.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0 && !(await input.isVisible())) break;
    await waitFor(
      'the script path in the open dialog',
      async () => {
        await input.fill(script, { timeout: 5_000 });
        return (await input.inputValue()) === script;
      },
      20_000,
    );
    await page.keyboard.press('Enter');
    const closed = await input.waitFor({ state: 'hidden', timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (closed) break;
  }
  const session = await waitFor(
    'the launched session to observe (e2e state file)',
    () => {
      // A new session of this test, not one an earlier test stopped.
      const s = lastState(env.stateFile)?.sessions.find(
        (x) => !before.has(x.id) && x.name.includes('server.js') && x.pid,
      );
      return s && s.samples >= 3 ? s : undefined;
    },
    60_000,
  );
  log(`session "${session.name}" observing pid ${session.pid}`);
  return { ...session, pid: session.pid! };
}

export const stopSessionTest: E2eTest = {
  name: 'stop session: a launched leaking target is gone and the status bar clear within seconds',
  async run({ browser, env }) {
    const page = await openWorkbench(browser, env.url);
    let pid: number | undefined;
    try {
      const session = await launchExample(page, env);
      pid = session.pid;
      const statusItem = page.locator('.statusbar-item', { hasText: session.name });
      await statusItem.first().waitFor({ state: 'visible', timeout: 20_000 });
      await waitFor(
        'the leak verdict (the state in which a stop used to take holder snapshots)',
        () => lastState(env.stateFile)?.sessions.find((x) => x.id === session.id && x.verdict === 'leak'),
        150_000,
        1_000,
      );
      await runCommand(page, 'Heapscope: Stop memory session');
      const t0 = Date.now();
      await waitFor('the target process to be gone', () => !alive(pid!), STOP_WITHIN_MS, 50);
      await waitFor(
        'the status bar item to go',
        async () => (await statusItem.count()) === 0,
        STOP_WITHIN_MS,
        50,
      );
      const ended = await waitFor(
        'the session to be stopped (e2e state file)',
        () => lastState(env.stateFile)?.sessions.find((x) => x.id === session.id && x.state === 'stopped'),
        STOP_WITHIN_MS,
        50,
      );
      log(
        `stopped: target gone and status bar clear ${Date.now() - t0} ms after the command (${ended.samples} samples)`,
      );
      await page.screenshot({ path: join(env.out, 'stop-1-cleared.png') });
    } finally {
      await page.screenshot({ path: join(env.out, 'stop-last.png') }).catch(() => undefined);
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      await page.close();
    }
  },
};
