// Test 4: the heap snapshot explorer from the file explorer. Real snapshots of a leaking process (run
// by the e2e's Node 24, so in V8 12's layout) are written into the workspace; right-click → "Open
// heap snapshot…" opens the explorer editor. The test filters the Summary to the leaking class,
// expands it into its objects, selects one, follows the retainers (opened along the shortest path)
// to the closure variable that holds it and its source link to the line of code, checks those tables
// in a narrow editor (explorerNarrow.ts), ignores and restores a retainer, compares with an earlier
// snapshot, opens the Containment tree (both narrow too), and opens a truncated copy, whose error
// must be shown in the editor. Open-to-first-table and each interaction's latency are written to
// test-output/e2e/explorer-timings.json and printed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { E2eTest } from './runner';
import { checkNarrowEditor } from './explorerNarrow';
import { log, openWorkbench, sleep, waitFor, waitForEditorAt } from './vscode';

const LEAKER = resolve(__dirname, '../fixtures/heapsnapshot/leaker.js');

function fixtureLine(text: string): number {
  return (
    readFileSync(LEAKER, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text)) + 1
  );
}

/**
 * Right-clicks the explorer row named `name` and picks the context menu entry `entry`; opens the
 * menu again until the entry is there (the extension's menus are added once its manifest is read).
 */
export async function explorerAction(page: Page, name: string, entry: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  const item = page.locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
  await waitFor(
    `"${entry}" in the explorer's context menu of ${name}`,
    async () => {
      await row.click({ button: 'right' });
      const shown = await item
        .waitFor({ state: 'visible', timeout: 3_000 })
        .then(() => true)
        .catch(() => false);
      if (!shown) await page.keyboard.press('Escape');
      return shown;
    },
    60_000,
    1_000,
  );
  // A click right after the menu opens can be taken for the end of the right-click: hover first,
  // and press Enter on the focused entry if the menu is still there.
  await item.hover();
  await sleep(300);
  await item.click();
  if (await item.isVisible()) await page.keyboard.press('Enter');
  log(`explorer: ${name} → ${entry}`);
}

/**
 * Expands the explorer folder `name` (a click toggles it: the workbench may remember it expanded
 * from an earlier run) and waits for it to be expanded.
 */
export async function expandFolder(page: Page, name: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await waitFor(
    `the explorer folder ${name} expanded`,
    async () => {
      if (!(await row.isVisible().catch(() => false))) return false;
      if ((await row.getAttribute('aria-expanded')) === 'true') return true;
      await row.click().catch(() => undefined);
      return false;
    },
    60_000,
    1_000,
  );
}

/** The explorer webview's frame whose file title is `fileName` and whose phase is not loading. */
export async function explorerFrame(page: Page, fileName: string, phase: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    try {
      const found = await frame.evaluate(
        ([name, wanted]) =>
          window.heapscopeExplorer?.phase === wanted &&
          (document.querySelector('.header .title')?.textContent === name ||
            (document.querySelector('.failure-title')?.textContent ?? '').includes(name)),
        [fileName, phase] as const,
      );
      if (found) return frame;
    } catch {
      // a frame being torn down
    }
  }
  return undefined;
}

/** Texts of the rendered rows of one of the explorer's lists. */
export function rowTexts(frame: Frame, list: string): Promise<string[]> {
  return frame.evaluate(
    (name) =>
      [...document.querySelectorAll(`[data-list="${name}"] .tree-row`)]
        .sort((a, b) => Number((a as HTMLElement).dataset.index) - Number((b as HTMLElement).dataset.index))
        .map((r) => r.textContent ?? ''),
    list,
  );
}

interface Timing {
  what: string;
  ms: number;
  /** In the webview: from the input event to the view's last DOM change (see timed). */
  inViewMs?: number;
  /** Nodes (elements and text) the view added to its DOM for it: the page's work, without the load. */
  addedNodes?: number;
}

/**
 * Runs `action` and waits for `done`. Two figures: the wall time from the action to the rows on
 * screen as this test sees it (Playwright's own click and polling through code-server's frames
 * included), and inside the webview, from the input event (click, key, input) to the last change
 * of the view's DOM before `done` held: what the user waits for, without the test's overhead.
 */
