import { describe, expect, it } from 'vitest';
import { tskSeconds, tskSecondsOf } from './bodyfile.js';

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

const EPOCH = 116_444_736_000_000_000n;

describe('tskSecondsOf (number arithmetic) equals tskSeconds (bigint, TSK nt2unixtime)', () => {
  const split = (value: bigint): [number, number] => [Number(value & 0xffffffffn), Number(value >> 32n)];
  const check = (value: bigint) => {
    const [low, high] = split(value);
    expect(tskSecondsOf(low, high), `0x${value.toString(16)}`).toBe(tskSeconds(value));
  };

  it('on the edges: zero (the 3373865674 quirk), the epoch, before it, the top of the range', () => {
    expect(tskSecondsOf(0, 0)).toBe(3373865674);
    for (const value of [
      0n,
      1n,
      EPOCH - 1n,
      EPOCH,
      EPOCH + 9_999_999n,
      EPOCH + 10_000_000n,
      EPOCH + (1n << 53n) - 1n,
      EPOCH + (1n << 53n),
      (1n << 64n) - 1n,
      1n << 63n,
      0xffffffffn,
      0x1_0000_0000n,
      EPOCH + 10_000_000n * 0xffffffffn,
      EPOCH + 10_000_000n * 0x1_0000_0000n,
    ])
      check(value);
  });

  it('on 20000 random values, real-looking times and whole 64-bit ones', () => {
    const next = random(99);
    for (let index = 0; index < 10000; index += 1) {
      check((BigInt(next()) << 32n) | BigInt(next()));
      // 1990-2040 in FILETIME.
      check(EPOCH + BigInt(next() % 2_208_988_800) * 10_000_000n + BigInt(next() % 10_000_000));
    }
  });
});
