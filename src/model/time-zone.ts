import { civilToMicros } from '../../parsers/io/index.js';

/**
 * Daylight saving from `Control\TimeZoneInformation`. `ActiveTimeBias` is the offset at the last
 * shutdown: an image taken in winter would put a US host's August 2003 firewall log an hour off.
 * Where the zone has daylight saving, local times are converted with the zone's own rule for
 * the date in question instead.
 *
 * StandardStart and DaylightStart are SYSTEMTIMEs (eight u16: year, month, day of week, day,
 * hour, minute, second, milliseconds). With year 0 they recur: the `day`-th (1-4, 5 = last)
 * `day of week` (0 = Sunday) of `month` at `hour:minute` local wall time; with a year they are
 * that one date. Month 0 means no daylight saving.
 */
export interface TransitionRule {
  /** 0: every year. */
  year: number;
  month: number;
  dayOfWeek: number;
  /** Recurring: week of the month (5 = last); one-off: day of the month. */
  day: number;
  hour: number;
  minute: number;
}

/** The zone's rule, as plain data (minutes; UTC = local + bias + standard or daylight bias). */
export interface TimeZoneRules {
  bias: number;
  standardBias: number;
  daylightBias: number;
  standardStart: TransitionRule;
  daylightStart: TransitionRule;
}

const MICROS_PER_MINUTE = 60_000_000n;

/** A SYSTEMTIME transition; undefined when absent, month 0 (no daylight saving) or invalid. */
export function parseTransition(raw: Uint8Array | undefined): TransitionRule | undefined {
  if (raw === undefined || raw.length < 16) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, 16);
  const field = (index: number): number => view.getUint16(index * 2, true);
  const rule: TransitionRule = {
    year: field(0),
    month: field(1),
    dayOfWeek: field(2),
    day: field(3),
    hour: field(4),
    minute: field(5),
  };
  const recurring = rule.year === 0;
  if (rule.month < 1 || rule.month > 12 || rule.hour > 23 || rule.minute > 59) return undefined;
  if (recurring && (rule.dayOfWeek > 6 || rule.day < 1 || rule.day > 5)) return undefined;
  if (!recurring && (rule.day < 1 || rule.day > 31)) return undefined;
  return rule;
}

/** Rules when the zone has daylight saving (both transitions valid, a non-zero daylight bias). */
export function timeZoneRules(values: {
  bias: number | undefined;
  standardBias: number | undefined;
  daylightBias: number | undefined;
  standardStart: Uint8Array | undefined;
  daylightStart: Uint8Array | undefined;
}): TimeZoneRules | undefined {
  const standardStart = parseTransition(values.standardStart);
  const daylightStart = parseTransition(values.daylightStart);
  if (values.bias === undefined || standardStart === undefined || daylightStart === undefined)
    return undefined;
  const standardBias = values.standardBias ?? 0;
  const daylightBias = values.daylightBias ?? 0;
  if (daylightBias === standardBias) return undefined;
  return { bias: values.bias, standardBias, daylightBias, standardStart, daylightStart };
}

/** The transition's local wall time in `year`, as microseconds; undefined when it has none. */
function transitionIn(rule: TransitionRule, year: number): bigint | undefined {
  if (rule.year !== 0) {
    return rule.year === year ? civilToMicros(year, rule.month, rule.day, rule.hour, rule.minute) : undefined;
  }
  const firstWeekday = new Date(Date.UTC(year, rule.month - 1, 1)).getUTCDay();
  if (!Number.isFinite(firstWeekday)) return undefined;
  const firstMatch = 1 + ((rule.dayOfWeek - firstWeekday + 7) % 7);
  const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
  let day = firstMatch + (rule.day - 1) * 7;
  while (day > daysInMonth) day -= 7;
  return civilToMicros(year, rule.month, day, rule.hour, rule.minute);
}

function yearOf(micros: bigint): number {
  return new Date(Number(micros / 1000n)).getUTCFullYear();
}

/** Whether a local wall time falls in daylight saving time (either hemisphere). */
export function isDaylightTime(rules: TimeZoneRules, localMicros: bigint): boolean {
  const year = yearOf(localMicros);
  const daylight = transitionIn(rules.daylightStart, year);
  const standard = transitionIn(rules.standardStart, year);
  if (daylight === undefined || standard === undefined) return false;
  return daylight < standard
    ? localMicros >= daylight && localMicros < standard
    : localMicros >= daylight || localMicros < standard;
}

/** Minutes east of UTC for a local wall time (local -> UTC: subtract it). */
export function offsetForLocal(rules: TimeZoneRules, localMicros: bigint): number {
  const bias = rules.bias + (isDaylightTime(rules, localMicros) ? rules.daylightBias : rules.standardBias);
  return bias === 0 ? 0 : -bias;
}

/**
 * Minutes east of UTC at an instant (UTC -> local: add it). Daylight time starts at a standard
 * wall time and ends at a daylight wall time, so each edge is compared on its own clock.
 */
export function offsetForUtc(rules: TimeZoneRules, utcMicros: bigint): number {
  const standardBias = rules.bias + rules.standardBias;
  const daylightBias = rules.bias + rules.daylightBias;
  const standardLocal = utcMicros - BigInt(standardBias) * MICROS_PER_MINUTE;
  const daylightLocal = utcMicros - BigInt(daylightBias) * MICROS_PER_MINUTE;
  const year = yearOf(standardLocal);
  const daylight = transitionIn(rules.daylightStart, year);
  const standard = transitionIn(rules.standardStart, year);
  let inDaylight = false;
  if (daylight !== undefined && standard !== undefined) {
    const started = standardLocal >= daylight;
    const notEnded = daylightLocal < standard;
    inDaylight = daylight < standard ? started && notEnded : started || notEnded;
  }
  const bias = inDaylight ? daylightBias : standardBias;
  return bias === 0 ? 0 : -bias;
}

/**
 * The host's clock for local-time artifacts: minutes east of UTC for a local wall time (local ->
 * UTC: subtract it) and at an instant (UTC -> local: add it). Built once per scan from the host
 * facts, so readers and the timeline ask one thing whether or not the zone has daylight saving.
 */
export interface HostClock {
  offsetForLocal(localMicros: bigint): number;
  offsetForUtc(utcMicros: bigint): number;
}

/** The zone's rule when it has daylight saving, else the fixed offset; undefined when neither is known. */
export function hostClock(
  fixedOffsetMinutes: number | undefined,
  rules: TimeZoneRules | undefined,
): HostClock | undefined {
  if (rules !== undefined) {
    return {
      offsetForLocal: (localMicros) => offsetForLocal(rules, localMicros),
      offsetForUtc: (utcMicros) => offsetForUtc(rules, utcMicros),
    };
  }
  if (fixedOffsetMinutes === undefined) return undefined;
  return { offsetForLocal: () => fixedOffsetMinutes, offsetForUtc: () => fixedOffsetMinutes };
}
