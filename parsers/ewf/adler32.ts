import { endianness } from 'node:os';

const MOD = 65521;
/** Words between reductions modulo 65521 (keeps every sum below 2^31). */
const WORDS_PER_BLOCK = 512;
/** Words per group: packed 16-bit lane prefix sums stay below 65536 (36 x 255). */
const WORDS_PER_GROUP = 8;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Adler-32 (RFC 1950) of `bytes`, seeded with `initial` (1 for a fresh checksum).
 * Stored EWF chunks carry one, so this runs over a good part of an image. It reads 32-bit words
 * and adds bytes in packed 16-bit lanes (x0|x2<<16 and x1|x3<<16) with their running totals;
 * per block of k words with byte sums S_j and lane totals s0..s3:
 * a += s0+s1+s2+s3, b += 4k·a + 4·Σ_i (S_0+..+S_{i-1}+S_i) − (s1 + 2·s2 + 3·s3).
 */
export function adler32(bytes: Uint8Array, initial = 1): number {
  let a = initial & 0xffff;
  let b = (initial >>> 16) & 0xffff;
  const length = bytes.length;
  let index = 0;
  if (LITTLE_ENDIAN && length >= 64) {
    while ((bytes.byteOffset + index) & 3) {
      a += bytes[index]!;
      b += a;
      index += 1;
    }
    a %= MOD;
    b %= MOD;
    const wordCount = (length - index) >>> 2;
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + index, wordCount);
    let word = 0;
    while (word < wordCount) {
      const blockEnd = Math.min(word + WORDS_PER_BLOCK, wordCount);
      const blockWords = blockEnd - word;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let prefix = 0;
      while (word < blockEnd) {
        const groupEnd = Math.min(word + WORDS_PER_GROUP, blockEnd);
        const groupWords = groupEnd - word;
        let low = 0;
        let high = 0;
        let lowPrefix = 0;
        let highPrefix = 0;
        for (; word < groupEnd; word += 1) {
          const value = words[word]!;
          low += value & 0x00ff00ff;
          high += (value >>> 8) & 0x00ff00ff;
          lowPrefix += low;
          highPrefix += high;
        }
        prefix +=
          (lowPrefix & 0xffff) +
          (lowPrefix >>> 16) +
          (highPrefix & 0xffff) +
          (highPrefix >>> 16) +
          groupWords * (s0 + s1 + s2 + s3);
        s0 += low & 0xffff;
        s2 += low >>> 16;
        s1 += high & 0xffff;
        s3 += high >>> 16;
      }
      b = (b + 4 * blockWords * a + 4 * prefix - (s1 + 2 * s2 + 3 * s3)) % MOD;
      a = (a + s0 + s1 + s2 + s3) % MOD;
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
