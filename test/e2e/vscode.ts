// Helpers to drive VS Code (code-server) in Chromium with playwright-core: open the workbench, run a
// palette command (with retries: contributed commands appear only once the remote extension host has
// scanned the extensions), read the extension's e2e state file, find the Heapscope webview's frame.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

export interface E2eEnv {
  url: string;
  workspace: string;
  /** The sandbox's user settings (code-server.sh writes it next to the workspace). */
  userSettings: string;
  stateFile: string;
  out: string;
}

export function e2eEnv(): E2eEnv {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set (run test/e2e/run.sh)`);
    return value;
  };
  return {
    url: need('E2E_URL'),
    workspace: need('E2E_WORKSPACE'),
    userSettings: join(dirname(need('E2E_WORKSPACE')), 'user-data', 'User', 'settings.json'),
    stateFile: need('E2E_STATE_FILE'),
    out: need('E2E_OUT'),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function log(message: string): void {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Polls `check` until it returns a value (not undefined/false) or the time runs out. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}`,
      );
    await sleep(intervalMs);
  }
}

export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.part.statusbar', { timeout: 90_000 });
  await page.waitForSelector('.explorer-folders-view, .monaco-workbench .part.sidebar', { timeout: 90_000 });
  return page;
}

/**
 * F1, type the command's title, pick the entry with exactly that title; re-opens the palette until
 * it is listed. Exact, because a title is often the start of another one ("Debug: Start Debugging"
 * vs js-debug's "… and Stop on Entry"), and the palette's order changes with what was used before.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  const exactTitle = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: exactTitle }) }).first();
  const loose = rows.filter({ hasText: title }).first();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await exact.waitFor({ state: 'visible', timeout: 2_000 });
      await exact.click();
      return;
    } catch {
      // A label rendered differently (no .label-name): after a few tries, take the listed entry.
      if (attempt >= 3 && (await loose.isVisible())) {
        await loose.click();
        return;
      }
      if (Date.now() > deadline) throw new Error(`command "${title}" never showed up in the palette`);
      await sleep(1_000);
    }
  }
}

/** Picks the quick-pick entry whose label contains `text` (the quick pick must be open). */
export async function pickQuickItem(
  page: Page,
  text: string,
  timeoutMs = 20_000,
  filter?: string,
): Promise<void> {
  if (filter !== undefined) {
    const input = page.locator('.quick-input-widget .quick-input-box input').first();
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(filter);
    // A picker that re-renders as it finds targets can move rows under a click: once the wanted
    // entry is the first (active) row of the filtered list, Enter accepts it wherever it is drawn.
    const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
    const firstIsWanted = async (): Promise<boolean> =>
      ((await first.textContent().catch(() => '')) ?? '').includes(text);
    await waitFor(`"${text}" as the first entry`, firstIsWanted, timeoutMs);
    // An Enter that lands while the list is being replaced is dropped and the picker stays as it
    // was; pressing it again on the same picker is harmless (accepting is idempotent there). Pressed
    // on the input itself: a webview that finishes loading meanwhile can take the keyboard focus.
    for (let attempt = 1; ; attempt++) {
      // No entry active (the list was replaced under the filter): Down activates the first one.
      if (
        attempt > 1 &&
        (await page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused').count()) === 0
      )
        await input.press('Down');
      await input.press('Enter');
      const moved = await waitFor(
        `the picker to accept "${text}"`,
        async () =>
          !(await input.isVisible()) || (await input.inputValue()) !== filter || !(await firstIsWanted()),
        5_000,
        100,
      ).then(
        () => true,
        () => false,
      );
      if (moved) return;
      if (attempt >= 3)
        throw new Error(`the picker did not accept "${text}" after ${attempt} presses of Enter`);
      log(`Enter on "${text}" was not taken; pressing it again`);
    }
  }
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text })
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** Opens a workspace file by name through Quick Open (Ctrl+P) and waits for its text editor. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget .quick-input-box input').first().fill(name);
  await pickQuickItem(page, name);
  await activeTab(page, name).waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForSelector('.editor-group-container.active .monaco-editor', { timeout: 30_000 });
}

/** The active tab of the active editor group, if it shows `name`. */
export function activeTab(page: Page, name: string): Locator {
  return page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: name });
}

