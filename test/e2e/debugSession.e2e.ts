// Test 2: a real Node debug session (js-debug, launch.json type "node") on a small script with a
// `debugger` statement. The Heapscope view in Run and Debug follows it through js-debug's CDP proxy:
// points arrive, the state turns "paused" at the breakpoint and back after Continue (no error), and
// the memory session stops with the debug session.
import { join } from 'node:path';
import type { E2eTest } from './runner';
import {
  collapseSections,
  lastState,
  liveWebview,
  log,
  openWorkbench,
  readState,
  runCommand,
  sleep,
  waitFor,
  type E2eSession,
} from './vscode';

function debugSession(stateFile: string, known: Set<string>): E2eSession | undefined {
  return lastState(stateFile)?.sessions.find((s) => s.origin === 'debug' && !known.has(s.id));
}

export const debugSessionTest: E2eTest = {
  name: 'debug session: Run and Debug view follows js-debug through a breakpoint pause',
  async run({ browser, env }) {
    // Sessions of earlier tests are not this test's.
    const known = new Set((lastState(env.stateFile)?.sessions ?? []).map((s) => s.id));
    const page = await openWorkbench(browser, env.url);
    try {
      await runCommand(page, 'View: Show Run and Debug');
      await runCommand(page, 'Debug: Start Debugging');
      log('debug session requested');
      const followed = await waitFor(
        'a memory session following the debug session',
        () => {
          const s = debugSession(env.stateFile, known);
          return s && s.samples >= 2 ? s : undefined;
        },
        60_000,
      );
      log(
        `following "${followed.name}" (debug session ${followed.debugSessionId}), ${followed.samples} samples`,
      );

      await runCommand(page, 'Heapscope: Show live view').catch(() => undefined);
      await collapseSections(page, ['Variables', 'Watch', 'Loaded Scripts', 'Breakpoints']);
      const view = await waitFor(
        'the Heapscope view to show points',
        async () => {
          const v = await liveWebview(page);
          return v && v.figures.samples >= 2 ? v : undefined;
        },
        30_000,
      );
      log(`view shows ${view.figures.samples} points`);
      await page.screenshot({ path: join(env.out, 'debug-1-following.png') });

      const paused = await waitFor(
        'state "paused" at the debugger statement',
        () => {
          const s = lastState(env.stateFile)?.sessions.find((x) => x.id === followed.id);
          return s?.state === 'paused' ? s : undefined;
        },
        45_000,
      );
      await waitFor(
        'the view to say paused',
        async () => (await liveWebview(page))?.figures.state === 'paused',
        15_000,
      );
      log(`paused with ${paused.samples} samples`);
      await page.screenshot({ path: join(env.out, 'debug-2-paused.png') });

      await runCommand(page, 'Debug: Continue');
      const resumed = await waitFor(
        'readings to resume after Continue',
        () => {
          const s = lastState(env.stateFile)?.sessions.find((x) => x.id === followed.id);
          return s && s.state === 'observing' && s.samples >= paused.samples + 2 ? s : undefined;
        },
        30_000,
      );
      log(`resumed: ${resumed.samples} samples`);
      await sleep(1_000);
      await page.screenshot({ path: join(env.out, 'debug-3-resumed.png') });

      await runCommand(page, 'Debug: Stop');
      await waitFor(
        'the memory session to stop with the debug session',
        () => {
          const s = lastState(env.stateFile)?.sessions.find((x) => x.id === followed.id);
          return !s || s.state === 'stopped' || s.state === 'target-exited' ? true : undefined;
        },
        30_000,
      );
      const errors = readState(env.stateFile)
        .flatMap((line) => line.sessions)
        .filter((s) => s.id === followed.id && s.state === 'error');
      if (errors.length > 0) throw new Error('the followed session went through an "error" state');
      await page.screenshot({ path: join(env.out, 'debug-4-stopped.png') });
    } finally {
      await page.screenshot({ path: join(env.out, 'debug-last.png') }).catch(() => undefined);
      await page.close();
    }
  },
};
