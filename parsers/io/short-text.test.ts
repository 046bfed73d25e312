import { describe, expect, it } from 'vitest';
import { ByteView } from './byte-view.js';
import { FormatError } from './format-error.js';
import { hexText, latin1Text, utf16Text } from './short-text.js';

const utf16 = new TextDecoder('utf-16le');

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 0x100000000;
  };
}

/** Reference: TextDecoder over the bytes up to the first NUL code unit (or byte). */
function utf16Reference(bytes: Uint8Array, offset: number, length: number, stopAtNul: boolean): string {
  let end = offset + (length & ~1);
  if (stopAtNul) {
    for (let cursor = offset; cursor < end; cursor += 2) {
      if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) {
        end = cursor;
        break;
      }
    }
  }
  return utf16.decode(bytes.subarray(offset, end));
}

function latin1Reference(bytes: Uint8Array, offset: number, length: number, stopAtNul: boolean): string {
  let text = '';
  for (let cursor = offset; cursor < offset + length; cursor += 1) {
    if (bytes[cursor] === 0 && stopAtNul) break;
    text += String.fromCharCode(bytes[cursor]!);
  }
  return text;
}

describe('short-text', () => {
  it('equals TextDecoder on random UTF-16 of every short length and some long ones', () => {
    const next = random(7);
    for (let round = 0; round < 3000; round += 1) {
      const length = round < 2000 ? round % 300 : Math.floor(next() * 2000);
      const bytes = new Uint8Array(length + 8);
      // Mostly ASCII, some BMP, surrogates (paired or not) and NULs.
      for (let index = 0; index < bytes.length; index += 2) {
        const pick = next();
        const unit =
          pick < 0.7
            ? 0x20 + Math.floor(next() * 95)
            : pick < 0.85
              ? Math.floor(next() * 0x10000)
              : pick < 0.95
                ? 0xd800 + Math.floor(next() * 0x800)
                : 0;
        bytes[index] = unit & 0xff;
        bytes[index + 1] = unit >> 8;
      }
      const offset = 2 * Math.floor(next() * 4);
      const view = new ByteView(bytes);
      for (const stop of [false, true]) {
        expect(utf16Text(view, offset, length, stop)).toBe(utf16Reference(bytes, offset, length, stop));
      }
    }
  });

  it('decodes Latin-1 byte for byte at every length, across the 128-unit chunks', () => {
    const next = random(11);
    for (let length = 0; length < 600; length += 1) {
      const bytes = Uint8Array.from({ length: length + 3 }, () =>
        next() < 0.02 ? 0 : 1 + Math.floor(next() * 255),
      );
      const view = new ByteView(bytes);
      for (const stop of [false, true]) {
        expect(latin1Text(view, 1, length, stop)).toBe(latin1Reference(bytes, 1, length, stop));
      }
    }
  });

  it('drops an odd final byte, handles one-unit text and checks bounds', () => {
    const view = new ByteView(new Uint8Array([0x41, 0, 0x42, 0, 0x43]), 64, 'x', 'y');
    expect(utf16Text(view, 0, 5)).toBe('AB');
    expect(utf16Text(view, 0, 2)).toBe('A');
    expect(utf16Text(view, 0, 0)).toBe('');
    expect(latin1Text(view, 4, 1)).toBe('C');
    expect(() => utf16Text(view, 2, 6)).toThrow(FormatError);
    expect(() => latin1Text(view, 4, 2)).toThrow(FormatError);
  });

  it('gives fresh strings: a later call does not change an earlier result', () => {
    const bytes = new Uint8Array([0x61, 0, 0x62, 0, 0x63, 0, 0x64, 0]);
    const view = new ByteView(bytes);
    const first = utf16Text(view, 0, 4);
    const second = utf16Text(view, 4, 4);
    expect([first, second]).toEqual(['ab', 'cd']);
  });
});

describe('hexText', () => {
  it('equals Buffer hex at every length across chunks', () => {
    const next = random(5);
    for (let length = 0; length < 300; length += 1) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      expect(hexText(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    }
  });
});
