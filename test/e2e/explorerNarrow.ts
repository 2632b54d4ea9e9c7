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

/** Resizes the window so that the webview is `width` px wide (the workbench around it keeps its size). */
async function setWebviewWidth(page: Page, frame: Frame, width: number): Promise<void> {
  const viewport = page.viewportSize()!;
  const around = viewport.width - (await webviewWidth(frame));
  await page.setViewportSize({ width: around + width, height: viewport.height });
  await waitFor(
    `the explorer ${width} px wide`,
    async () => Math.abs((await webviewWidth(frame)) - width) <= 16,
    10_000,
    50,
  );
  // The tables fit their columns in the frame after the resize (a ResizeObserver): two frames.
  await frame.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
}

/**
 * In the Summary (filtered to `className`, expanded into its objects) and the Retainers of the
 * selected object: checks the narrow layout, keeps a screenshot, and restores the window.
 */
export async function checkNarrowEditor(
  page: Page,
  frame: Frame,
  className: string,
  out: string,
): Promise<void> {
  const wide = page.viewportSize()!;
  const wideWidth = await webviewWidth(frame);
  await setWebviewWidth(page, frame, NARROW_WIDTH);
  try {
    const width = await webviewWidth(frame);
    const layouts = await listLayouts(frame, ['summary', 'retainers']);
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

    // The class row: its name and count fully shown; the hidden columns' values in its tooltip.
    const summaryHidden = layouts[0].hiddenTitles;
    const classRow = await frame.evaluate((name) => {
      const row = [...document.querySelectorAll<HTMLElement>('[data-list="summary"] .tree-row')].find((r) =>
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
    }, className);
    if (!classRow) throw new Error(`no ${className} class row in the summary`);
    if (classRow.scroll > classRow.client)
      throw new Error(
        `"${classRow.text}" is cut at ${width} px: ${classRow.scroll} px of content in ${classRow.client} px`,
      );
    for (const title of summaryHidden)
      if (!classRow.title.includes(`${title}:`))
        throw new Error(`the ${className} row's tooltip lacks the hidden ${title}: "${classRow.title}"`);

    // Object rows (summary) and holders (retainers): each @id drawn whole inside its cell.
    const ids = await frame.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.tree-row .c-name .object-id')].map((id) => {
        const cell = id.closest('.c-name') as HTMLElement;
        const a = id.getBoundingClientRect();
        const c = cell.getBoundingClientRect();
        return {
          text: id.textContent ?? '',
          inside: a.width > 0 && a.left >= c.left && a.right <= c.right + 0.5,
        };
      }),
    );
    if (ids.length < 5) throw new Error(`only ${ids.length} @ids on screen`);
    const cut = ids.filter((i) => !i.inside);
    if (cut.length > 0)
      throw new Error(
        `${cut.length} of ${ids.length} @ids are cut at ${width} px: ${cut.map((i) => i.text).join(',')}`,
      );
    log(
      `narrow: "${classRow.text}" whole, ${ids.length} @ids whole, tooltip: ${classRow.title.replace(/\n/g, ' | ')}`,
    );
    await page.screenshot({ path: join(out, 'explorer-narrow.png') });

    // The header's note is a button: Enter shows every column (today's layout), Enter again fits.
    const summaryRoot = frame.locator('[data-list="summary"]');
    const hiddenAttr = (): Promise<string | null> => summaryRoot.getAttribute('data-hidden');
    const fitted = await hiddenAttr();
    await summaryRoot.locator('.tree-header .hidden-columns').press('Enter');
    await waitFor('every Summary column shown', async () => (await hiddenAttr()) === '', 5_000, 20);
    const shown = await listLayouts(frame, ['summary']);
    if (shown[0].hiddenTitles.length > 0)
      throw new Error(`"show all columns" still hides ${shown[0].hiddenTitles.join(', ')}`);
    await summaryRoot.locator('.tree-header .hidden-columns').press('Enter');
    await waitFor('the Summary fitted again', async () => (await hiddenAttr()) === fitted, 5_000, 20);
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
  // At the usual width every column is there, as before.
  for (const l of await listLayouts(frame, ['summary', 'retainers']))
    if (l.hiddenTitles.length > 0)
      throw new Error(`at ${wideWidth} px the ${l.list} table hides ${l.hiddenTitles.join(', ')}`);
}
