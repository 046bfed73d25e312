/**
 * Marvin32, the 64-bit keyed hash Windows uses for the two checksums of a transaction log
 * entry ([msuhanov] "Log entries", notes 1-3). Public algorithm (Microsoft's "Marvin" hash,
 * used by .NET string hashing); implemented here from its description.
 */
function rotl(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}

export function marvin32(bytes: Uint8Array, offset: number, length: number, seed: bigint): bigint {
  let lo = Number(seed & 0xffffffffn) >>> 0;
  let hi = Number((seed >> 32n) & 0xffffffffn) >>> 0;
  const end = offset + length;
  let cursor = offset;
  const mix = (): void => {
    hi = (hi ^ lo) >>> 0;
    lo = rotl(lo, 20);
    lo = (lo + hi) >>> 0;
    hi = rotl(hi, 9);
    hi = (hi ^ lo) >>> 0;
    lo = rotl(lo, 27);
    lo = (lo + hi) >>> 0;
    hi = rotl(hi, 19);
  };
  for (; cursor + 4 <= end; cursor += 4) {
    lo =
      (lo +
        (bytes[cursor]! |
          (bytes[cursor + 1]! << 8) |
          (bytes[cursor + 2]! << 16) |
          (bytes[cursor + 3]! << 24))) >>>
      0;
    mix();
  }
  let final = 0x80;
  const left = end - cursor;
  if (left === 1) final = 0x8000 | bytes[cursor]!;
  else if (left === 2) final = 0x800000 | bytes[cursor]! | (bytes[cursor + 1]! << 8);
  else if (left === 3)
    final = (0x80000000 | bytes[cursor]! | (bytes[cursor + 1]! << 8) | (bytes[cursor + 2]! << 16)) >>> 0;
  lo = (lo + final) >>> 0;
  mix();
  mix();
  return (BigInt(hi) << 32n) | BigInt(lo);
}
