// A launched target's output is read line by line; a target that prints without newlines must not
// make the buffer grow without end.
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { MAX_OUTPUT_LINE_CHARS, splitLines } from '../../../src/core/inspector/launch';

describe('launched target output', () => {
  it('splits lines, and cuts a line longer than the cap instead of buffering it', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    splitLines(stream, (line) => lines.push(line));
    stream.write('one\r\ntwo\n');
    for (let i = 0; i < 5; i++) stream.write('x'.repeat(MAX_OUTPUT_LINE_CHARS / 2));
    stream.end('tail');
    await new Promise((resolve) => stream.on('end', resolve));
    assert.deepEqual(lines.slice(0, 2), ['one', 'two']);
    assert.ok(lines.slice(2).every((l) => l.length <= MAX_OUTPUT_LINE_CHARS));
    assert.equal(lines.slice(2).join(''), 'x'.repeat((MAX_OUTPUT_LINE_CHARS / 2) * 5) + 'tail');
  });
});
