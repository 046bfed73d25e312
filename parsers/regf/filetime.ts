import { filetimeToMicros, microsNumberToIso, microsToIso } from '../io/index.js';

/** 1601-01-01 to 1970-01-01 in microseconds; exact in a double. */
const EPOCH_MICROS = 11_644_473_600_000_000;
const TWO_32 = 0x1_0000_0000;
/** The number path below is exact for high halves in this range (years ~1715 to ~2057). */
const FAST_HIGH_MIN = 0x0080_0000;
const FAST_HIGH_MAX = 0x0200_0000;

/**
 * A FILETIME given as its two little-endian 32-bit halves, as microseconds since 1970 (the
 * result of `filetimeToMicros`, undefined for zero). Every key has a LastWrite time, so the
 * usual range is computed with doubles and one BigInt at the end instead of a 64-bit read
 * and two BigInt operations: floor(t / 10) = q * 2^32 + floor((r * 2^32 + low) / 10) with
 * high = 10q + r; every intermediate stays an integer below 2^53.
 */
export function filetimePartsToMicros(low: number, high: number): bigint | undefined {
  if (high < FAST_HIGH_MIN || high >= FAST_HIGH_MAX) {
    if (low === 0 && high === 0) return undefined;
    return filetimeToMicros(BigInt(high) * 0x1_0000_0000n + BigInt(low));
  }
  const q = Math.floor(high / 10);
  const rest = (high - q * 10) * TWO_32 + low;
  let micros = q * TWO_32 - EPOCH_MICROS + Math.floor(rest / 10);
  // BigInt division truncates toward zero; floor differs for negative non-multiples of 10.
  if (micros < 0 && rest % 10 !== 0) micros += 1;
  return BigInt(micros);
}

/**
 * `microsToIso(filetimePartsToMicros(low, high))` for a non-zero FILETIME, without BigInt on
 * the usual range (one row per key carries this text).
 */
export function filetimePartsToIso(low: number, high: number): string | undefined {
  if (high < FAST_HIGH_MIN || high >= FAST_HIGH_MAX) {
    const micros = filetimePartsToMicros(low, high);
    return micros === undefined ? undefined : microsToIso(micros);
  }
  const q = Math.floor(high / 10);
  const rest = (high - q * 10) * TWO_32 + low;
  let micros = q * TWO_32 - EPOCH_MICROS + Math.floor(rest / 10);
  if (micros < 0 && rest % 10 !== 0) micros += 1;
  return microsNumberToIso(micros);
}
