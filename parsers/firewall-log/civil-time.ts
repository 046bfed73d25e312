/**
 * The `date` and `time` columns of a W3C-extended style log: `YYYY-MM-DD` (Microsoft's own
 * example also shows unpadded `2006-3-27`) and `HH:MM:SS` (24 h). Parsed by hand (no Date,
 * no regex) because every line has them; the day number of the last date seen is cached.
 */
export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MICROS_PER_SECOND = 1_000_000;
const SECONDS_PER_DAY = 86_400;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Reads 1..maxDigits decimal digits of `text` from `start` up to `end`; -1 when not all digits. */
function digits(text: string, start: number, end: number, maxDigits: number): number {
  const length = end - start;
  if (length < 1 || length > maxDigits) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** `YYYY-M-D` into `out` (year, month, day); false when it is not a real date. */
export function parseDate(text: string, out: CivilTime): boolean {
  const first = text.indexOf('-');
  if (first < 0) return false;
  const second = text.indexOf('-', first + 1);
  if (second < 0) return false;
  const year = digits(text, 0, first, 4);
  const month = digits(text, first + 1, second, 2);
  const day = digits(text, second + 1, text.length, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  out.year = year;
  out.month = month;
  out.day = day;
  return true;
}

/** `H:MM:SS` into `out` (hour, minute, second); false when out of range. */
export function parseTime(text: string, out: CivilTime): boolean {
  const first = text.indexOf(':');
  if (first < 0) return false;
  const second = text.indexOf(':', first + 1);
  if (second < 0) return false;
  const hour = digits(text, 0, first, 2);
  const minute = digits(text, first + 1, second, 2);
  const sec = digits(text, second + 1, text.length, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 60) return false;
  out.hour = hour;
  out.minute = minute;
  out.second = sec;
  return true;
}

/** Microseconds since 1970 of the civil time read as if it were UTC. */
export function civilToMicros(civil: CivilTime, days: number): bigint {
  const seconds = days * SECONDS_PER_DAY + civil.hour * 3600 + civil.minute * 60 + civil.second;
  return BigInt(seconds * MICROS_PER_SECOND);
}
