/** Largest n such that 255n(n+1)/2 + (n+1)(65520) < 2^32: sums stay exact without a modulo. */
const NMAX = 5552;
const MOD = 65521;

/** Adler-32 (RFC 1950) of `bytes`, seeded with `initial` (1 for a fresh checksum). */
export function adler32(bytes: Uint8Array, initial = 1): number {
  let a = initial & 0xffff;
  let b = (initial >>> 16) & 0xffff;
  let index = 0;
  const length = bytes.length;
  while (index < length) {
    const end = Math.min(index + NMAX, length);
    for (; index < end; index += 1) {
      a += bytes[index]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