/** The 1-based line the editor's cursor is on, from the status bar ("Ln 8, Col 1"). */
export async function cursorLine(page: Page): Promise<number> {
  const text = (await page.locator('.statusbar-item[id="status.editor.selection"]').textContent()) ?? '';
  return Number(/Ln (\d+),/.exec(text)?.[1] ?? 0);
}

/** Waits until the active editor shows `name` with its cursor on `line` (a source link followed). */
export async function waitForEditorAt(page: Page, name: string, line: number, why = ''): Promise<void> {
  await waitFor(
    `${name} open at line ${line}${why ? ` (${why})` : ''}`,
    async () => (await activeTab(page, name).count()) > 0 && (await cursorLine(page)) === line,
    20_000,
    200,
  );
}

export interface E2eSession {
  id: string;
  name: string;
  origin: string;
  debugSessionId?: string;
  state: string;
  pid?: number;
  samples: number;
  gcEvents: number;
  verdict: string | null;
  heapBytesPerMinute: number | null;
  suspects: Array<{
    functionName: string;
    url: string;
    line: number;
    liveBytes: number;
    holderPath?: string[];
  }>;
}

export interface E2eStateLine {
  timeMs: number;
  event: string;
  sessions: E2eSession[];
  codeLenses: Array<{ file: string; line: number; title: string }>;
}

/** All lines of the extension's e2e state file (HEAPSCOPE_E2E_STATE_FILE) so far. */
export function readState(file: string): E2eStateLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as E2eStateLine];
      } catch {
        return []; // a line being written
      }
    });
}

export function lastState(file: string): E2eStateLine | undefined {
  return readState(file).at(-1);
}

export interface WebviewFigures {
  hasSession: boolean;
  state?: string;
  samples: number;
  gcEvents: number;
  verdict?: string;
  suspects: number;
  verdictText: string;
  rows: string[];
  hasCanvas: boolean;
}

/** The Heapscope webview frames on the page (side bar view and/or editor panel). */
export async function heapscopeFrames(page: Page): Promise<Frame[]> {
  const found: Frame[] = [];
  for (const frame of page.frames()) {
    try {
      const has = await frame.evaluate(() => Boolean(document.querySelector('#app .suspects-table')));
      if (has) found.push(frame);
    } catch {
      // detached or cross-origin frame being torn down
    }
  }
  return found;
}

export async function webviewFigures(frame: Frame): Promise<WebviewFigures> {
  return frame.evaluate(() => {
    const app = document.getElementById('app')!;
    const d = app.dataset;
    return {
      hasSession: d.hasSession === 'true',
      state: d.state,
      samples: Number(d.samples ?? 0),
      gcEvents: Number(d.gcEvents ?? 0),
      verdict: d.verdict,
      suspects: Number(d.suspects ?? 0),
      verdictText: app.querySelector('.verdict')?.textContent ?? '',
      rows: [...app.querySelectorAll('.suspect-row')].map((r) => r.textContent ?? ''),
      hasCanvas: Boolean(app.querySelector('.chart canvas')),
    };
  });
}

/**
 * Figures of the Heapscope webview that has a session, if any; with both the side bar view and the
 * editor panel open, the larger one on screen (the panel).
 */
export async function liveWebview(
  page: Page,
): Promise<{ frame: Frame; figures: WebviewFigures } | undefined> {
  let best: { frame: Frame; figures: WebviewFigures; area: number } | undefined;
  for (const frame of await heapscopeFrames(page)) {
    const figures = await webviewFigures(frame);
    if (!figures.hasSession) continue;
    const box = await (await frame.frameElement()).boundingBox().catch(() => null);
    const area = box ? box.width * box.height : 0;
    if (!best || area > best.area) best = { frame, figures, area };
  }
  return best && { frame: best.frame, figures: best.figures };
}

/** Collapses the named sections of the current side bar (to give the Heapscope view room). */
export async function collapseSections(page: Page, titles: string[]): Promise<void> {
  for (const title of titles) {
    const header = page.locator('.part.sidebar .pane-header.expanded', { hasText: title }).first();
    if ((await header.count()) > 0) await header.click().catch(() => undefined);
  }
}
