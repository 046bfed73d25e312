import { civilToMicros } from '../io/index.js';

/**
 * FAT date and time fields (fatgen103 §6 "Date and Time Formats"). They hold LOCAL civil time
 * of the machine that wrote them, with no zone: date bits 15-9 year since 1980, 8-5 month,
 * 4-0 day; time bits 15-11 hours, 10-5 minutes, 4-0 seconds/2; the creation time adds a count
 * of 10 ms units (0-199).
 */
export interface FatTime {
  /** Civil local time as written: 2003-08-11T20:13:03.450 (no zone). */
  local: string;
  /**
   * Microseconds since 1970 UTC when the caller gave a time zone; otherwise the local civil time
   * read as if it were UTC (the record then says `timeIsLocal: true`).
   */
  micros: bigint;
}

/** Minutes east of UTC, fixed or as a function of the local civil time (for daylight saving). */
export type TimeZoneOption = number | ((localMicros: bigint) => number);

export function decodeFatTime(
  date: number,
  time: number,
  tenMilliseconds: number,
  timeZone: TimeZoneOption | undefined,
): FatTime | undefined {
  if (date === 0) return undefined;
  const day = date & 0x1f;
  const month = (date >> 5) & 0x0f;
  const year = 1980 + (date >> 9);
  const hour = time >> 11;
  const minute = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2 + Math.floor(tenMilliseconds / 100);
  const milliseconds = (tenMilliseconds % 100) * 10;
  if (tenMilliseconds > 199) return undefined;
  const localMicros = civilToMicros(year, month, day, hour, minute, 0, 0);
  if (localMicros === undefined || seconds > 59) return undefined;
  const micros = localMicros + BigInt(seconds) * 1_000_000n + BigInt(milliseconds) * 1000n;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const local = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(seconds)}.${pad(milliseconds, 3)}`;
  if (timeZone === undefined) return { local, micros };
  const offsetMinutes = typeof timeZone === 'number' ? timeZone : timeZone(micros);
  return { local, micros: micros - BigInt(Math.round(offsetMinutes * 60)) * 1_000_000n };
}
