import { describe, expect, it } from 'vitest';
import { filetimeToMicros, microsToIso } from '../io/index.js';
import { filetimePartsToIso, filetimePartsToMicros } from './filetime.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 0x100000000;
  };
}

describe('filetimePartsToMicros', () => {
  it('equals the BigInt conversion for random halves, both sides of 1970 and the fast-path edges', () => {
    const next = random(3);
    const highs = [
      0, 1, 0x007f_ffff, 0x0080_0000, 0x019d_b1de, 0x01d3_0000, 0x01ff_ffff, 0x0200_0000, 0xffff_ffff,
    ];
    for (let round = 0; round < 20_000; round += 1) {
      const high =
        round < highs.length * 50 ? highs[round % highs.length]! : Math.floor(next() * 0x0300_0000);
      const low = round % 7 === 0 ? 0 : Math.floor(next() * 0x1_0000_0000);
      const expected = filetimeToMicros((BigInt(high) << 32n) | BigInt(low));
      expect(filetimePartsToMicros(low, high)).toBe(expected);
      expect(filetimePartsToIso(low, high)).toBe(expected === undefined ? undefined : microsToIso(expected));
    }
  });

  it('keeps zero as no time and converts the Blaster era exactly', () => {
    expect(filetimePartsToMicros(0, 0)).toBeUndefined();
    // 2003-08-11T20:13:03.1234567Z
    const filetime = 127_051_591_831_234_567n;
    const low = Number(filetime & 0xffff_ffffn);
    const high = Number(filetime >> 32n);
    expect(filetimePartsToMicros(low, high)).toBe(filetimeToMicros(filetime));
  });
});
