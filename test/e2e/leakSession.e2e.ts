// Test 1: "Heapscope: Start memory session" on the leaking example. The test starts the example with
// the inspector on a free loopback port and gives its ws:// URL to the "Enter an inspector URL…"
// entry (the picker's most robust path: no file dialog). Then: the chart receives points, the verdict
// turns to "leak", and the editor shows a CodeLens "leak suspect" over the culprit function. Last,
// with the holder named, the suspect's "objects" link opens the snapshot explorer on its class, the
// holder's CodeLens "retainer path" opens the retainer path of an object it keeps, and that path's
// source link goes back to the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachByUrl, startExample } from './example';
import type { E2eTest } from './runner';
import { rowTexts } from './snapshotView.e2e';
import {
  lastState,
  liveWebview,
  log,
  openFile,
  openWorkbench,
  pickQuickItem,
  runCommand,
  sleep,
  waitFor,
  waitForEditorAt,
  type E2eSession,
} from './vscode';

function leakSession(stateFile: string, port: string): E2eSession | undefined {
  // The session attached to our example: the one whose name or target mentions its port, else the
  // newest non-debug session.
  const sessions = lastState(stateFile)?.sessions ?? [];
  return (
    sessions.find((s) => s.name.includes(port)) ??
    [...sessions].reverse().find((s) => s.origin !== 'debug' && s.origin !== 'recording')
  );
}

