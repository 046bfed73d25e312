import { endianness } from 'node:os';

const MOD = 65521;
/** Words per block between reductions: keeps a and b below 2^31 (fast small integers in V8). */
const WORDS_PER_BLOCK = 500;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Adler-32 (RFC 1950) of `bytes`, seeded with `initial` (1 for a fresh checksum).
 * Stored EWF chunks carry one, so this runs over a third of a typical image: it reads four
 * bytes per step from a 32-bit word (a += x0+x1+x2+x3, b += 4a + 4x0 + 3x1 + 2x2 + x3).
 */
export function adler32(bytes: Uint8Array, initial = 1): number {
  let a = initial & 0xffff;
  let b = (initial >>> 16) & 0xffff;
  const length = bytes.length;
  let index = 0;
  if (LITTLE_ENDIAN && length >= 64) {
    // Bytes up to a 4-byte boundary, so that a Uint32Array can view the rest.
    while ((bytes.byteOffset + index) & 3) {
      a += bytes[index]!;
      b += a;
      index += 1;
    }
    const wordCount = (length - index) >>> 2;
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + index, wordCount);
    let word = 0;
    while (word < wordCount) {
      const end = Math.min(word + WORDS_PER_BLOCK, wordCount);
      for (; word < end; word += 1) {
        const value = words[word]!;
        const x0 = value & 0xff;
        const x1 = (value >>> 8) & 0xff;
        const x2 = (value >>> 16) & 0xff;
        const x3 = value >>> 24;
        b += 4 * a + 4 * x0 + 3 * x1 + 2 * x2 + x3;
        a += x0 + x1 + x2 + x3;
      }
      a %= MOD;
      b %= MOD;
    }
    index += wordCount * 4;
  }
  // The tail (or short inputs), a byte at a time; at most 5552 bytes between reductions.
  while (index < length) {
    const end = Math.min(index + 5552, length);
    for (; index < end; index += 1) {
      a += bytes[index]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