async function timed(
  frame: Frame,
  timings: Timing[],
  what: string,
  action: () => Promise<void>,
  done: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  await settled(frame);
  await frame.evaluate(IN_VIEW_PROBE);
  // HEAPSCOPE_E2E_TRACE=1: a Chromium trace of each timed interaction (open it in DevTools'
  // Performance panel) to see where the page's main thread spends the time.
  const browser = process.env.HEAPSCOPE_E2E_TRACE ? frame.page().context().browser() : null;
  if (browser) await browser.startTracing(frame.page(), { categories: TRACE_CATEGORIES });
  const t0 = Date.now();
  await action();
  await waitFor(what, async () => (await done()) || undefined, timeoutMs, 20);
  const ms = Date.now() - t0;
  if (browser) {
    const file = join(process.env.E2E_OUT ?? '.', `explorer-trace-${what.replace(/[^a-z@]+/gi, '-')}.json`);
    writeFileSync(file, await browser.stopTracing());
  }
  const read = (await frame.evaluate(IN_VIEW_READ)) as { ms: number | null; added: number } | null;
  const inView = read?.ms ?? null;
  const added = read?.added;
  timings.push({
    what,
    ms,
    ...(inView !== null ? { inViewMs: inView } : {}),
    ...(added !== undefined ? { addedNodes: added } : {}),
  });
  log(`${what}: ${ms} ms${inView !== null ? ` (in the webview: ${inView} ms, ${added} nodes added)` : ''}`);
}

const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'v8.execute',
  'blink.user_timing',
];

/**
 * Waits (at most 10 s) until the page's main thread has run no long task for 300 ms. In code-server
 * the webview shares that thread with the workbench: work left over from the step before (opening a
 * source file beside starts the JavaScript language features, which keep the thread busy for
 * seconds) would otherwise be counted as the next interaction's transport time.
 */
async function settled(frame: Frame): Promise<void> {
  await frame.evaluate(LONG_TASK_PROBE);
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    const quietMs = (await frame.evaluate(
      '(() => performance.now() - window.__longTasks.lastEnd)()',
    )) as number;
    if (quietMs >= 300) return;
    await sleep(300 - quietMs);
  }
  log(`the page's main thread did not settle in 10 s; timing anyway`);
}
const LONG_TASK_PROBE = `(() => {
  if (window.__longTasks) return;
  const probe = { lastEnd: 0 };
  window.__longTasks = probe;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.lastEnd = Math.max(probe.lastEnd, e.startTime + e.duration);
  }).observe({ type: 'longtask', buffered: true });
})()`;

// The in-webview half of `timed`, as source text (a function would be rewritten by tsx with
// helpers the page does not have): the first input event's time, the last change of the view's
// DOM after it, and how many nodes were added to it (with their descendants).
const IN_VIEW_PROBE = `(() => {
  if (window.__inView) window.__inView.observer.disconnect();
  const probe = { input: undefined, changed: undefined, added: 0 };
  const count = (node) => 1 + (node.nodeType === 1 ? node.querySelectorAll('*').length : 0);
  probe.observer = new MutationObserver((records) => {
    if (probe.input !== undefined) probe.changed = performance.now();
    for (const r of records) for (const n of r.addedNodes) probe.added += count(n);
  });
  window.__inView = probe;
  for (const type of ['click', 'keydown', 'input'])
    document.addEventListener(type, (e) => { if (probe.input === undefined) probe.input = e.timeStamp; }, { capture: true, once: true });
  probe.observer.observe(document.getElementById('app'), { childList: true, subtree: true, characterData: true });
})()`;
const IN_VIEW_READ = `(() => {
  const probe = window.__inView;
  if (!probe) return null;
  probe.observer.disconnect();
  const ms = probe.input !== undefined && probe.changed !== undefined ? Math.round(probe.changed - probe.input) : null;
  return { ms, added: probe.added };
})()`;

/**
 * Open-to-first-table and the first interactions on a big snapshot (bench/explorer/run.sh): the
 * largest class expanded, its largest object's retainers, a sort.
 */
