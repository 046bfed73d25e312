import { describe, expect, it } from 'vitest';
import { civilToMicros } from '../../parsers/io/index.js';
import { mulberry32 } from '../../parsers/io/test-support/random.js';
import {
  hostClock,
  isDaylightTime,
  offsetForLocal,
  offsetForUtc,
  parseTransition,
  timeZoneRules,
} from './time-zone.js';

/** A SYSTEMTIME as TimeZoneInformation stores it. */
function systemTime(year: number, month: number, dayOfWeek: number, day: number, hour: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (const [index, value] of [year, month, dayOfWeek, day, hour, 0, 0, 0].entries())
    view.setUint16(index * 2, value, true);
  return bytes;
}

const at = (iso: string): bigint => {
  const [date, time = '00:00'] = iso.split('T');
  const [year, month, day] = date!.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  return civilToMicros(year!, month!, day!, hour!, minute!)!;
};

// XP's "Eastern Standard Time" (2003 rules): DST from the first Sunday of April 02:00 to the last
// Sunday of October 02:00. 2003: April 6 and October 26.
const eastern = timeZoneRules({
  bias: 300,
  standardBias: 0,
  daylightBias: -60,
  standardStart: systemTime(0, 10, 0, 5, 2),
  daylightStart: systemTime(0, 4, 0, 1, 2),
})!;
// "AUS Eastern Standard Time" (2003 rules): DST from the last Sunday of October to the last Sunday
// of March, 02:00 and 03:00. 2003: October 26 and March 30.
const sydney = timeZoneRules({
  bias: -600,
  standardBias: 0,
  daylightBias: -60,
  standardStart: systemTime(0, 3, 0, 5, 3),
  daylightStart: systemTime(0, 10, 0, 5, 2),
})!;

