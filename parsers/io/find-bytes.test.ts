import { describe, expect, it } from 'vitest';
import { ByteView } from './byte-view.js';
import { findBytes } from './find-bytes.js';

/** The obvious search, for comparison. */
function bruteForce(
  bytes: Uint8Array,
  pattern: Uint8Array,
  from: number,
  to: number,
  align: number,
  phase: number,
) {
  for (let at = Math.max(0, from); at + pattern.length <= Math.min(to, bytes.length); at += 1) {
    if ((((at - phase) % align) + align) % align !== 0) continue;
    if (pattern.every((byte, index) => bytes[at + index] === byte)) return at;
  }
  return -1;
}

describe('findBytes', () => {
  it('agrees with a byte-by-byte search (alignment, phase, bounds), fixed seed', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    const pattern = new Uint8Array([0x4c, 0x66, 0x4c, 0x65]);
    for (let round = 0; round < 200; round += 1) {
      // A small alphabet makes partial and misaligned matches common.
      const bytes = new Uint8Array(64 + (random() % 200)).map(() => [0x4c, 0x66, 0x65, 0][random() % 4]!);
      const view = new ByteView(bytes);
      const from = random() % 40;
      const to = bytes.length - (random() % 20);
      const align = [1, 2, 4, 8][random() % 4]!;
      const phase = random() % 8;
      expect(findBytes(view, pattern, from, to, align, phase)).toBe(
        bruteForce(bytes, pattern, from, to, align, phase),
      );
    }
  });

  it('searches only inside the view (a sub-view of a larger buffer) and never past `to`', () => {
    const bytes = new Uint8Array(32);
    bytes.set([1, 2, 3], 4);
    bytes.set([1, 2, 3], 20);
    const view = new ByteView(bytes.subarray(8, 22));
    expect(findBytes(view, new Uint8Array([1, 2, 3]), 0)).toBe(-1); // the second copy straddles the end
    expect(findBytes(new ByteView(bytes.subarray(8)), new Uint8Array([1, 2, 3]), 0)).toBe(12);
    expect(findBytes(new ByteView(bytes), new Uint8Array([1, 2, 3]), 0, 6)).toBe(-1);
    expect(findBytes(new ByteView(bytes), new Uint8Array([1, 2, 3]), 0, 7)).toBe(4);
    expect(findBytes(new ByteView(bytes), new Uint8Array(0), 0)).toBe(-1);
  });
});
