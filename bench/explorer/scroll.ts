// Benchmark (not a test) of the explorer's Summary with a very long class table: opens a snapshot
// in-process (bench/explorer/manyClasses.js writes one with 100k classes), gives its class table to
// the real explorer webview bundle in Debian's Chromium (a stand-alone page under the webview's CSP,
// as bench/chart does), then scrolls the virtualised list a frame at a time and prints the frame
// times (goal: every frame well under 16 ms), the rows in the DOM, and the time a sort and a
// filter keystroke take to reach the screen.
// Usage: npx tsx bench/explorer/scroll.ts <file.heapsnapshot> [--frames 300]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { openSnapshotExplorer } from '../../src/core/heapsnapshot/queries/client';
import { writeBenchPage } from '../../test/e2e/standalonePage';

const root = resolve(__dirname, '../..');
const file = process.argv[2];
const framesArg = process.argv.indexOf('--frames');
const frames = framesArg > 0 ? Number(process.argv[framesArg + 1]) : 300;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function describe(label: string, values: number[]): string {
  const r = (v: number): string => v.toFixed(1);
  return `${label}: ${values.length} frames, median ${r(quantile(values, 0.5))} ms, p95 ${r(quantile(values, 0.95))} ms, max ${r(Math.max(...values))} ms`;
}

async function main(): Promise<void> {
  if (!file || !existsSync(file)) {
    process.stderr.write('usage: npx tsx bench/explorer/scroll.ts <file.heapsnapshot> [--frames N]\n');
    process.exit(2);
  }
  if (!existsSync(resolve(root, 'dist/webview/explorer.js'))) throw new Error('run npm run build first');
  const load = loadavg()[0].toFixed(1);
  const t0 = performance.now();
  let provisionalMs = -1;
  const handle = await openSnapshotExplorer(file, {
    inProcess: true,
    onProvisional: () => (provisionalMs = performance.now() - t0),
  });
  const openMs = performance.now() - t0;
  process.stdout.write(
    `${file}: ${handle.info.nodeCount} nodes, ${handle.classes.length} classes; provisional table ${Math.round(provisionalMs)} ms, analysed ${Math.round(openMs)} ms (load ${load})\n`,
  );

  const page$ = writeBenchPage(root, 'explorer');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.goto(page$.url);
    await page.waitForFunction(() => Boolean(window.heapscopeExplorer));
    // The message is put in the page first, so that the time is the webview's (the postMessage's
    // copy, sorting, the first rows), not Playwright's transfer of the rows.
    const message = { type: 'loaded', info: handle.info, fileName: 'classes', classes: handle.classes };
    await page.evaluate((m) => {
      (window as unknown as { benchMessage: unknown }).benchMessage = m;
    }, message);
    const tableMs = await page.evaluate(async () => {
      const t = performance.now();
      window.postMessage((window as unknown as { benchMessage: unknown }).benchMessage, '*');
      while (document.getElementById('app')?.dataset.firstTable !== 'true')
        await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t;
    });
    process.stdout.write(`${handle.classes.length} rows: message to first table ${tableMs.toFixed(0)} ms\n`);

    // Scrolls by `step` rows a frame (or to a random place each frame), recording the time between
    // frames: what a user scrolling (or dragging the scroll bar) sees.
    const scroll = (
      stepRows: number,
      random: boolean,
    ): Promise<{ deltas: number[]; rowsInDom: number; longTasks: number }> =>
      page.evaluate(
        async ({ n, stepRows, random }) => {
          const scroller = document.querySelector<HTMLElement>('[data-list="summary"] .tree-scroller')!;
          scroller.scrollTop = 0;
          await new Promise((r) => requestAnimationFrame(r));
          const deltas: number[] = [];
          // Tasks over 50 ms on the page's main thread while scrolling (the list's own work or not).
          let longTasks = 0;
          const observer = new PerformanceObserver((list) => (longTasks += list.getEntries().length));
          observer.observe({ type: 'longtask' });
          let last = performance.now();
          let maxRows = 0;
          for (let i = 0; i < n; i++) {
            scroller.scrollTop = random
              ? Math.random() * (scroller.scrollHeight - scroller.clientHeight)
              : scroller.scrollTop + stepRows * 22;
            await new Promise((r) => requestAnimationFrame(r));
            const now = performance.now();
            deltas.push(now - last);
            last = now;
            maxRows = Math.max(maxRows, scroller.querySelectorAll('.tree-row').length);
          }
          observer.disconnect();
          return { deltas, rowsInDom: maxRows, longTasks };
        },
        { n: frames, stepRows, random },
      );
    const wheel = await scroll(3, false);
    process.stdout.write(
      `${describe('scroll 3 rows a frame', wheel.deltas)}, ${wheel.longTasks} tasks > 50 ms; at most ${wheel.rowsInDom} rows in the DOM\n`,
    );
    const fast = await scroll(40, false);
    process.stdout.write(
      `${describe('scroll 40 rows a frame', fast.deltas)}, ${fast.longTasks} tasks > 50 ms\n`,
    );
    const jumps = await scroll(0, true);
    process.stdout.write(
      `${describe('jump anywhere each frame', jumps.deltas)}, ${jumps.longTasks} tasks > 50 ms\n`,
    );

    // A sort (header click) and a filter keystroke, to the rows on screen.
    const sortMs = await page.evaluate(async () => {
      const header = [
        ...document.querySelectorAll<HTMLElement>('[data-list="summary"] .tree-header .cell'),
      ].find((c) => c.textContent?.startsWith('Constructor'))!;
      const t = performance.now();
      header.click();
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t;
    });
    const filterMs = await page.evaluate(async () => {
      const filter = document.querySelector<HTMLElement & { value: string }>('.filter')!;
      const t = performance.now();
      filter.value = 'Class9999';
      filter.dispatchEvent(new Event('input'));
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t;
    });
    const shown = await page.evaluate(
      () => document.querySelectorAll('[data-list="summary"] .tree-row').length,
    );
    process.stdout.write(
      `sort by name ${sortMs.toFixed(0)} ms; filter "Class9999" ${filterMs.toFixed(0)} ms (${shown} rows)\n`,
    );
    if (errors.length) process.stdout.write(`page errors: ${errors.join(' | ')}\n`);
  } finally {
    await browser.close();
    page$.dispose();
    handle.dispose();
  }
}

void main();
