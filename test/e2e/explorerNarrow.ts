// The explorer in a narrow editor (a half-width split): the window is narrowed until the explorer's
// webview is ~600 px wide, and real layout is measured there. The Name column must keep a useful
// share of each table, the leaking class's name and the objects' @ids must be readable, and every
// column hidden to make room must be named in the header and kept in each row's tooltip. Then the
// window is widened back and nothing may be hidden at that width (the other steps' layout).
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { log, waitFor } from './vscode';

/** The explorer's width in a VS Code split of a ~1200 px window. */
const NARROW_WIDTH = 600;
/** From this width on (a full editor beside the sidebar) nothing is hidden. */
const WIDE_WIDTH = 1000;
/** The least share of a table's width the Name column keeps at NARROW_WIDTH. */
const NAME_SHARE = 0.4;

interface ListLayout {
  list: string;
  tableWidth: number;
  nameWidth: number;
  /** Titles of the header cells not shown (display: none). */
  hiddenTitles: string[];
  /** The header's words about hidden columns (its hidden-columns marker's label), if any. */
  headerNote: string;
}

/** Widths of the named lists' header and Name column, and which header cells are not shown. */
function listLayouts(frame: Frame, lists: string[]): Promise<ListLayout[]> {
  return frame.evaluate((names) => {
    return names.map((name) => {
      const root = document.querySelector(`[data-list="${name}"]`) as HTMLElement;
      const header = root.querySelector('.tree-header') as HTMLElement;
      const nameCell = header.querySelector('.c-name') as HTMLElement;
      const hiddenTitles = [...header.querySelectorAll<HTMLElement>('.cell')]
        .filter((c) => getComputedStyle(c).display === 'none')
        .map((c) => c.textContent ?? '')
        .filter((title) => title !== '');
      const note = header.querySelector('.hidden-columns');
      return {
        list: name,
        tableWidth: header.getBoundingClientRect().width,
        nameWidth: nameCell.getBoundingClientRect().width,
        hiddenTitles,
        headerNote: note?.getAttribute('aria-label') ?? '',
      };
    });
  }, lists);
}

/** The explorer webview's inner width. */
function webviewWidth(frame: Frame): Promise<number> {
  return frame.evaluate(() => document.documentElement.clientWidth);
}

/** The webview's width once it has stopped changing (the workbench lays out after a resize). */
function settledWidth(frame: Frame): Promise<number> {
  let last = -1;
  return waitFor(
    "the explorer's width to settle",
    async () => {
      const width = await webviewWidth(frame);
      const settled = width === last;
      last = width;
      return settled ? width : undefined;
    },
    10_000,
    100,
  );
}

/**
 * Resizes the window until the webview is `width` px wide. The workbench around it keeps its size,
 * but the editor groups share what is left (a file opened beside halves each change): the
 * webview's change per px of window is measured and the next step follows it.
 */
async function setWebviewWidth(page: Page, frame: Frame, width: number): Promise<void> {
  const { height } = page.viewportSize()!;
  let windowWidth = page.viewportSize()!.width;
  let current = await webviewWidth(frame);
  let perPx = 1;
  for (let step = 0; step < 6 && Math.abs(current - width) > 16; step++) {
    const next = Math.round(windowWidth + (width - current) / perPx);
    await page.setViewportSize({ width: next, height });
    const measured = await settledWidth(frame);
    if (next !== windowWidth && measured !== current)
      perPx = Math.max(0.1, (measured - current) / (next - windowWidth));
    windowWidth = next;
    current = measured;
  }
  if (Math.abs(current - width) > 16)
    throw new Error(`the explorer is ${current} px wide, not ${width}, in a ${windowWidth} px window`);
  // The tables fit their columns in the frame after the resize (a ResizeObserver): two frames.
  await frame.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
}

export interface NarrowCheck {
  /** The explorer's lists on screen (data-list); the first holds the row named `rowName`. */
  lists: string[];
  /** A row whose name must be drawn whole, and whose tooltip must hold the hidden columns. */
  rowName: string;
  /** How many @ids at least the lists show (0: they show none). */
  minIds: number;
  screenshot: string;
}

/**
 * Narrows the explorer to NARROW_WIDTH, checks the layout of the lists on screen, keeps a
 * screenshot, and widens it again.
 */
