/**
 * The fast value decoders against the obvious slow ones: FILETIME text (cached day and second
 * vs Date.toISOString per value), GUIDs (byte table vs ByteView.guid), UTF-16 (built by hand vs
 * TextDecoder), binary as hex.
 */
import { describe, expect, it } from 'vitest';
import { ByteView, filetimeToMicros } from '../io/index.js';
import { filetimePartsToMicros, filetimeToIso, formatGuid, hexBytes, readUtf16 } from './values.js';

/** The straightforward conversion: one Date per value. */
function slowFiletimeToIso(low: number, high: number): string {
  const ticks = BigInt(high) * 4_294_967_296n + BigInt(low);
  const fraction = Number(ticks % 10_000_000n);
  const seconds = Number(ticks / 10_000_000n) - 11_644_473_600;
  const text = new Date(seconds * 1000).toISOString();
  return `${text.slice(0, -5)}.${fraction.toString().padStart(7, '0')}00Z`;
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state;
  };
}

describe('filetimeToIso', () => {
  it('equals one Date conversion per value on random and on neighbouring times (fixed seed)', () => {
    const random = lcg(7);
    for (let index = 0; index < 20_000; index += 1) {
      // Up to 2^53 ticks (exact doubles): years 1601..30828 including midnights and leap days.
      const high = random() % 0x200000;
      const low = index % 4 === 0 ? (random() % 1000) * 10_000_000 : random();
      expect(filetimeToIso(low, high)).toBe(slowFiletimeToIso(low, high));
    }
    // Events close together (same second, same day, crossing midnight): the caches' cases.
    const start = 0x01d4c0a0 * 4_294_967_296 + 0x12345678;
    for (let step = 0; step < 20_000; step += 1) {
      const ticks = start + step * 977_123_457;
      const high = Math.floor(ticks / 4_294_967_296);
      const low = ticks - high * 4_294_967_296;
      expect(filetimeToIso(low, high)).toBe(slowFiletimeToIso(low, high));
    }
  });
});

describe('filetimePartsToMicros', () => {
  it('equals io/time filetimeToMicros on the 64-bit value (random, pre-1970, far future, zero)', () => {
    const random = lcg(3);
    const cases: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [0xffffffff, 0xffffffff],
      [0xd53e8000, 0x019db1de], // 1970-01-01
      [0xd53e7fff, 0x019db1de],
      [0xd53e8009, 0x019db1de],
    ];
    for (let index = 0; index < 20_000; index += 1) {
      const high = index % 3 === 0 ? random() : 0x01c00000 + (random() % 0x00400000);
      cases.push([random(), high]);
    }
    for (const [low, high] of cases) {
      const filetime = (BigInt(high) << 32n) | BigInt(low);
      expect(filetimePartsToMicros(low, high)).toBe(filetimeToMicros(filetime));
    }
  });
});

describe('formatGuid and hexBytes', () => {
  it('match ByteView.guid and a per-byte rendering', () => {
    const random = lcg(11);
    for (let index = 0; index < 500; index += 1) {
      const bytes = new Uint8Array(40).map(() => random() >>> 24);
      const view = new ByteView(bytes);
      const at = random() % 24;
      expect(formatGuid(view, at)).toBe(view.guid(at));
      const hex = Array.from(bytes.subarray(at, at + 16), (byte) => byte.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase();
      expect(hexBytes(view, at, 16)).toBe(hex);
    }
    expect(() => formatGuid(new ByteView(new Uint8Array(15)), 0)).toThrow(/runs past/);
  });
});

describe('readUtf16', () => {
  function utf16(text: string, nuls = 0): Uint8Array {
    const bytes = new Uint8Array((text.length + nuls) * 2);
    for (let index = 0; index < text.length; index += 1) {
      bytes[index * 2] = text.charCodeAt(index) & 0xff;
      bytes[index * 2 + 1] = text.charCodeAt(index) >> 8;
    }
    return bytes;
  }
  const decoder = new TextDecoder('utf-16le');

  it('equals TextDecoder with trailing NULs dropped, at every length around the short-string limit', () => {
    for (const length of [0, 1, 23, 24, 25, 63, 64, 65, 300]) {
      const text = 'Sécurité €'.repeat(30).slice(0, length);
      const bytes = utf16(text, 3);
      expect(readUtf16(new ByteView(bytes), 0, bytes.length)).toBe(decoder.decode(utf16(text)));
      expect(readUtf16(new ByteView(bytes), 0, bytes.length - 1)).toBe(decoder.decode(utf16(text)));
    }
  });

  it('keeps surrogate pairs, renders unpaired ones past 24 units as TextDecoder does (U+FFFD)', () => {
    for (const text of ['a𝄞b', `${'z'.repeat(40)}𝄞`]) {
      expect(readUtf16(new ByteView(utf16(text)), 0, text.length * 2)).toBe(text);
    }
    const long = `${'x'.repeat(30)}\ud800y`;
    expect(readUtf16(new ByteView(utf16(long)), 0, long.length * 2)).toBe(decoder.decode(utf16(long)));
    expect(readUtf16(new ByteView(utf16('a\0b', 2)), 0, 10)).toBe('a\0b');
  });
});
