import { describe, expect, it } from 'vitest';
import { ByteView } from './byte-view.js';
import { decodeUtf16Flat, utf16Units } from './utf16-flat.js';

function utf16Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let index = 0; index < text.length; index += 1) {
    bytes[index * 2] = text.charCodeAt(index) & 0xff;
    bytes[index * 2 + 1] = text.charCodeAt(index) >> 8;
  }
  return bytes;
}

describe('utf16-flat', () => {
  const decoder = new TextDecoder('utf-16le');

  it('decodes like TextDecoder at every length around the hand-built limit, surrogates included', () => {
    const alphabet = ['a', 'é', '€', '𝄞', '\ud800', '\udc00', 'Z'];
    let seed = 99;
    for (let length = 0; length <= 80; length += 1) {
      for (let round = 0; round < 5; round += 1) {
        let text = '';
        for (let index = 0; index < length; index += 1) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          // Mostly plain text, sometimes surrogates (paired or not).
          text += alphabet[(seed >>> 16) % (round === 0 ? alphabet.length : 3)]!;
        }
        const bytes = utf16Bytes(text);
        expect(decodeUtf16Flat(new ByteView(bytes), 0, bytes.length)).toBe(decoder.decode(bytes));
        expect(utf16Units(new ByteView(bytes), 0, bytes.length)).toBe(text);
      }
    }
  });

  it('stops at the first NUL when asked, drops an odd byte and checks bounds', () => {
    const bytes = utf16Bytes('Service Control Manager\0WKS-XP\0');
    const view = new ByteView(bytes, 0x40, 'evt', 'record');
    expect(decodeUtf16Flat(view, 0, bytes.length, true)).toBe('Service Control Manager');
    expect(decodeUtf16Flat(view, 48, bytes.length - 48, true)).toBe('WKS-XP');
    expect(decodeUtf16Flat(view, 0, 3)).toBe('S');
    expect(decodeUtf16Flat(view, 0, bytes.length)).toBe('Service Control Manager\0WKS-XP\0');
    expect(() => decodeUtf16Flat(view, 2, bytes.length)).toThrow(/runs past/);
    expect(() => utf16Units(view, bytes.length, 2)).toThrow(/runs past/);
  });
});
