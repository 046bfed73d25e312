/**
 * Times are UTC, kept as bigint microseconds since 1970-01-01 (negative before it).
 * FILETIME counts 100 ns intervals since 1601-01-01.
 */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;

/** FILETIME (100 ns since 1601) to microseconds since 1970; 0 stays undefined (no time). */
export function filetimeToMicros(filetime: bigint): bigint | undefined {
  if (filetime === 0n) return undefined;
  return (filetime - FILETIME_UNIX_EPOCH) / 10n;
}

export function unixSecondsToMicros(seconds: number): bigint {
  return BigInt(Math.trunc(seconds)) * 1_000_000n;
}

/** Microseconds to ISO 8601 UTC with microsecond precision: 2003-08-11T20:13:03.000000Z. */
export function microsToIso(micros: bigint): string {
  let seconds = micros / 1_000_000n;
  let fraction = micros % 1_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000n;
    seconds -= 1n;
  }
  const millisecondsOk = seconds > -8_640_000_000_000n && seconds < 8_640_000_000_000n;
  if (!millisecondsOk) return `invalid:${micros}`;
  const date = new Date(Number(seconds) * 1000);
  const text = date.toISOString(); // 2003-08-11T20:13:03.000Z
  return `${text.slice(0, 19)}.${fraction.toString().padStart(6, '0')}Z`;
}

/** Calendar fields (interpreted in UTC) to microseconds; undefined for an impossible date. */
export function civilToMicros(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  microsecond = 0,
): bigint | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!Number.isFinite(millis)) return undefined;
  const check = new Date(millis);
  if (check.getUTCDate() !== day) return undefined;
  return BigInt(millis) * 1000n + BigInt(microsecond);
}