describe('TimeZoneInformation daylight saving', () => {
  it('reads the rules; no daylight saving (month 0, equal biases, bad fields) gives none', () => {
    expect(eastern.daylightStart).toEqual({ year: 0, month: 4, dayOfWeek: 0, day: 1, hour: 2, minute: 0 });
    const tokyo = { bias: -540, standardBias: 0, daylightBias: -60 };
    expect(
      timeZoneRules({ ...tokyo, standardStart: new Uint8Array(16), daylightStart: new Uint8Array(16) }),
    ).toBe(undefined);
    expect(parseTransition(systemTime(0, 13, 0, 1, 2))).toBeUndefined();
    expect(parseTransition(systemTime(0, 4, 7, 1, 2))).toBeUndefined();
    expect(parseTransition(systemTime(0, 4, 0, 6, 2))).toBeUndefined();
    expect(parseTransition(new Uint8Array(8))).toBeUndefined();
    expect(
      timeZoneRules({
        bias: 300,
        standardBias: 0,
        daylightBias: 0,
        standardStart: systemTime(0, 10, 0, 5, 2),
        daylightStart: systemTime(0, 4, 0, 1, 2),
      }),
    ).toBeUndefined();
  });

  it('US Eastern 2003: EDT in August (the Blaster days), EST in January, edges at 02:00 local', () => {
    expect(offsetForLocal(eastern, at('2003-08-12T14:01'))).toBe(-240);
    expect(offsetForLocal(eastern, at('2003-01-15T10:00'))).toBe(-300);
    expect(isDaylightTime(eastern, at('2003-04-06T01:59'))).toBe(false);
    expect(isDaylightTime(eastern, at('2003-04-06T02:00'))).toBe(true);
    expect(isDaylightTime(eastern, at('2003-10-26T01:59'))).toBe(true);
    expect(isDaylightTime(eastern, at('2003-10-26T02:00'))).toBe(false);
    // 2004: first Sunday of April is the 4th, last Sunday of October the 31st.
    expect(isDaylightTime(eastern, at('2004-04-03T12:00'))).toBe(false);
    expect(isDaylightTime(eastern, at('2004-04-04T03:00'))).toBe(true);
    expect(isDaylightTime(eastern, at('2004-10-30T12:00'))).toBe(true);
    expect(isDaylightTime(eastern, at('2004-10-31T03:00'))).toBe(false);
  });

  it('US Eastern 2003 from UTC: the instant of each switch, on its own clock', () => {
    // DST began at 2003-04-06 07:00 UTC (02:00 EST) and ended at 2003-10-26 06:00 UTC (02:00 EDT).
    expect(offsetForUtc(eastern, at('2003-04-06T06:59'))).toBe(-300);
    expect(offsetForUtc(eastern, at('2003-04-06T07:00'))).toBe(-240);
    expect(offsetForUtc(eastern, at('2003-10-26T05:59'))).toBe(-240);
    expect(offsetForUtc(eastern, at('2003-10-26T06:00'))).toBe(-300);
    expect(offsetForUtc(eastern, at('2003-08-12T18:01'))).toBe(-240);
  });

  it('Sydney 2003: daylight time across the new year (southern hemisphere)', () => {
    expect(offsetForLocal(sydney, at('2003-08-12T14:01'))).toBe(600);
    expect(offsetForLocal(sydney, at('2003-12-25T12:00'))).toBe(660);
    expect(offsetForLocal(sydney, at('2003-01-15T12:00'))).toBe(660);
    expect(isDaylightTime(sydney, at('2003-03-30T02:59'))).toBe(true);
    expect(isDaylightTime(sydney, at('2003-03-30T03:00'))).toBe(false);
    expect(isDaylightTime(sydney, at('2003-10-26T01:59'))).toBe(false);
    expect(isDaylightTime(sydney, at('2003-10-26T02:00'))).toBe(true);
    // Ended 2003-03-29 16:00 UTC (03:00 AEDT); began 2003-10-25 16:00 UTC (02:00 AEST).
    expect(offsetForUtc(sydney, at('2003-03-29T15:59'))).toBe(660);
    expect(offsetForUtc(sydney, at('2003-03-29T16:00'))).toBe(600);
    expect(offsetForUtc(sydney, at('2003-10-25T15:59'))).toBe(600);
    expect(offsetForUtc(sydney, at('2003-10-25T16:00'))).toBe(660);
  });

  it('random SYSTEMTIMEs and times, far ones included: whole-hour offsets or none, never a throw', () => {
    const next = mulberry32(0x7a);
    // Fields near and past their valid ranges (month 0-13, day of week 0-7, week 0-6...).
    const random16 = () =>
      systemTime(next() % 4 === 0 ? 2003 : 0, next() % 14, next() % 8, next() % 7, next() % 25);
    let withRules = 0;
    for (let round = 0; round < 2000; round += 1) {
      const rules = timeZoneRules({
        bias: (next() % 1600) - 800,
        standardBias: 0,
        daylightBias: -60,
        standardStart: round % 5 === 0 ? new Uint8Array(16) : random16(),
        daylightStart: round % 7 === 0 ? new Uint8Array(3) : random16(),
      });
      if (rules === undefined) continue;
      withRules += 1;
      for (const micros of [
        0n,
        at('2003-08-12T12:00'),
        -(2n ** 60n),
        2n ** 60n,
        BigInt(next()) * 10n ** 9n,
      ]) {
        const local = offsetForLocal(rules, micros);
        const utc = offsetForUtc(rules, micros);
        expect([-rules.bias, 60 - rules.bias]).toContain(local);
        expect([-rules.bias, 60 - rules.bias]).toContain(utc);
      }
    }
    expect(withRules).toBeGreaterThan(50);
  });

  it('the host clock: the rule when the zone has one, else the fixed offset, else none', () => {
    const august = at('2003-08-12T18:01');
    const withRule = hostClock(-300, eastern)!;
    expect([withRule.offsetForLocal(august), withRule.offsetForUtc(august)]).toEqual([-240, -240]);
    const fixed = hostClock(540, undefined)!;
    expect([fixed.offsetForLocal(august), fixed.offsetForUtc(august)]).toEqual([540, 540]);
    expect(hostClock(undefined, undefined)).toBeUndefined();
  });

  it('a one-off rule (year set) applies in its year only', () => {
    const once = timeZoneRules({
      bias: 0,
      standardBias: 0,
      daylightBias: -60,
      standardStart: systemTime(2003, 10, 0, 26, 2),
      daylightStart: systemTime(2003, 3, 0, 30, 1),
    })!;
    expect(offsetForLocal(once, at('2003-08-12T12:00'))).toBe(60);
    expect(offsetForLocal(once, at('2004-08-12T12:00'))).toBe(0);
  });
});