export const leakSessionTest: E2eTest = {
  name: 'leak session: chart points, leak verdict, CodeLens on the culprit, suspect objects, holder retainer path',
  async run({ browser, env }) {
    const { child, url } = await startExample(env.workspace);
    const port = new URL(url).port;
    log(`example inspector at ${url}`);
    const page = await openWorkbench(browser, env.url);
    try {
      // Open the example so the CodeLens has an editor to appear in.
      await openFile(page, 'server.js');

      await attachByUrl(page, url);
      log('session requested');

      const started = await waitFor(
        'the session to read samples (e2e state file)',
        () => {
          const s = leakSession(env.stateFile, port);
          return s && s.samples >= 3 ? s : undefined;
        },
        60_000,
      );
      log(`session "${started.name}" observing, ${started.samples} samples`);

      // The live view: the extension may show it in the side bar; the editor panel is certain.
      if (!(await liveWebview(page))) await runCommand(page, 'Heapscope: Open live view in editor');
      const first = await waitFor(
        'the live view to show points',
        async () => {
          const view = await liveWebview(page);
          return view && view.figures.samples >= 3 && view.figures.hasCanvas ? view : undefined;
        },
        60_000,
      );
      await sleep(3_000);
      const later = await liveWebview(page);
      if (!later || later.figures.samples <= first.figures.samples)
        throw new Error(
          `the chart did not receive new points (${first.figures.samples} → ${later?.figures.samples})`,
        );
      log(`live view: ${first.figures.samples} → ${later.figures.samples} points`);
      await page.screenshot({ path: join(env.out, 'leak-1-chart.png') });

      const leak = await waitFor(
        'the leak verdict',
        () => {
          const s = leakSession(env.stateFile, port);
          return s?.verdict === 'leak' ? s : undefined;
        },
        150_000,
        1_000,
      );
      log(`verdict leak, heap ${(leak.heapBytesPerMinute ?? 0) / 1024} KB/min, ${leak.samples} samples`);
      if (!((leak.heapBytesPerMinute ?? 0) > 0))
        throw new Error('leak verdict without a positive growth rate');
      await waitFor(
        'the live view to say "leak"',
        async () => (await liveWebview(page))?.figures.verdict === 'leak',
        20_000,
      );
      // Under the verdict: how much of the measured growth the suspects explain.
      const explained = await waitFor(
        'the live view to say how much of the growth the suspects explain',
        async () => {
          const text = (await (await liveWebview(page))?.frame.locator('.explained').textContent()) ?? '';
          return /^suspects explain \d+(\.\d)? % of the heap growth/.test(text) ? text : undefined;
        },
        30_000,
      );
      log(`explained: ${explained}`);

      const lens = page.locator('.codelens-decoration', { hasText: 'leak suspect' }).first();
      await waitFor(
        'a CodeLens "leak suspect" in the editor',
        async () => (await lens.count()) > 0 && (await lens.isVisible()),
        150_000,
        1_000,
      );
      const lensText = (await lens.textContent()) ?? '';
      log(`CodeLens: ${lensText}`);
      const state = lastState(env.stateFile);
      const lensFile = state?.codeLenses.find((l) => l.title.includes('leak suspect'));
      if (!lensFile || !lensFile.file.endsWith('server.js'))
        throw new Error(`the CodeLens is not on the example's file: ${JSON.stringify(state?.codeLenses)}`);
      // The culprit: recordSession() pushes into sessionLog (examples/leaky-service/server.js).
      const suspects = leakSession(env.stateFile, port)?.suspects ?? [];
      if (!suspects.some((s) => s.functionName === 'recordSession' || /recordSession/.test(lensFile.title)))
        log(`note: suspects are ${suspects.map((s) => `${s.functionName}@${s.line}`).join(', ')}`);
      const view = await liveWebview(page);
      if (!view || view.figures.suspects < 1) throw new Error('the suspects table is empty');
      await page.screenshot({ path: join(env.out, 'leak-2-verdict-codelens.png') });

      // A row of the suspects table opens its source: the editor's cursor goes to that line.
      const rowLine = await view.frame.evaluate(() => {
        const row = document.querySelector<HTMLElement>('.suspect-row');
        const loc = row?.querySelector('.loc')?.textContent ?? '';
        row?.click();
        return Number(/:(\d+)$/.exec(loc)?.[1] ?? 0);
      });
      if (!(rowLine > 0)) throw new Error('the first suspect row has no line');
      await waitFor(
        `the editor to go to line ${rowLine} after a click on the suspect row`,
        async () =>
          (
            (await page.locator('.statusbar-item[id="status.editor.selection"]').textContent()) ?? ''
          ).includes(`Ln ${rowLine},`),
        15_000,
      );
      log(`suspect row opened the source at line ${rowLine}`);

      // Theme: switch VS Code to a light theme; the view re-reads the theme's colours.
      const before = await view.frame.evaluate(() => ({
        revision: document.getElementById('app')!.dataset.themeRevision,
        background: getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim(),
      }));
      await runCommand(page, 'Preferences: Color Theme');
      await pickQuickItem(page, 'Light Modern', 20_000, 'Light Modern');
      const after = await waitFor(
        'the live view to follow the light theme',
        async () => {
          const now = await view.frame.evaluate(() => ({
            revision: document.getElementById('app')!.dataset.themeRevision,
            background: getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim(),
          }));
          return now.revision !== before.revision && now.background !== before.background ? now : undefined;
        },
        20_000,
      );
      log(`theme: background ${before.background} → ${after.background}`);
      await runCommand(page, 'Heapscope: Open live view in editor');
      await sleep(1_500);
      await page.screenshot({ path: join(env.out, 'leak-4-light-theme.png') });
      const frameElement = await view.frame.frameElement();
      await frameElement.screenshot({ path: join(env.out, 'leak-3-webview.png') }).catch(() => undefined);

      // A suspect's "objects" link opens the snapshot explorer on the class the suspect keeps,
      // named by its holder's path (`Array sessionLog → N × Object`): name the holder, click the
      // link, take the snapshot it offers (the session has none yet).
      await runCommand(page, 'Heapscope: Name what holds the leak (takes heap snapshots)');
      const held = await waitFor(
        'a suspect whose holder is named (e2e state file)',
        () => leakSession(env.stateFile, port)?.suspects.find((x) => x.holderPath?.length),
        120_000,
        1_000,
      );
      const keptClass = / → \d+ × (.+)$/.exec(held.holderPath!.at(-1)!)?.[1]?.trim();
      if (!keptClass) throw new Error(`the holder's path names no class: ${held.holderPath!.join(' / ')}`);
      log(`holder of ${held.functionName}: ${held.holderPath!.at(-1)}`);
      const clicked = await waitFor(
        `the "objects" link of ${held.functionName} in the live view`,
        async () =>
          (await liveWebview(page))?.frame.evaluate((fn) => {
            const row = [...document.querySelectorAll<HTMLElement>('.suspect-row')].find((r) =>
              (r.querySelector('.fn')?.textContent ?? '').startsWith(fn),
            );
            const link = row?.querySelector<HTMLElement>('.show-objects');
            link?.click();
            return Boolean(link);
          }, held.functionName),
        20_000,
      );
      if (!clicked) throw new Error('no "objects" link');
      const offer = page
        .locator('.notification-toast', { hasText: 'has no heap snapshot yet' })
        .locator('.monaco-button', { hasText: 'Take heap snapshot' });
      await offer.first().waitFor({ state: 'visible', timeout: 20_000 });
      await offer.first().click();
      const explorer = await waitFor(
        `the snapshot explorer on ${keptClass}, expanded`,
        async () => {
          for (const frame of page.frames()) {
            const shown = await frame
              .evaluate((name) => {
                if (window.heapscopeExplorer?.phase !== 'loaded') return undefined;
                const filter = document.querySelector<HTMLInputElement & { value: string }>('.filter');
                const expanded = [
                  ...document.querySelectorAll<HTMLElement>(
                    '[data-list="summary"] .tree-row[aria-expanded="true"]',
                  ),
                ].map((r) => r.querySelector('.c-name')?.textContent ?? '');
                const objects = document.querySelectorAll(
                  '[data-list="summary"] .tree-row[aria-level="2"]',
                ).length;
                return { filter: filter?.value, expanded, objects, name };
              }, keptClass)
              .catch(() => undefined);
            if (shown && shown.expanded.some((n) => n.startsWith(`${keptClass} ×`)) && shown.objects > 0)
              return { frame, shown };
          }
          return undefined;
        },
        90_000,
        1_000,
      );
      if (explorer.shown.filter !== keptClass)
        throw new Error(`the explorer's filter is "${explorer.shown.filter}", not ${keptClass}`);
      log(
        `"objects" opened the explorer on ${explorer.shown.expanded.join(', ')} (${explorer.shown.objects} objects listed)`,
      );
      await page.screenshot({ path: join(env.out, 'leak-5-suspect-objects.png') });

      // The holder's CodeLens "retainer path", over `const sessionLog = []`, opens the same snapshot
      // on the largest object that sessionLog keeps, with its retainer path down to the variable.
      const source = readFileSync(join(env.workspace, 'server.js'), 'utf8').split('\n');
      const holderLine = source.findIndex((l) => /^const sessionLog\b/.test(l)) + 1;
      await openFile(page, 'server.js');
      const holderLens = await waitFor(
        `the holder CodeLens on server.js:${holderLine}`,
        () =>
          lastState(env.stateFile)?.codeLenses.find(
            (l) => l.file.endsWith('server.js') && l.title.includes('holds leaking objects'),
          ),
        30_000,
      );
      if (holderLens.line !== holderLine || !holderLens.title.includes('sessionLog'))
        throw new Error(
          `the holder CodeLens is not over sessionLog (line ${holderLine}): ${JSON.stringify(holderLens)}`,
        );
      const pathLens = page
        .locator('.editor-group-container.active .codelens-decoration a', { hasText: /^retainer path$/ })
        .first();
      await pathLens.waitFor({ state: 'visible', timeout: 30_000 });
      await pathLens.click();
      const pathShown = await waitFor(
        'the retainer path of an object sessionLog keeps, in the explorer',
        async () => {
          const retainers = await rowTexts(explorer.frame, 'retainers');
          const header = await explorer.frame.locator('.retainers-bar .section-title').textContent();
          return retainers.some((r) => r.includes('.sessionLog (closure variable)'))
            ? { retainers, header }
            : undefined;
        },
        30_000,
      );
      if (!/^\[\d+\] in Array/.test(pathShown.retainers[0] ?? ''))
        throw new Error(`the first retainer is not sessionLog's element: ${pathShown.retainers.join(' | ')}`);
      if (!pathShown.header?.startsWith(`Retainers of ${keptClass} @`))
        throw new Error(`the retainers are not of a ${keptClass}: ${pathShown.header}`);
      log(`"retainer path": ${pathShown.header}: ${pathShown.retainers.slice(0, 2).join(' ← ')}`);
      await page.screenshot({ path: join(env.out, 'leak-6-holder-retainer-path.png') });

      // sessionLog's row links to its declaration: back to the line the CodeLens sits over.
      const holderLink = explorer.frame
        .locator('[data-list="retainers"] .tree-row', { hasText: '.sessionLog (closure variable)' })
        .first()
        .locator('a.source-link');
      const linkTitle = (await holderLink.getAttribute('title')) ?? '';
      if (!new RegExp(`^sessionLog — .*server\\.js:${holderLine}:\\d+$`).test(linkTitle))
        throw new Error(`sessionLog's row does not link to server.js:${holderLine}: "${linkTitle}"`);
      await holderLink.click();
      await waitForEditorAt(page, 'server.js', holderLine, 'const sessionLog');
      log(`sessionLog's source link opened server.js at line ${holderLine}`);
      await page.screenshot({ path: join(env.out, 'leak-7-holder-source.png') });
    } finally {
      await page.screenshot({ path: join(env.out, 'leak-last.png') }).catch(() => undefined);
      child.kill('SIGKILL');
      await page.close();
    }
  },
};
