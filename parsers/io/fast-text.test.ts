import { describe, expect, it } from 'vitest';
import { ByteView } from './byte-view.js';
import { decodeLatin1, decodeUtf16 } from './fast-text.js';

function utf16Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let index = 0; index < text.length; index += 1) {
    bytes[index * 2] = text.charCodeAt(index) & 0xff;
    bytes[index * 2 + 1] = text.charCodeAt(index) >> 8;
  }
  return bytes;
}

describe('fast-text', () => {
  it('decodes short and long UTF-16LE like TextDecoder, including unpaired surrogates', () => {
    const decoder = new TextDecoder('utf-16le');
    for (const text of ['', 'Run', 'ä€𝄞', '\ud800x', 'x'.repeat(300), `${'y'.repeat(200)}\udc00`]) {
      const bytes = utf16Bytes(text);
      expect(decodeUtf16(new ByteView(bytes), 0, bytes.length)).toBe(decoder.decode(bytes));
    }
  });
  it('stops at NUL and drops an odd byte', () => {
    const bytes = utf16Bytes('ab\0cd');
    expect(decodeUtf16(new ByteView(bytes), 0, bytes.length, true)).toBe('ab');
    expect(decodeUtf16(new ByteView(bytes), 0, 3)).toBe('a');
  });
  it('decodes Latin-1 byte for byte and checks bounds', () => {
    const view = new ByteView(new Uint8Array([0x41, 0xe9, 0x80, 0, 0x42]), 100, 'x', 'y');
    expect(decodeLatin1(view, 0, 5)).toBe('A\u00e9\u0080\u0000B');
    expect(decodeLatin1(view, 0, 5, true)).toBe('A\u00e9\u0080');
    expect(() => decodeLatin1(view, 3, 5)).toThrow(/offset 103/);
  });
});
