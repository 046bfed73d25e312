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

const MICROS_PER_SECOND = 1_000_000;
const SECONDS_PER_DAY = 86_400;
/** Numbers of microseconds are exact below 2^53 (years 1685 to 2255). */
const EXACT_MICROS = 2n ** 53n;
const TWO_DIGITS = Array.from({ length: 60 }, (_, value) => String(value).padStart(2, '0'));
// Timelines come in runs of the same day: its `YYYY-MM-DDT` is kept for the next call.
let cachedDay = Number.NaN;
let cachedDayText = '';

/**
 * Integer microseconds (|micros| < 2^53) to ISO 8601 UTC with microseconds; the date part of
 * the last day seen is reused, the time of day is plain arithmetic (no Date per call).
 */
export function microsNumberToIso(micros: number): string {
  let seconds = Math.floor(micros / MICROS_PER_SECOND);
  let fraction = micros - seconds * MICROS_PER_SECOND;
  // The float division may round across a second boundary; the exact remainder says which way.
  if (fraction < 0) {
    seconds -= 1;
    fraction += MICROS_PER_SECOND;
  } else if (fraction >= MICROS_PER_SECOND) {
    seconds += 1;
    fraction -= MICROS_PER_SECOND;
  }
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  const ofDay = seconds - day * SECONDS_PER_DAY;
  if (day !== cachedDay) {
    cachedDayText = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const hour = Math.floor(ofDay / 3600);
  const minute = Math.floor((ofDay - hour * 3600) / 60);
  const second = ofDay - hour * 3600 - minute * 60;
  const micro = fraction < 100_000 ? `${fraction + 1_000_000}`.slice(1) : `${fraction}`;
  return `${cachedDayText}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${micro}Z`;
}

/** Microseconds to ISO 8601 UTC with microsecond precision: 2003-08-11T20:13:03.000000Z. */
export function microsToIso(micros: bigint): string {
  if (micros < EXACT_MICROS && micros > -EXACT_MICROS) return microsNumberToIso(Number(micros));
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