async function benchBigFile(
  page: Page,
  dir: string,
  file: string,
  timings: Timing[],
  out: string,
): Promise<void> {
  const name = 'bench.heapsnapshot';
  symlinkSync(resolve(file), join(dir, name));
  await explorerAction(page, name, 'Open heap snapshot');
  const t0 = Date.now();
  const frame = await waitFor(
    `the explorer of ${file} with its first table`,
    async () => {
      const f = await explorerFrame(page, name, 'loaded');
      return f && (await f.evaluate(() => document.getElementById('app')?.dataset.firstTable === 'true'))
        ? f
        : undefined;
    },
    600_000,
    100,
  );
  timings.push({
    what: `bench file: open to first table (${statSync(file).size} bytes)`,
    ms: Date.now() - t0,
  });
  const info = await frame.evaluate(() => window.heapscopeExplorer!.info!);
  const inWebview = await frame.evaluate(() => Math.round(window.heapscopeExplorer!.firstTableMs ?? -1));
  timings.push({ what: 'bench file: first table after the webview started', ms: inWebview });
  log(`bench file: ${info.nodeCount} nodes, parsed in ${info.parseMs} ms, analysed in ${info.analyseMs} ms`);
  const firstClass = frame.locator('[data-list="summary"] .tree-row').first();
  await timed(
    frame,
    timings,
    'bench file: expand the largest class',
    () => firstClass.locator('.twisty').click(),
    async () => (await rowTexts(frame, 'summary')).some((r) => /@\d+/.test(r)),
    120_000,
  );
  const objectRow = frame.locator('[data-list="summary"] .tree-row', { hasText: /@\d+/ }).first();
  await timed(
    frame,
    timings,
    'bench file: select an object → retainers tree',
    () => objectRow.locator('.c-name').click({ position: { x: 60, y: 10 } }),
    async () =>
      (await rowTexts(frame, 'retainers')).length > 0 &&
      !(await rowTexts(frame, 'retainers')).some((r) => r.includes('Loading')),
    120_000,
  );
  await timed(
    frame,
    timings,
    'bench file: sort by shallow size',
    () => frame.locator('[data-list="summary"] .tree-header .c-bytes', { hasText: 'Shallow' }).click(),
    async () =>
      (await frame
        .locator('[data-list="summary"] .tree-header .sorted-desc', { hasText: 'Shallow' })
        .count()) > 0 && (await rowTexts(frame, 'summary')).length > 1,
    120_000,
  );
  await page.screenshot({ path: join(out, 'explorer-bench-file.png') });
}

