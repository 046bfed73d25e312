import { describe, expect, it } from 'vitest';
import { mulberry32 } from './test-support/random.js';
import { microsNumberToIso, microsToIso } from './time.js';

/** The plain conversion: bigint division and one Date per call. */
function referenceIso(micros: bigint): string {
  let seconds = micros / 1_000_000n;
  let fraction = micros % 1_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000n;
    seconds -= 1n;
  }
  const text = new Date(Number(seconds) * 1000).toISOString();
  return `${text.slice(0, 19)}.${fraction.toString().padStart(6, '0')}Z`;
}

describe('microsToIso', () => {
  it('equals the bigint conversion at second, day and range edges, both sides of 1970', () => {
    const edges: bigint[] = [0n, -1n, 1n, 999_999n, 1_000_000n, -999_999n, -1_000_000n, -1_000_001n];
    for (const day of [0n, 1n, -1n, 12_275n, 20_000n, -100_000n, 104_000n]) {
      const start = day * 86_400_000_000n;
      for (const delta of [0n, 1n, -1n, 999_999n, 1_000_000n, -1_000_000n, 86_399_999_999n])
        edges.push(start + delta);
    }
    const limit = 2n ** 53n;
    edges.push(limit - 1n, -(limit - 1n), limit, -limit, limit + 1n, -limit - 1n);
    for (const micros of edges) expect(microsToIso(micros), String(micros)).toBe(referenceIso(micros));
  });

  it('equals the bigint conversion on random times (fixed seed), in and out of order', () => {
    const next = mulberry32(0x5eed);
    for (let index = 0; index < 20_000; index += 1) {
      // Up to ±2^53 µs, with fractions near the second boundaries as often as not.
      const high = BigInt(next() % 0x200000) * 2n ** 32n;
      let micros = high + BigInt(next());
      if (index % 2 === 0) micros -= (micros % 1_000_000n) - BigInt(next() % 3) + 1n;
      if (index % 3 === 0) micros = -micros;
      expect(microsToIso(micros)).toBe(referenceIso(micros));
      expect(microsNumberToIso(Number(micros))).toBe(referenceIso(micros));
    }
  });
});
