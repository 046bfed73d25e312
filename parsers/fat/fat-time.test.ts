import { describe, expect, it } from 'vitest';
import { decodeFatTime } from './fat-time.js';

const date = (year: number, month: number, day: number) => ((year - 1980) << 9) | (month << 5) | day;
const time = (hour: number, minute: number, second: number) => (hour << 11) | (minute << 5) | (second >> 1);

describe('FAT date and time', () => {
  it('decodes local civil time with 10 ms units', () => {
    const decoded = decodeFatTime(date(2003, 8, 11), time(20, 13, 2), 145, undefined)!;
    expect(decoded.local).toBe('2003-08-11T20:13:03.450');
    expect(decoded.micros).toBe(BigInt(Date.UTC(2003, 7, 11, 20, 13, 3, 450)) * 1000n);
  });

  it('converts to UTC with a fixed offset or a function of local time', () => {
    const local = decodeFatTime(date(2003, 8, 11), time(22, 0, 0), 0, undefined)!;
    expect(decodeFatTime(date(2003, 8, 11), time(22, 0, 0), 0, 120)!.micros).toBe(
      local.micros - 7_200_000_000n,
    );
    const summer = (micros: bigint) => (new Date(Number(micros / 1000n)).getUTCMonth() >= 3 ? 60 : 0);
    expect(decodeFatTime(date(2003, 8, 11), time(22, 0, 0), 0, summer)!.micros).toBe(
      local.micros - 3_600_000_000n,
    );
  });

  it('has no time for a zero date or impossible fields', () => {
    expect(decodeFatTime(0, 0, 0, undefined)).toBeUndefined();
    expect(decodeFatTime(date(2003, 13, 1), 0, 0, undefined)).toBeUndefined();
    expect(decodeFatTime(date(2003, 2, 30), 0, 0, undefined)).toBeUndefined();
    expect(decodeFatTime(date(2003, 2, 1), time(25, 0, 0), 0, undefined)).toBeUndefined();
    expect(decodeFatTime(date(2003, 2, 1), 0, 200, undefined)).toBeUndefined();
  });
});