export const snapshotViewTest: E2eTest = {
  name: 'snapshot explorer: summary, objects, retainers to the source line, comparison; truncated file',
  async run({ browser, env }) {
    const dir = join(env.workspace, 'snapshots');
    mkdirSync(dir, { recursive: true });
    // a, b, c: 3000 then 1200 more LeakyRecord objects kept in the module-level `leakyRecords`.
    execFileSync(process.execPath, [LEAKER, dir, 'array', '3000', '1200'], {
      stdio: 'pipe',
      timeout: 60_000,
    });
    const bytes = readFileSync(join(dir, 'c.heapsnapshot'));
    writeFileSync(join(dir, 'truncated.heapsnapshot'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    log(`snapshots written to ${dir} by Node ${process.version} (${bytes.length} bytes each)`);
    // The e2e tools run on Node 24 (code-server needs it): its V8 writes the newer node layout,
    // without trace_node_id, which this test is also here to cover.
    const meta = bytes.subarray(0, 2_000).toString('utf8');
    if (meta.includes('"trace_node_id"'))
      throw new Error(`expected a V8 12+ snapshot (Node 22 or later), got Node ${process.version}'s layout`);

    const timings: Timing[] = [];
    const page = await openWorkbench(browser, env.url);
    try {
      await expandFolder(page, 'snapshots');
      await explorerAction(page, 'c.heapsnapshot', 'Open heap snapshot');
      // From the menu entry's click (the last thing explorerAction does) to the first table.
      const t0 = Date.now();
      const frame = await waitFor(
        'the explorer of c.heapsnapshot with its first table',
        async () => {
          const f = await explorerFrame(page, 'c.heapsnapshot', 'loaded');
          return f && (await f.evaluate(() => document.getElementById('app')?.dataset.firstTable === 'true'))
            ? f
            : undefined;
        },
        60_000,
        100,
      );
      timings.push({ what: 'open to first table (from the menu entry click)', ms: Date.now() - t0 });
      const opened = await frame.evaluate(() => window.heapscopeExplorer!.info!);
      log(
        `explorer open: ${opened.nodeCount} nodes, parsed in ${opened.parseMs} ms, analysed in ${opened.analyseMs} ms`,
      );
      const first = await rowTexts(frame, 'summary');
      if (first.length < 20) throw new Error(`the summary shows ${first.length} rows: ${first.join(' | ')}`);
      await page.screenshot({ path: join(env.out, 'explorer-1-summary.png') });

      // Sort by count (a header click) and back to retained size.
      await timed(
        frame,
        timings,
        'sort by count',
        () => frame.locator('[data-list="summary"] .tree-header .c-count').click(),
        async () =>
          (await frame.locator('[data-list="summary"] .tree-header .c-count.sorted-desc').count()) > 0 &&
          (await rowTexts(frame, 'summary')).length > 0,
      );
      await frame.locator('[data-list="summary"] .tree-header .c-bytes', { hasText: 'Retained' }).click();

      // Filter to the leaking class and expand it into its objects.
      await timed(
        frame,
        timings,
        'filter "LeakyRecord"',
        () => frame.locator('vscode-textfield.filter input').fill('LeakyRecord'),
        async () => {
          const rows = await rowTexts(frame, 'summary');
          return rows.length === 1 && rows[0].includes('LeakyRecord');
        },
      );
      const classRow = frame.locator('[data-list="summary"] .tree-row', { hasText: 'LeakyRecord' }).first();
      await timed(
        frame,
        timings,
        'expand a class (first page of 100 objects)',
        () => classRow.locator('.twisty').click(),
        async () => (await rowTexts(frame, 'summary')).some((r) => /LeakyRecord @\d+/.test(r)),
      );
      // The list renders the rows in view: End (keyboard) goes to the last one, "Show 100 more".
      const lastRow = async (): Promise<string> => {
        await frame.locator('[data-list="summary"] .tree-scroller').press('End');
        return (await rowTexts(frame, 'summary')).at(-1) ?? '';
      };
      const shown = await waitFor(
        'the "show more" row',
        async () => {
          const last = await lastRow();
          return last.includes('of 4,200 shown') ? last : undefined;
        },
        10_000,
        100,
      );
      if (!shown.includes('100 of 4,200 shown'))
        throw new Error(`expected 4,200 LeakyRecord objects paged by 100: ${shown}`);
      await timed(
        frame,
        timings,
        'next page of objects (Enter on "Show 100 more")',
        () => frame.locator('[data-list="summary"] .tree-scroller').press('Enter'),
        async () => (await lastRow()).includes('200 of 4,200 shown'),
      );
      await frame.locator('[data-list="summary"] .tree-scroller').press('Home');
      log('LeakyRecord: 4,200 objects, paged by 100');

      // Select the largest object: its retainers open along the shortest path to a GC root.
      const objectRow = frame
        .locator('[data-list="summary"] .tree-row', { hasText: /LeakyRecord @\d+/ })
        .first();
      await timed(
        frame,
        timings,
        'select an object → retainers tree opened to the holder',
        () => objectRow.click(),
        async () =>
          (await rowTexts(frame, 'retainers')).some((r) => r.includes('.leakyRecords (closure variable)')),
      );
      const retainerRows = await rowTexts(frame, 'retainers');
      if (!/^\[\d+\] in Array/.test(retainerRows[0] ?? ''))
        throw new Error(`the first retainer is not the array element: ${retainerRows.join(' | ')}`);
      log(`retainers: ${retainerRows.slice(0, 4).join(' ← ')}`);
      await page.screenshot({ path: join(env.out, 'explorer-2-retainers.png') });

      // The same tables in a half-width editor.
      await checkNarrowEditor(page, frame, env.out, {
        lists: ['summary', 'retainers'],
        rowName: 'LeakyRecord',
        minIds: 5,
        screenshot: 'explorer-narrow.png',
      });

      // Ignore the array as a retainer: the object's path changes; restore it.
      const arrayRow = frame.locator('[data-list="retainers"] .tree-row').first();
      // Keyboard: select the row, then "i".
      await arrayRow.locator('.c-name').click({ position: { x: 40, y: 10 } });
      await timed(
        frame,
        timings,
        'ignore a retainer (distances recomputed)',
        () => frame.locator('[data-list="retainers"] .tree-scroller').press('i'),
        async () => (await rowTexts(frame, 'retainers'))[0]?.includes('ignored') ?? false,
      );
      await page.screenshot({ path: join(env.out, 'explorer-4-ignored.png') });
      await frame.locator('[data-list="retainers"] .tree-row').first().locator('a.ignore-link').click();
      await waitFor(
        'the retainer restored',
        async () => {
          const r = await rowTexts(frame, 'retainers');
          return !r[0]?.includes('ignored') && r.some((t) => t.includes('.leakyRecords (closure variable)'));
        },
        20_000,
        50,
      );

      // Search by @id: typed first, then timed from Enter (what the user waits for; the test's
      // typing is not).
      const id = /@(\d+)/.exec((await objectRow.locator('.object-id').first().textContent()) ?? '')?.[1];
      await frame.locator('vscode-textfield.search input').fill(`@${id}`);
      await timed(
        frame,
        timings,
        'find @id',
        () => frame.locator('vscode-textfield.search input').press('Enter'),
        async () =>
          ((await frame.locator('.search-status').textContent()) ?? '').includes(`LeakyRecord @${id}`),
      );

      // Containment: the dominator tree from the GC roots.
      await timed(
        frame,
        timings,
        'containment tab (dominator tree from the root)',
        () => frame.locator('vscode-tab-header', { hasText: 'Containment' }).click(),
        async () => (await rowTexts(frame, 'containment')).length > 3,
      );
      // "What it keeps alive" (the object found by @id): its dominator subtree, its label string.
      await timed(
        frame,
        timings,
        'what an object keeps alive (its dominator subtree)',
        () => frame.locator('a.keeps-alive').click(),
        async () => {
          const rows = await rowTexts(frame, 'containment');
          return (
            (rows[0]?.includes(`LeakyRecord @${id}`) ?? false) && rows.some((r) => r.includes('"record-'))
          );
        },
      );
      await page.screenshot({ path: join(env.out, 'explorer-5-containment.png') });
      await checkNarrowEditor(page, frame, env.out, {
        lists: ['containment', 'retainers'],
        rowName: 'LeakyRecord',
        minIds: 5,
        screenshot: 'explorer-narrow-containment.png',
      });

      // The object's own source link: the class's constructor in leaker.js. After the timed steps:
      // opening a JavaScript file starts VS Code's language features in the extension host the
      // explorer's messages go through, which for a few seconds delays every round trip by
      // 100-260 ms (docs/heapsnapshot.md); the steps above time the explorer, not that start-up.
      await frame.locator('vscode-tab-header', { hasText: 'Summary' }).click();
      await objectRow.locator('a.source-link').click();
      const line = fixtureLine('constructor(i)');
      await waitForEditorAt(page, 'leaker.js', line);
      log(`source link opened leaker.js at line ${line}`);
      await page.screenshot({ path: join(env.out, 'explorer-3-source.png') });
      // The holder's link: the code of the function whose closure variable holds the array.
      const holderRow = frame
        .locator('[data-list="retainers"] .tree-row', { hasText: '.leakyRecords (closure variable)' })
        .first();
      const holderLink = holderRow.locator('a.source-link');
      if (!((await holderLink.textContent()) ?? '').startsWith('leaker.js:'))
        throw new Error(`the closure variable's holder has no source link: ${await holderRow.textContent()}`);

      // Comparison with b.heapsnapshot (the simple file dialog of code-server: a path and Enter).
      await frame.locator('vscode-tab-header', { hasText: 'Comparison' }).click();
      await frame.locator('vscode-button.compare-button').click();
      const input = page.locator('.quick-input-widget .quick-input-box input').first();
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      // The dialog fills in its folder once it has read it: typing before that is overwritten.
      await waitFor(
        'the file dialog showing its folder',
        async () => (await input.inputValue()).endsWith('/'),
        20_000,
        100,
      );
      const baseline = join(dir, 'b.heapsnapshot');
      await waitFor(
        'the file dialog to take b.heapsnapshot',
        async () => {
          if (!(await input.isVisible())) return true;
          await input.fill(baseline);
          await sleep(300);
          if ((await input.inputValue()) !== baseline) return false;
          await input.press('Enter');
          await sleep(1_000);
          return !(await input.isVisible());
        },
        30_000,
        100,
      );
      const compared = await waitFor(
        'the comparison with b.heapsnapshot',
        async () => {
          const r = await rowTexts(frame, 'comparison');
          return r.find((t) => t.startsWith('LeakyRecord'));
        },
        60_000,
        100,
      );
      if (!/^LeakyRecord1,200/.test(compared.replace(/\s/g, '')))
        throw new Error(`the comparison does not count 1,200 new LeakyRecord objects: ${compared}`);
      log(`comparison: ${compared}`);
      await page.screenshot({ path: join(env.out, 'explorer-6-comparison.png') });
      // Its seven figure columns in a half-width editor.
      await checkNarrowEditor(page, frame, env.out, {
        lists: ['comparison'],
        rowName: 'LeakyRecord',
        minIds: 0,
        screenshot: 'explorer-narrow-comparison.png',
      });

      // The explorer bench (bench/explorer/run.sh) adds a big file of its own.
      const benchFile = process.env.HEAPSCOPE_EXPLORER_BENCH_FILE;
      if (benchFile) await benchBigFile(page, dir, benchFile, timings, env.out);

      const roundTrips = await frame.evaluate(() => window.heapscopeExplorer!.timings);
      const byKind = new Map<string, number[]>();
      const hostByKind = new Map<string, number[]>();
      const workerByKind = new Map<string, number[]>();
      for (const t of roundTrips) {
        byKind.set(t.kind, [...(byKind.get(t.kind) ?? []), t.roundTripMs]);
        hostByKind.set(t.kind, [...(hostByKind.get(t.kind) ?? []), t.hostMs]);
        workerByKind.set(t.kind, [...(workerByKind.get(t.kind) ?? []), t.workerMs ?? 0]);
      }
      const firstTableInWebviewMs = await frame.evaluate(() =>
        Math.round(window.heapscopeExplorer!.firstTableMs ?? -1),
      );
      const figures = {
        file: 'c.heapsnapshot',
        fileBytes: bytes.length,
        nodeCount: opened.nodeCount,
        parseMs: opened.parseMs,
        analyseMs: opened.analyseMs,
        /** From the webview's start (the editor opening) to the first table on screen. */
        firstTableInWebviewMs,
        interactions: timings,
        roundTripsMs: Object.fromEntries(
          [...byKind].map(([kind, ms]) => [
            kind,
            {
              count: ms.length,
              max: Math.round(Math.max(...ms)),
              hostMax: Math.round(Math.max(...(hostByKind.get(kind) ?? [0]))),
              workerMax: Math.round(Math.max(...(workerByKind.get(kind) ?? [0]))),
            },
          ]),
        ),
      };
      writeFileSync(join(env.out, 'explorer-timings.json'), `${JSON.stringify(figures, null, 2)}\n`);
      for (const t of timings)
        console.log(
          `    ${t.what}: ${t.ms} ms${t.inViewMs !== undefined ? ` (in the webview: ${t.inViewMs} ms, ${t.addedNodes} nodes added)` : ''}`,
        );
      log(`round trips (max ms by query): ${JSON.stringify(figures.roundTripsMs)}`);
      // Where a slow round trip's time went: to the host, in it (of which in the worker), back.
      const slow = process.env.HEAPSCOPE_E2E_TRACE ? 0 : 100;
      for (const t of roundTrips.filter((r) => r.roundTripMs > slow))
        log(
          `slow round trip ${t.kind}: ${Math.round(t.roundTripMs)} ms = to host ${Math.round(t.toHostMs)}` +
            ` + host ${Math.round(t.hostMs)} (worker ${Math.round(t.workerMs ?? -1)})` +
            ` + back ${Math.round(t.fromHostMs)} (at ${Math.round(t.startedAt)})`,
        );

      // A truncated file: the error in the editor itself.
      await explorerAction(page, 'truncated.heapsnapshot', 'Open heap snapshot');
      const failed = await waitFor(
        "the truncated file's error in the editor",
        () => explorerFrame(page, 'truncated.heapsnapshot', 'failed'),
        45_000,
        250,
      );
      const message = await failed.evaluate(() => document.querySelector('.failure')?.textContent ?? '');
      log(`truncated: ${message.slice(0, 200)}`);
      if (!/Heap snapshot is truncated.*at byte \d+/.test(message))
        throw new Error(`the editor does not name the truncation and its byte offset: ${message}`);
      await page.screenshot({ path: join(env.out, 'explorer-7-truncated.png') });
    } finally {
      await page.screenshot({ path: join(env.out, 'snapshot-last.png') }).catch(() => undefined);
      await page.close();
    }
  },
};