export async function checkNarrowEditor(
  page: Page,
  frame: Frame,
  out: string,
  check: NarrowCheck,
): Promise<void> {
  const { lists, rowName } = check;
  const main = lists[0];
  const wide = page.viewportSize()!;
  const wideWidth = await webviewWidth(frame);
  // A full editor beside the sidebar (1000 px and more) shows every column, as before the fit.
  const before = await listLayouts(frame, lists);
  for (const l of before)
    if (wideWidth >= WIDE_WIDTH && l.hiddenTitles.length > 0)
      throw new Error(`at ${wideWidth} px the ${l.list} table hides ${l.hiddenTitles.join(', ')}`);
  await setWebviewWidth(page, frame, NARROW_WIDTH);
  try {
    const width = await webviewWidth(frame);
    const layouts = await listLayouts(frame, lists);
    for (const l of layouts) {
      const share = l.nameWidth / l.tableWidth;
      log(
        `narrow (${width} px): ${l.list} Name column ${Math.round(l.nameWidth)} of ${Math.round(l.tableWidth)} px` +
          ` (${Math.round(share * 100)} %), hidden: ${l.hiddenTitles.join(', ') || 'none'}`,
      );
      if (share < NAME_SHARE)
        throw new Error(
          `at ${width} px the ${l.list} Name column has ${Math.round(share * 100)} % of the table (< ${NAME_SHARE * 100} %)`,
        );
      for (const title of l.hiddenTitles)
        if (!l.headerNote.includes(title))
          throw new Error(`the ${l.list} header does not say that ${title} is hidden: "${l.headerNote}"`);
    }

    // The named row: its name (and count) fully shown; the hidden columns' values in its tooltip.
    const mainHidden = layouts[0].hiddenTitles;
    if (mainHidden.length === 0) throw new Error(`at ${width} px the ${main} table hides no column`);
    const classRow = await frame.evaluate(
      ([list, name]) => {
        const row = [...document.querySelectorAll<HTMLElement>(`[data-list="${list}"] .tree-row`)].find((r) =>
          (r.querySelector('.c-name')?.textContent ?? '').startsWith(name),
        );
        if (!row) return undefined;
        const cell = row.querySelector('.c-name') as HTMLElement;
        return {
          text: cell.textContent ?? '',
          scroll: cell.scrollWidth,
          client: cell.clientWidth,
          title: row.title,
        };
      },
      [main, rowName] as const,
    );
    if (!classRow) throw new Error(`no ${rowName} row in ${main}`);
    if (classRow.scroll > classRow.client)
      throw new Error(
        `"${classRow.text}" is cut at ${width} px: ${classRow.scroll} px of content in ${classRow.client} px`,
      );
    for (const title of mainHidden)
      if (!classRow.title.includes(`${title}:`))
        throw new Error(`the ${rowName} row's tooltip lacks the hidden ${title}: "${classRow.title}"`);

    // Object rows and holders: each @id drawn whole inside its cell.
    const ids = await frame.evaluate(
      (names) =>
        names
          .flatMap((list) => [
            ...document.querySelectorAll<HTMLElement>(`[data-list="${list}"] .tree-row .c-name .object-id`),
          ])
          .map((id) => {
            const cell = id.closest('.c-name') as HTMLElement;
            const a = id.getBoundingClientRect();
            const c = cell.getBoundingClientRect();
            return {
              text: id.textContent ?? '',
              inside: a.width > 0 && a.left >= c.left && a.right <= c.right + 0.5,
            };
          }),
      lists,
    );
    if (ids.length < check.minIds) throw new Error(`only ${ids.length} @ids on screen`);
    const cut = ids.filter((i) => !i.inside);
    if (cut.length > 0)
      throw new Error(
        `${cut.length} of ${ids.length} @ids are cut at ${width} px: ${cut.map((i) => i.text).join(',')}`,
      );
    log(
      `narrow: "${classRow.text}" whole, ${ids.length} @ids whole, tooltip: ${classRow.title.replace(/\n/g, ' | ')}`,
    );
    await page.screenshot({ path: join(out, check.screenshot) });

    // The header's note is a button: Enter shows every column (today's layout), Enter again fits.
    const root = frame.locator(`[data-list="${main}"]`);
    const hiddenAttr = (): Promise<string | null> => root.getAttribute('data-hidden');
    const fitted = await hiddenAttr();
    await root.locator('.tree-header .hidden-columns').press('Enter');
    await waitFor(`every ${main} column shown`, async () => (await hiddenAttr()) === '', 5_000, 20);
    const shown = await listLayouts(frame, [main]);
    if (shown[0].hiddenTitles.length > 0)
      throw new Error(`"show all columns" still hides ${shown[0].hiddenTitles.join(', ')}`);
    await root.locator('.tree-header .hidden-columns').press('Enter');
    await waitFor(`the ${main} table fitted again`, async () => (await hiddenAttr()) === fitted, 5_000, 20);
  } finally {
    await page.setViewportSize(wide);
  }
  await waitFor(
    'the explorer wide again',
    async () => Math.abs((await webviewWidth(frame)) - wideWidth) <= 16,
    10_000,
    50,
  );
  await frame.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
  // Wide again: the columns shown before are shown again.
  const after = await listLayouts(frame, lists);
  for (const [i, l] of after.entries())
    if (l.hiddenTitles.join() !== before[i].hiddenTitles.join())
      throw new Error(
        `at ${wideWidth} px again the ${l.list} table hides ${l.hiddenTitles.join(', ') || 'nothing'}, not ${before[i].hiddenTitles.join(', ') || 'nothing'}`,
      );
}
