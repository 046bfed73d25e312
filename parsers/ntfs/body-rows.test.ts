import { describe, expect, it } from 'vitest';
import {
  BodyRows,
  KIND_ATTRIBUTE,
  KIND_BARE,
  KIND_FILE_NAME,
  MODE_DELETED,
  MODE_HAS_SI,
  MODE_HIDDEN,
} from './body-rows.js';
import { ROOT_RECORD } from './mft-record.js';
import { FLAG_DIRECTORY, FLAG_IN_USE, FLAG_PARSED, NameTable } from './name-table.js';

function setup(name: string): NameTable {
  const names = new NameTable(100);
  names.flags[ROOT_RECORD] = FLAG_PARSED | FLAG_IN_USE | FLAG_DIRECTORY;
  names.sequence[ROOT_RECORD] = 5;
  names.flags[64] = FLAG_PARSED | FLAG_IN_USE;
  names.addName(64, name, ROOT_RECORD, 5, 1);
  return names;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('BodyRows rendering (bytes of fls -r -m / lines)', () => {
  it('writes UTF-8 like TextEncoder: accents, CJK, surrogate pairs; lone surrogates as U+FFFD', () => {
    const name = 'é中😀x\ud800y\udc00';
    const rows = new BodyRows();
    rows.add(64, KIND_ATTRIBUTE, 128, 1, MODE_HAS_SI, 0, 5, 1, 2, 3, 4);
    const { bytes, next } = rows.render(setup(name), 0, 1024);
    expect(next).toBe(1);
    expect(bytes).toEqual(new TextEncoder().encode(`0|/${name}|64-128-1|r/rrwxrwxrwx|0|0|5|1|2|3|4\n`));
  });

  it('prints control characters in paths as ^, marks deleted lines, big sizes and times exactly', () => {
    const rows = new BodyRows();
    rows.add(
      64,
      KIND_FILE_NAME,
      48,
      2,
      MODE_DELETED | MODE_HAS_SI | MODE_HIDDEN,
      48,
      2 ** 40 + 7,
      4294967295,
      0,
      10,
      3373865674,
    );
    rows.add(64, KIND_ATTRIBUTE, 128, 3, MODE_DELETED | MODE_HAS_SI | MODE_HIDDEN, 48, 9, 1, 1, 1, 1);
    rows.nameLast('Zone.Identifier');
    rows.add(64, KIND_BARE, 0, 0, MODE_DELETED, 0, 0, 0, 0, 0, 0);
    const { bytes } = rows.render(setup('a\u0001b\tc'), 0, 1024);
    expect(text(bytes).split('\n')).toEqual([
      '0|/a^b^c ($FILE_NAME) (deleted)|64-48-2|-/rr-xr-xr-x|48|0|1099511627783|4294967295|0|10|3373865674',
      '0|/a^b^c:Zone.Identifier (deleted)|64-128-3|-/rr-xr-xr-x|48|0|9|1|1|1|1',
      '0|/a^b^c (deleted)|64|-/r---------|0|0|0|0|0|0|0',
      '',
    ]);
  });

  it('cuts chunks between records, never inside one, and grows a chunk for a huge record', () => {
    const names = setup('f');
    names.addName(65, 'g'.repeat(255), ROOT_RECORD, 5, 1);
    names.flags[65] = FLAG_PARSED | FLAG_IN_USE;
    const rows = new BodyRows();
    for (let index = 0; index < 10; index += 1) rows.add(65, KIND_ATTRIBUTE, 128, index, 0, 0, 0, 0, 0, 0, 0);
    for (let index = 0; index < 3000; index += 1)
      rows.add(64, KIND_ATTRIBUTE, 128, index, 0, 0, 0, 0, 0, 0, 0);
    const chunks: string[] = [];
    for (let row = 0; row < rows.length; ) {
      const chunk = rows.render(names, row, 4096);
      expect(chunk.next).toBeGreaterThan(row);
      row = chunk.next;
      chunks.push(text(chunk.bytes));
    }
    // Record 65 fits in 4096 bytes; record 64 alone needs more, so it gets a (bigger) chunk of its own.
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.split('\n')).toHaveLength(11);
    expect(chunks[1]!.split('\n')).toHaveLength(3001);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks[1]!.split('\n')[2999]).toBe('0|/f|64-128-2999|r/r---------|0|0|0|0|0|0|0');
  });
});
