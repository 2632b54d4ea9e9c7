// The explorer's first table before the analysis, in Chromium on a stand-alone page that loads the
// real explorer bundle under the extension's CSP, with a fake host posting the protocol's messages
// (no VS Code needed, a few seconds): the provisional table shows counts and shallow sizes, marks
// the retained sizes as being computed, does not sort by them nor expand a class; the analysed
// table then replaces it, sorted by retained size.
import { join } from 'node:path';
import type { E2eTest } from './runner';
import { writeBenchPage } from './standalonePage';
import { log, waitFor } from './vscode';
import type { ClassRow, ExplorerHostMessage } from '../../src/shared/explorerProtocol';

const info = {
  file: '/tmp/x.heapsnapshot',
  fileBytes: 1000,
  nodeCount: 400,
  edgeCount: 900,
  totalBytes: 10_000,
  classCount: 3,
  parseMs: 12,
};
const row = (classIndex: number, name: string, count: number, shallow: number, retained = 0): ClassRow => ({
  classIndex,
  name,
  count,
  shallowBytes: shallow,
  retainedBytes: retained,
  distance: retained ? 2 : -1,
});

export const explorerProvisionalTest: E2eTest = {
  name: 'explorer provisional table: before the analysis, then replaced',
  async run({ browser, env }) {
    const standalone = writeBenchPage(process.cwd(), 'explorer');
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    try {
      await page.goto(standalone.url);
      await page.waitForFunction(() => Boolean(window.heapscopeExplorer));
      const post = (message: ExplorerHostMessage): Promise<void> =>
        page.evaluate((m) => window.postMessage(m, '*'), message);
      const rows = (): Promise<
        Array<{ name: string; retained: string; percent: string; expandable: boolean }>
      > =>
        page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('[data-list="summary"] .tree-row')]
            .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
            .map((r) => ({
              name: r.querySelector('.c-name')?.textContent ?? '',
              retained: r.querySelectorAll('.c-bytes')[1]?.textContent ?? '',
              percent: r.querySelector('.c-percent')?.textContent ?? '',
              expandable: r.hasAttribute('aria-expanded'),
            })),
        );
      const retainedHeader = page.locator('[data-list="summary"] .tree-header .cell', {
        hasText: 'Retained',
      });

      await post({
        type: 'provisional',
        fileName: 'x.heapsnapshot',
        table: {
          info,
          classes: [row(0, 'Big', 10, 6_000), row(1, 'Middle', 300, 3_000), row(2, 'Small', 90, 1_000)],
        },
      });
      const first = await waitFor(
        'the provisional table',
        async () => {
          const r = await rows();
          return r.length === 3 ? r : undefined;
        },
        10_000,
      );
      if (first.map((r) => r.name.split(' ×')[0]).join() !== 'Big,Middle,Small')
        throw new Error(`not largest shallow first: ${JSON.stringify(first)}`);
      if (!first.every((r) => r.retained === 'computing…' && !r.expandable))
        throw new Error(
          `retained sizes not marked as computing, or classes expandable: ${JSON.stringify(first)}`,
        );
      if (first[0].percent !== '60 %')
        throw new Error(`% of heap is not by shallow size: ${first[0].percent}`);
      if (!(await retainedHeader.getAttribute('class'))?.includes('sort-disabled'))
        throw new Error('the Retained header can be sorted by while it is computed');
      await retainedHeader.click();
      const afterClick = await rows();
      if (afterClick[0].name.split(' ×')[0] !== 'Big')
        throw new Error('a click on Retained sorted the table');
      const figures = await page.locator('.header .figures').textContent();
      if (!figures?.includes('retained sizes: computing')) throw new Error(`header: ${figures}`);
      await page.screenshot({ path: join(env.out, 'explorer-provisional.png') });

      await post({
        type: 'loaded',
        fileName: 'x.heapsnapshot',
        info: { ...info, unreachableCount: 0, analyseMs: 20 },
        classes: [
          row(0, 'Big', 10, 6_000, 6_000),
          row(1, 'Middle', 300, 3_000, 9_000),
          row(2, 'Small', 90, 1_000, 1_000),
        ],
      });
      const full = await waitFor(
        'the analysed table',
        async () => {
          const r = await rows();
          return r.length === 3 && r[0].retained !== 'computing…' ? r : undefined;
        },
        10_000,
      );
      if (full.map((r) => r.name.split(' ×')[0]).join() !== 'Middle,Big,Small')
        throw new Error(`the analysed table is not largest retained first: ${JSON.stringify(full)}`);
      if (!full.every((r) => r.expandable)) throw new Error('classes do not expand after the analysis');
      if ((await retainedHeader.getAttribute('class'))?.includes('sort-disabled'))
        throw new Error('the Retained header is still disabled');
      const phases = await page.evaluate(() => window.heapscopeExplorer!);
      if (!(phases.firstTableMs! < phases.fullTableMs!))
        throw new Error(`first table ${phases.firstTableMs}, analysed ${phases.fullTableMs}`);
      if (problems.length) throw new Error(problems.join('\n'));
      log('provisional table: shallow order, retained computing, not sortable; analysed table replaced it');
    } finally {
      await page.close();
      standalone.dispose();
    }
  },
};
