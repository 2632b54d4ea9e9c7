// Test 5: Prometheus history and the namespace scan in a real VS Code against the real `prometheus`
// (blocks written by `promtool` from the shop scenarios: a leaking api, a cache OOM-killed and then
// redeployed, a worker with a daily cycle). From the palette, without any live session: "Show
// Prometheus history…" → 7 days → shop → the cache workload (one pick) opens the history view with
// its points, the OOM kill / restart / new pod markers and the verdict; "Compare replicas" draws one
// line per pod; a drag zooms. "Scan namespace for leaks…" fills "Heapscope: Containers" with the
// leaking containers first; selecting the worker opens its history with a no-leak verdict.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { E2eTest } from './runner';
import { log, openWorkbench, pickQuickItem, runCommand, waitFor } from './vscode';
import {
  leakScenario,
  oomScenario,
  sawtoothScenario,
  scenarioEnd,
  toOpenMetricsByDay,
} from '../fixtures/prometheus/histories';
import { startPrometheus } from '../fixtures/prometheus/server';

interface HistoryFigures {
  state?: string;
  verdict?: string;
  points: number;
  lines: number;
  markers: number;
  ooms: number;
  text: string;
  range?: [number, number];
  hasCanvas: boolean;
}

async function historyFrame(page: Page): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    try {
      if (await frame.evaluate(() => Boolean(document.querySelector('#app.history')))) return frame;
    } catch {
      // a frame being torn down
    }
  }
  return undefined;
}

async function figures(frame: Frame): Promise<HistoryFigures> {
  return frame.evaluate(() => {
    const app = document.getElementById('app')!;
    const d = app.dataset;
    return {
      state: d.state,
      verdict: d.verdict,
      points: Number(d.points ?? 0),
      lines: Number(d.lines ?? 0),
      markers: Number(d.markers ?? 0),
      ooms: Number(d.ooms ?? 0),
      text: app.innerText,
      range: window.heapscopeHistory?.chart.range,
      hasCanvas: Boolean(app.querySelector('.chart canvas')),
    };
  });
}

/** The shown history once its title is `title` and it is drawn. */
async function shownHistory(page: Page, title: string): Promise<{ frame: Frame; f: HistoryFigures }> {
  return waitFor(
    `the history view showing ${title}`,
    async () => {
      const frame = await historyFrame(page);
      if (!frame) return undefined;
      const f = await figures(frame);
      return f.state === 'shown' && f.text.includes(title) && f.points > 0 ? { frame, f } : undefined;
    },
    90_000,
  );
}

/** Endpoints are user-level only (a workspace cannot redirect credentials): the user settings get it. */
function writeEndpointSetting(file: string, url: string): void {
  const settings = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  settings['heapscope.prometheus.endpoints'] = [{ name: 'e2e', url, auth: 'none' }];
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

async function treeRows(page: Page): Promise<string[]> {
  const pane = page.locator('.pane', {
    has: page.locator('.pane-header', { hasText: 'Heapscope: Containers' }),
  });
  return pane.locator('.monaco-list-row').allInnerTexts();
}

export const prometheusHistoryTest: E2eTest = {
  name: 'prometheus: history view with markers and verdict, namespace list leaks first',
  async run({ browser, env }) {
    const end = scenarioEnd();
    const shop = [leakScenario(end), sawtoothScenario(end), oomScenario(end)];
    const prom = await startPrometheus(toOpenMetricsByDay(shop.flatMap((s) => s.series)));
    log(`prometheus ready in ${prom.setupSeconds.toFixed(1)} s at ${prom.url}`);
    writeEndpointSetting(env.userSettings, prom.url);
    const page = await openWorkbench(browser, env.url);
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      // From the palette, with no live session.
      await runCommand(page, 'Heapscope: Show Prometheus history…');
      await pickQuickItem(page, 'Last 7 days');
      await pickQuickItem(page, 'shop', 60_000, 'shop');
      await pickQuickItem(page, 'workload: 2 pods joined', 60_000, 'cache');
      const { frame, f } = await shownHistory(page, 'shop/cache/cache');
      log(`history: ${f.points} points, ${f.lines} lines, ${f.markers} markers, verdict ${f.verdict}`);
      if (f.verdict !== 'leak') throw new Error(`cache verdict ${f.verdict}, expected leak:\n${f.text}`);
      if (f.ooms !== 1 || f.markers < 3)
        throw new Error(
          `expected an OOM kill, a restart and a new pod as markers, got ${f.markers} (${f.ooms} OOM)`,
        );
      if (!f.hasCanvas || f.points < 1000) throw new Error(`too few points drawn: ${f.points}`);
      if (!/MiB limit in/.test(f.text) || !/\/day/.test(f.text) || !/1 OOM kill/.test(f.text))
        throw new Error(`verdict figures missing:\n${f.text}`);
      if (!/Judged on the container working set/.test(f.text)) throw new Error(`no reason shown:\n${f.text}`);
      await page.screenshot({ path: join(env.out, 'prometheus-history.png') });

      // Comparing replicas is an explicit action: one line per pod.
      await frame.locator('vscode-button[data-action="compare"]').click();
      await waitFor(
        'one line per pod after "Compare replicas"',
        async () => (await figures(frame)).lines === f.lines + 1,
        10_000,
        200,
      );
      // A drag over the plot zooms in.
      const over = frame.locator('.u-over');
      const box = (await over.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await waitFor(
        'a narrower x range after a drag',
        async () => {
          const r = (await figures(frame)).range;
          return r && f.range && r[1] - r[0] < (f.range[1] - f.range[0]) / 2;
        },
        10_000,
        200,
      );

      // The namespace scan, leaks first.
      await runCommand(page, 'Heapscope: Scan namespace for leaks…');
      await pickQuickItem(page, 'Last 7 days');
      await pickQuickItem(page, 'shop', 60_000, 'shop');
      // No label matchers: every container of the namespace.
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'label matchers' })
        .waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.quick-input-widget .quick-input-box input').first().press('Enter');
      const rows = await waitFor(
        'three containers in "Heapscope: Containers"',
        async () => {
          const r = await treeRows(page);
          return r.length === 3 ? r : undefined;
        },
        90_000,
      );
      log(`containers: ${rows.map((r) => r.replace(/\s+/g, ' ')).join(' | ')}`);
      if (!/cache\/cache/.test(rows[0]) || !/api\/app/.test(rows[1]) || !/worker\/worker/.test(rows[2]))
        throw new Error(`expected cache and api (leaks) before worker: ${rows.join(' | ')}`);
      if (!/\/day/.test(rows[0]) || !/\/day/.test(rows[1]) || !/no leak/.test(rows[2]))
        throw new Error(`growth or verdict missing in the rows: ${rows.join(' | ')}`);
      await page.screenshot({ path: join(env.out, 'prometheus-containers.png') });

      // Selecting a container opens its history.
      const pane = page.locator('.pane', {
        has: page.locator('.pane-header', { hasText: 'Heapscope: Containers' }),
      });
      await pane.locator('.monaco-list-row', { hasText: 'worker/worker' }).click();
      const worker = await shownHistory(page, 'shop/worker/worker');
      if (worker.f.verdict !== 'no-leak')
        throw new Error(`worker verdict ${worker.f.verdict}:\n${worker.f.text}`);
      if (cspErrors.length) throw new Error(`CSP violations: ${cspErrors.join('\n')}`);
    } finally {
      await page.close();
      await prom.stop();
    }
  },
};
