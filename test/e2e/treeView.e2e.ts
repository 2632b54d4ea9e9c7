// The live view of a launched process tree, in Chromium on the stand-alone page (real bundle, the
// extension's CSP, a fake host posting protocol messages): one line per process (a wrapper listed as
// not observed), the restart marker drawn on the chart with its legend entry, and no line drawn
// across the change of process: the old life's last reading is not joined to the new one's first.
import type { E2eTest } from './runner';
import { writeBenchPage } from './standalonePage';
import { log, waitFor } from './vscode';

const MB = 1024 * 1024;

function life(fromS: number, toS: number, baseBytes: number, startMs: number) {
  return Array.from({ length: toS - fromS }, (_, k) => ({
    timeMs: startMs + (fromS + k) * 1000,
    heapUsedBytes: baseBytes + k * 160 * 1024,
    heapTotalBytes: baseBytes * 2,
    rssBytes: baseBytes * 4,
    externalBytes: 2 * MB,
    arrayBuffersBytes: MB,
  }));
}

function proc(pid: number, extra: Record<string, unknown>) {
  return {
    pid,
    command: ['node', '/w/server.js'],
    role: 'app',
    samples: 90,
    startedAtSeconds: 0,
    suspects: 0,
    ...extra,
  };
}

export const treeViewTest: E2eTest = {
  name: 'live view of a process tree: process lines, restart marker, no line across the restart',
  async run({ browser }) {
    const standalone = writeBenchPage(process.cwd());
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    try {
      await page.goto(standalone.url);
      const startMs = Date.UTC(2026, 0, 1);
      const changeMs = startMs + 105_000;
      const growth = (heap: number) => ({
        heapBytesPerMinute: heap,
        externalBytesPerMinute: 0,
        confidence: 0.9,
      });
      await page.evaluate((message) => window.postMessage(message, '*'), {
        type: 'init',
        sessionId: 't1',
        name: 'npm run start',
        readOnly: false,
        status: { state: 'observing', message: 'now following pid 102 (pid 101 before it)' },
        // The first life (pid 101) to 99 s, high; the second (pid 102) from 110 s, low.
        samples: [...life(0, 100, 40 * MB, startMs), ...life(110, 200, 10 * MB, startMs)],
        gcEvents: [],
        verdict: { verdict: 'leak', growth: growth(3 * MB), reason: 'rising floor' },
        suspects: [],
        allocationSampling: true,
        target: { kind: 'launch', pid: 102 },
        processes: {
          processes: [
            proc(100, {
              command: ['node', '/usr/lib/npm-cli.js', 'run', 'start'],
              role: 'wrapper',
              wrapper: 'npm',
              samples: 0,
            }),
            proc(101, { verdict: 'leak', reason: 'r', growth: growth(3.2 * MB), endedAtSeconds: 100 }),
            proc(102, { verdict: 'inconclusive', reason: 'r', growth: growth(0), startedAtSeconds: 105 }),
          ],
          followedPid: 102,
          changes: [{ timeMs: changeMs, fromPid: 101, toPid: 102, restart: true }],
        },
      } as never);
      const app = page.locator('#app');
      await waitFor(
        '190 samples and 3 process lines',
        async () =>
          (await app.getAttribute('data-samples')) === '190' &&
          (await app.getAttribute('data-processes')) === '3',
        10_000,
        100,
      );
      const lines = await page.locator('.processes li').allTextContents();
      log(`process lines: ${lines.join(' | ')}`);
      const expected = [
        /pid 100 npm-cli\.js run start \(wrapper\).*wrapper \(npm\), not observed/,
        /pid 101 server\.js \(app, ended at 100 s\).*LEAK · heap \+3\.2 MiB\/min/,
        /pid 102 server\.js \(app, chart\).*watching…/,
      ];
      expected.forEach((re, i) => {
        if (!re.test(lines[i] ?? '')) throw new Error(`process line ${i} is wrong: ${lines[i]}`);
      });
      if ((await app.getAttribute('data-restarts')) !== '1') throw new Error('no restart in the store');
      const key = page.locator('.restart-key');
      if (!(await key.isVisible())) throw new Error('the restart marker has no legend entry');
      log(`legend: ${await key.textContent()}`);

      // The plot's pixels: the dashed marker at the change, and no heap line in the gap before it.
      await page.waitForTimeout(0);
      const pixels = await page.evaluate(
        ({ changeMs, gapMs }) => {
          const canvas = document.querySelector<HTMLCanvasElement>('.u-wrap canvas')!;
          const over = document.querySelector<HTMLElement>('.u-over')!.getBoundingClientRect();
          const box = canvas.getBoundingClientRect();
          const ratio = canvas.width / box.width;
          const store = window.heapscope!.store;
          const first = store.firstTimeMs!;
          const last = store.lastTimeMs!;
          const column = (t: number) =>
            Math.round((over.left - box.left + ((t - first) / (last - first)) * over.width) * ratio);
          const ctx = canvas.getContext('2d')!;
          const top = Math.round((over.top - box.top) * ratio);
          const height = Math.round(over.height * ratio);
          const read = (x: number) => {
            const data = ctx.getImageData(x - 1, top, 3, height).data;
            let marker = 0;
            let heapLine = 0;
            for (let i = 0; i < data.length; i += 4) {
              const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
              if (r > 180 && g > 180 && b > 180) marker++; // the foreground (#d4d4d4)
              if (r < 120 && g > 110 && g < 190 && b > 200) heapLine++; // heap used (#3794ff)
            }
            return { marker, heapLine };
          };
          return {
            atChange: read(column(changeMs)),
            inGap: read(column(gapMs)),
            beforeGap: read(column(gapMs - 60_000)),
          };
        },
        { changeMs, gapMs: startMs + 102_000 },
      );
      log(`pixels: ${JSON.stringify(pixels)}`);
      if (pixels.atChange.marker < 20) throw new Error(`no restart marker drawn: ${JSON.stringify(pixels)}`);
      if (pixels.beforeGap.heapLine === 0)
        throw new Error(`the heap line is not where expected: ${JSON.stringify(pixels)}`);
      if (pixels.inGap.heapLine > 0)
        throw new Error(`a line is drawn across the restart: ${JSON.stringify(pixels)}`);

      // A later change (another restart) arrives with the process lines.
      await page.evaluate((message) => window.postMessage(message, '*'), {
        type: 'processes',
        sessionId: 't1',
        processes: [proc(101, { endedAtSeconds: 100 }), proc(102, { endedAtSeconds: 200 }), proc(103, {})],
        followedPid: 103,
        changes: [
          { timeMs: changeMs, fromPid: 101, toPid: 102, restart: true },
          { timeMs: startMs + 205_000, fromPid: 102, toPid: 103, restart: true },
        ],
      } as never);
      await waitFor(
        'the second restart',
        async () => (await app.getAttribute('data-restarts')) === '2',
        5_000,
        100,
      );
      if (problems.length) throw new Error(problems.join('\n'));
    } finally {
      await page.close();
      standalone.dispose();
    }
  },
};
