import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';
import { mulberry32 } from './test-support/random.js';
import { readLines, type TextLine } from './text-lines.js';

function chunks(bytes: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = [];
  let position = 0;
  while (position < bytes.length) {
    const size = 1 + (random() % (random() % 2 === 0 ? 8 : 300));
    out.push(bytes.subarray(position, position + size));
    position += size;
  }
  return out;
}

async function* iterate(parts: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

describe('LineSplitter', () => {
  it('gives exactly what readLines gives (random text, chunking, caps, CRLF, BOM, UTF-8)', async () => {
    const random = mulberry32(1234);
    const alphabet = ['a', 'b', ' ', '|', '\r', '\n', '\r\n', 'é', '€', '😀', '\u0000', '\xff'];
    for (let round = 0; round < 300; round++) {
      let text = round % 5 === 0 ? '\ufeff' : '';
      const length = random() % 400;
      for (let i = 0; i < length; i++) text += alphabet[random() % alphabet.length];
      const bytes = Buffer.from(text, 'utf8');
      const parts = chunks(bytes, random);
      for (const encoding of ['utf-8', 'latin1'] as const) {
        const maxLineBytes = 1 + (random() % 40);
        const expected: TextLine[] = [];
        for await (const line of readLines(iterate(parts), { maxLineBytes, encoding })) expected.push(line);
        const actual: TextLine[] = [];
        const splitter = new LineSplitter(
          (text, number, offset, truncated) => actual.push({ number, offset, text, truncated }),
          { maxLineBytes, encoding },
        );
        for (const part of parts) splitter.push(part);
        splitter.end();
        expect(actual, `round ${round} ${encoding} max ${maxLineBytes}`).toEqual(expected);
      }
    }
  });
});

describe('LineFormatError', () => {
  it('keeps the reason plain and names the line in the message, also after withFile', async () => {
    const { LineFormatError } = await import('./line-errors.js');
    const error = new LineFormatError('bodyfile', 'line', 83, 2, 'bad UID');
    expect(error.reason).toBe('bad UID');
    expect(error.message).toBe('bodyfile line at offset 83 (0x53): bad UID (line 2)');
    error.withFile('evidence/body.txt');
    expect(error.message).toBe('evidence/body.txt: bodyfile line at offset 83 (0x53): bad UID (line 2)');
    expect(error.toJSON()).toEqual({
      format: 'bodyfile',
      structure: 'line',
      offset: 83,
      reason: 'bad UID',
      file: 'evidence/body.txt',
      lineNumber: 2,
    });
  });
});
