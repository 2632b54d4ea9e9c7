// Test 0: the live view's own behaviour, in Chromium on a stand-alone page that loads the real bundle
// under the extension's CSP, with a fake host posting protocol messages (no VS Code needed, ~5 s):
// no CSP violations, drag-select zooms and stops following, double-click follows again, a legend
// click hides a series, toolbar buttons and suspect rows send the protocol's intents, a paused state
// and a read-only recording show as such.
import { join } from 'node:path';
import type { E2eTest } from './runner';
import { writeBenchPage } from './standalonePage';
import { log, waitFor } from './vscode';
import type { WebviewIntent } from '../../src/shared/protocol';

const MB = 1024 * 1024;

function samples(count: number, startMs: number) {
  return Array.from({ length: count }, (_, i) => ({
    timeMs: startMs + i * 1000,
    heapUsedBytes: 20 * MB + i * 64 * 1024 + (i === 150 ? 30 * MB : 0),
    heapTotalBytes: 40 * MB + i * 64 * 1024,
    rssBytes: 80 * MB + i * 64 * 1024,
    externalBytes: 2 * MB,
    arrayBuffersBytes: MB,
  }));
}

export const viewInteractionsTest: E2eTest = {
  name: 'live view: CSP-clean, zoom/follow, legend, intents, paused and read-only states',
  async run({ browser, env }) {
    const standalone = writeBenchPage(process.cwd());
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        ((window as unknown as { csp: string[] }).csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    try {
      await page.goto(standalone.url);
      const intents = async (): Promise<WebviewIntent[]> =>
        page.evaluate(() => (window.__heapscopeIntents ?? []) as never);
      await waitFor(
        'the ready intent',
        async () => (await intents()).some((i) => i.type === 'ready'),
        10_000,
        100,
      );

      const startMs = Date.UTC(2026, 0, 1);
      await page.evaluate((message) => window.postMessage(message, '*'), {
        type: 'init',
        sessionId: 's1',
        name: 'view test',
        readOnly: false,
        status: { state: 'observing' },
        samples: samples(300, startMs),
        gcEvents: [{ timeMs: startMs + 100_500, kind: 'major', durationMs: 3, heapUsedAfterBytes: 25 * MB }],
        verdict: {
          verdict: 'leak',
          growth: { heapBytesPerMinute: 3.75 * MB, externalBytesPerMinute: 0, confidence: 0.95 },
          minutesToHeapLimit: 500,
          reason: 'rising floor',
        },
        suspects: [
          {
            rank: 1,
            kind: 'heap',
            functionName: 'recordSession',
            url: 'file:///w/server.js',
            line: 10,
            column: 19,
            liveBytes: 2 * MB,
            growthBytesPerMinute: MB,
            stack: [],
          },
        ],
        allocationSampling: true,
      } as never);
      const app = page.locator('#app');
      await waitFor(
        '300 samples in the view',
        async () => (await app.getAttribute('data-samples')) === '300',
        10_000,
        100,
      );
      const header = (await page.locator('.verdict').textContent()) ?? '';
      if (!/leak/i.test(header) || !header.includes('+3.8 MiB/min') || !header.includes('95 %'))
        throw new Error(`verdict line is wrong: ${header}`);

      // Drag-select on the plot zooms in and stops following.
      const over = page.locator('.u-over');
      const box = (await over.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await waitFor(
        'follow off after a zoom',
        async () => (await app.getAttribute('data-follow')) === 'false',
        5_000,
        100,
      );
      const zoomed = await waitFor(
        'the zoomed window to be drawn (about 90 of 300 points)',
        async () => {
          const n = await page.evaluate(() => window.heapscope!.chart.stats.drawnPoints);
          return n > 50 && n < 200 ? n : undefined;
        },
        5_000,
        100,
      );
      log(`zoomed: ${zoomed} points drawn`);
      if (!(await intents()).some((i) => i.type === 'setFollow' && i.follow === false))
        throw new Error('no setFollow(false) intent after zooming');
      // New data while zoomed on the past does not move the window.
      await page.evaluate(
        (s) => window.postMessage({ type: 'samples', sessionId: 's1', samples: s }, '*'),
        samples(305, startMs).slice(300) as never,
      );
      await waitFor(
        '305 samples',
        async () => (await app.getAttribute('data-samples')) === '305',
        5_000,
        100,
      );
      if ((await app.getAttribute('data-follow')) !== 'false') throw new Error('new data ended the zoom');
      // Double-click: back to following everything.
      await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
      await waitFor(
        'follow on after a double-click',
        async () => (await app.getAttribute('data-follow')) === 'true',
        5_000,
        100,
      );

      // Legend: clicking "RSS" hides that series.
      await page.locator('.u-legend .u-series', { hasText: 'RSS' }).first().click();
      const rssShown = await page.evaluate(() => {
        const u = document.querySelector('.uplot');
        return u ? !document.querySelector('.u-legend .u-series.u-off') : true;
      });
      if (rssShown) throw new Error('the legend click did not hide RSS');

      // Toolbar buttons and suspect rows send intents.
      for (const action of ['forceGc', 'takeSnapshot', 'exportCsv', 'exportProfile', 'comparePrometheus'])
        await page.locator(`vscode-button[data-action="${action}"]`).click();
      await page.locator('.suspect-row').first().click();
      const sent = await intents();
      const types = sent.map((i) => i.type);
      for (const t of [
        'forceGc',
        'takeSnapshot',
        'exportRecording',
        'exportProfile',
        'comparePrometheus',
        'openSource',
      ])
        if (!types.includes(t as WebviewIntent['type']))
          throw new Error(`no ${t} intent (got ${types.join(', ')})`);
      const open = sent.find((i) => i.type === 'openSource');
      if (!open || open.type !== 'openSource' || open.url !== 'file:///w/server.js' || open.line !== 10)
        throw new Error(`openSource intent is wrong: ${JSON.stringify(open)}`);
      if (sent.find((i) => i.type === 'exportRecording' && i.format !== 'csv'))
        throw new Error('wrong export format');

      // Paused in the debugger, then a reopened recording (read-only: live actions disabled).
      await page.evaluate(() =>
        window.postMessage({ type: 'status', sessionId: 's1', status: { state: 'paused' } }, '*'),
      );
      await waitFor(
        'paused state',
        async () => (await app.getAttribute('data-state')) === 'paused',
        5_000,
        100,
      );
      if (!/paused in the debugger/.test((await page.locator('.status-badge').textContent()) ?? ''))
        throw new Error('the status badge does not say paused');
      await page.screenshot({ path: join(env.out, 'view-paused.png') });
      await page.evaluate(
        (s) =>
          window.postMessage(
            {
              type: 'recordingLoaded',
              sessionId: 'r1',
              name: 'recording',
              readOnly: true,
              status: { state: 'stopped' },
              samples: s,
              gcEvents: [],
              verdict: null,
              suspects: [],
              allocationSampling: false,
            },
            '*',
          ),
        samples(10, startMs) as never,
      );
      await waitFor(
        'read-only recording',
        async () => (await app.getAttribute('data-state')) === 'recording',
        5_000,
        100,
      );
      const gcDisabled = await page.locator('vscode-button[data-action="forceGc"]').getAttribute('disabled');
      if (gcDisabled === null) throw new Error('Force GC stays enabled for a read-only recording');

      const csp = await page.evaluate(() => (window as unknown as { csp?: string[] }).csp ?? []);
      problems.push(...csp.map((c) => `CSP violation: ${c}`));
      if (problems.length > 0) throw new Error(problems.join('\n'));
      log('view interactions ok');
    } finally {
      await page.close();
      standalone.dispose();
    }
  },
};
