import { describe, expect, it } from 'vitest';
import type { RecordKind } from '../model/index.js';
import { cidrContains, parseCidr, parseIpv6 } from './ip.js';
import { compileMatch, globToRegexSource, parseTimeLiteral, RuleCompileError } from './matcher.js';
import { at, conn, event, file, host, listener, regValue } from './test-support/records.js';

const m = (expr: unknown, kind: RecordKind = 'file') => compileMatch(expr, kind);

describe('string operators', () => {
  const rec = file('\\WINDOWS\\system32\\MSBLAST.EXE');
  it('equals is case-insensitive by default, caseSensitive turns that off', () => {
    expect(m({ field: 'name', equals: 'msblast.exe' })(rec)).toBe(true);
    expect(m({ field: 'name', equals: 'msblast.exe', caseSensitive: true })(rec)).toBe(false);
    expect(m({ field: 'name', equals: 'MSBLAST.EXE', caseSensitive: true })(rec)).toBe(true);
  });
  it('a value list means any of', () => {
    expect(m({ field: 'name', equals: ['penis32.exe', 'msblast.exe'] })(rec)).toBe(true);
    expect(m({ field: 'name', in: ['penis32.exe', 'teekids.exe'] })(rec)).toBe(false);
  });
  it('contains, startswith, endswith', () => {
    expect(m({ field: 'path', contains: '\\System32\\' })(rec)).toBe(true);
    expect(m({ field: 'path', startswith: '\\windows\\' })(rec)).toBe(true);
    expect(m({ field: 'path', startswith: 'windows' })(rec)).toBe(false);
    expect(m({ field: 'path', endswith: ['.dll', '.exe'] })(rec)).toBe(true);
    expect(m({ field: 'path', endswith: '.exe', caseSensitive: true })(rec)).toBe(false);
  });
  it('treats regex metacharacters in contains literally', () => {
    expect(m({ field: 'name', contains: 'msblast.e*e' })(rec)).toBe(false);
    expect(m({ field: 'name', contains: '.' })(file('\\a\\b'))).toBe(false);
  });
  it('regex, case-insensitive unless asked', () => {
    expect(m({ field: 'path', regex: '\\\\(windows|winnt)\\\\system32\\\\msblast\\.exe$' })(rec)).toBe(true);
    expect(m({ field: 'path', regex: 'msblast', caseSensitive: true })(rec)).toBe(false);
    expect(m({ field: 'path', regex: ['^x', 'EXE$'] })(rec)).toBe(true);
  });
  it('glob: * stays inside one component, ** crosses, ? is one character, / and \\ are the same', () => {
    expect(m({ field: 'path', glob: '\\windows\\system32\\*.exe' })(rec)).toBe(true);
    expect(m({ field: 'path', glob: '/WINDOWS/*/msblast.exe' })(rec)).toBe(true);
    expect(m({ field: 'path', glob: '\\windows\\*.exe' })(rec)).toBe(false);
    expect(m({ field: 'path', glob: '**\\msblast.exe' })(rec)).toBe(true);
    expect(m({ field: 'path', glob: '\\windows\\system32\\msblast.ex?' })(rec)).toBe(true);
    expect(m({ field: 'path', glob: '\\windows\\system3?\\msblast.exe' })(rec)).toBe(true);
    expect(m({ field: 'path', glob: '\\windows?system32\\msblast.exe' })(rec)).toBe(false);
    expect(new RegExp(globToRegexSource('a.b(c)')).test('a.b(c)')).toBe(true);
    expect(new RegExp(globToRegexSource('a.b')).test('axb')).toBe(false);
  });
  it('string operators apply to numbers as text', () => {
    expect(m({ field: 'size', startswith: '61' })(rec)).toBe(true);
  });
});

describe('numeric operators', () => {
  const c = conn({ dstPort: 707, size: 92 });
  it('equals numbers, and numeric strings against numbers', () => {
    expect(m({ field: 'dstPort', equals: 707 }, 'connection')(c)).toBe(true);
    expect(m({ field: 'dstPort', equals: '707' }, 'connection')(c)).toBe(true);
    expect(m({ field: 'data', equals: 2 }, 'registry-value')(regValue({ data: '2' }))).toBe(true);
  });
  it('range as a string and as {min, max}, inclusive', () => {
    expect(m({ field: 'dstPort', range: '666-765' }, 'connection')(c)).toBe(true);
    expect(m({ field: 'dstPort', range: '666-765' }, 'connection')(conn({ dstPort: 665 }))).toBe(false);
    expect(m({ field: 'dstPort', range: '666-765' }, 'connection')(conn({ dstPort: 765 }))).toBe(true);
    expect(m({ field: 'dstPort', range: { min: 700 } }, 'connection')(c)).toBe(true);
    expect(m({ field: 'dstPort', range: { max: 700 } }, 'connection')(c)).toBe(false);
  });
  it('gt/gte/lt/lte', () => {
    const f = (expr: object) => m({ field: 'size', ...expr }, 'connection')(c);
    expect([
      f({ gt: 91 }),
      f({ gt: 92 }),
      f({ gte: 92 }),
      f({ lt: 93 }),
      f({ lt: 92 }),
      f({ lte: 92 }),
    ]).toEqual([true, false, true, true, false, true]);
  });
  it('compares time fields against ISO literals exactly (bigint micros)', () => {
    const e = event({ time: at('2003-08-16T00:00:00.000001Z') });
    expect(m({ field: 'time', gte: '2003-08-16T00:00:00Z' }, 'event')(e)).toBe(true);
    expect(m({ field: 'time', gt: '2003-08-16T00:00:00.000001Z' }, 'event')(e)).toBe(false);
    expect(m({ field: 'time', range: { min: '2003-08-11', max: '2003-12-31' } }, 'event')(e)).toBe(true);
    expect(m({ field: 'time', lt: 1060992000000000 }, 'event')(e)).toBe(false);
  });
  it('a missing field satisfies nothing', () => {
    const noPort = conn();
    delete noPort.dstPort;
    expect(m({ field: 'dstPort', lt: 1000 }, 'connection')(noPort)).toBe(false);
    expect(m({ not: { field: 'dstPort', lt: 1000 } }, 'connection')(noPort)).toBe(true);
  });
});

describe('cidr and IP parsing', () => {
  it('IPv4', () => {
    const match = m({ field: 'dstIp', cidr: ['10.0.0.0/8', '192.168.5.0/24'] }, 'connection');
    expect(match(conn({ dstIp: '192.168.5.200' }))).toBe(true);
    expect(match(conn({ dstIp: '192.168.6.1' }))).toBe(false);
    expect(match(conn({ dstIp: '10.255.0.1' }))).toBe(true);
    expect(match(conn({ dstIp: 'not-an-ip' }))).toBe(false);
  });
  it('IPv6, compressed forms, zones, and IPv4-mapped addresses against IPv4 networks', () => {
    expect(
      m({ field: 'localAddress', cidr: 'fe80::/10' }, 'listener')(listener({ localAddress: 'fe80::1%4' })),
    ).toBe(true);
    expect(
      m(
        { field: 'localAddress', cidr: '2001:db8::/32' },
        'listener',
      )(listener({ localAddress: '2001:db9::1' })),
    ).toBe(false);
    expect(
      m(
        { field: 'localAddress', cidr: '192.168.0.0/16' },
        'listener',
      )(listener({ localAddress: '::ffff:192.168.1.2' })),
    ).toBe(true);
    expect(parseIpv6('::')).toBe(0n);
    expect(parseIpv6('1::')).toBe(1n << 112n);
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('256.0.0.0/8')).toBeUndefined();
    expect(cidrContains(parseCidr('0.0.0.0/0')!, '1.2.3.4')).toBe(true);
    expect(cidrContains(parseCidr('::/0')!, '1.2.3.4')).toBe(false);
  });
});

describe('exists and booleans', () => {
  it('exists looks at presence', () => {
    expect(m({ field: 'md5', exists: true })(file('\\a.exe'))).toBe(false);
    expect(m({ field: 'md5', exists: false })(file('\\a.exe'))).toBe(true);
    expect(m({ field: 'md5', exists: true })(file('\\a.exe', { md5: '00' }))).toBe(true);
    expect(m({ field: 'md5', exists: true, startswith: 'ab' })(file('\\a.exe', { md5: '00' }))).toBe(false);
  });
  it('booleans compare as booleans', () => {
    expect(m({ field: 'deleted', equals: true })(file('\\a', { deleted: true }))).toBe(true);
    expect(m({ field: 'deleted', equals: false })(file('\\a', { deleted: true }))).toBe(false);
  });
});

describe('combinators and array fields', () => {
  it('all / any / not', () => {
    const expr = {
      all: [
        { field: 'protocol', equals: 'tcp' },
        {
          any: [
            { field: 'dstPort', equals: 135 },
            { field: 'dstPort', equals: 4444 },
          ],
        },
        { not: { field: 'direction', equals: 'RECEIVE' } },
      ],
    };
    expect(m(expr, 'connection')(conn({ dstPort: 4444 }))).toBe(true);
    expect(m(expr, 'connection')(conn({ dstPort: 445 }))).toBe(false);
    expect(m(expr, 'connection')(conn({ direction: 'RECEIVE' }))).toBe(false);
  });
  it('an array field matches when any element does; not means none does', () => {
    const patched = m({ field: 'hotfixes', in: ['KB823980', 'KB824146'] }, 'host');
    expect(patched(host({ hotfixes: ['KB329115', 'KB824146'] }))).toBe(true);
    expect(patched(host({ hotfixes: ['KB329115'] }))).toBe(false);
    expect(patched(host({ hotfixes: [] }))).toBe(false);
    const unpatched = m({ not: { field: 'hotfixes', in: ['KB823980'] } }, 'host');
    expect(unpatched(host({ hotfixes: [] }))).toBe(true);
    expect(unpatched(host({ hotfixes: ['Q1', 'KB823980'] }))).toBe(false);
  });
  it('several operators in one leaf must all hold for the same element', () => {
    const expr = { field: 'strings', startswith: 'Remote', endswith: '(RPC)' };
    expect(m(expr, 'event')(event({ strings: ['Remote Procedure Call (RPC)'] }))).toBe(true);
    expect(m(expr, 'event')(event({ strings: ['Remote x', 'y (RPC)'] }))).toBe(false);
  });
  it('dotted paths reach map fields', () => {
    const e = event({ fields: { param1: 'Remote Procedure Call (RPC)' } });
    expect(m({ field: 'fields.param1', startswith: 'remote' }, 'event')(e)).toBe(true);
    expect(m({ field: 'fields.param9', exists: false }, 'event')(e)).toBe(true);
  });
});

describe('compile errors carry a document path', () => {
  const err = (expr: unknown, kind: RecordKind = 'file') => {
    try {
      compileMatch(expr, kind);
    } catch (e) {
      expect(e).toBeInstanceOf(RuleCompileError);
      return { message: (e as Error).message, path: (e as RuleCompileError).path };
    }
    throw new Error('no error');
  };
  it('names the path of the bad part', () => {
    expect(
      err({
        all: [
          { field: 'path', equals: 'x' },
          { field: 'nosuch', equals: 1 },
        ],
      }),
    ).toEqual({
      message: 'record kind "file" has no field "nosuch"',
      path: ['match', 'all', 1, 'field'],
    });
    expect(err({ field: 'path', regex: '(' }).path).toEqual(['match', 'regex']);
    expect(err({ field: 'path', cidr: ['10.0.0.0/8', 'x'] }, 'file').path).toEqual(['match', 'cidr', 1]);
    expect(err({ field: 'size', range: '9-1' }).message).toMatch(/min is above max/);
    expect(err({ field: 'size', gt: 'many' }).message).toMatch(/not a number/);
    expect(err({ field: 'time', gt: 'yesterday' }, 'event').message).toMatch(/not a time/);
    expect(err({ field: 'path' }).message).toMatch(/no operator/);
    expect(err({ field: 'path', like: 'x' }).message).toMatch(/unknown operator "like"/);
    expect(err({ any: [] }).message).toMatch(/non-empty list/);
    expect(err({ all: [{ field: 'path', equals: 'x' }], field: 'x' }).message).toMatch(/alone/);
    expect(err({ field: 'fields.x', equals: 'a' }, 'file').message).toMatch(/no field/);
  });
});

describe('parseTimeLiteral', () => {
  it('reads ISO with and without zone, fraction, date only, integers', () => {
    expect(parseTimeLiteral('1970-01-01T00:00:01Z')).toBe(1_000_000n);
    expect(parseTimeLiteral('1970-01-01 00:00:01.5')).toBe(1_500_000n);
    expect(parseTimeLiteral('1970-01-01T09:00:00+09:00')).toBe(0n);
    expect(parseTimeLiteral('1970-01-02')).toBe(86_400_000_000n);
    expect(parseTimeLiteral(42)).toBe(42n);
    expect(parseTimeLiteral('nope')).toBeUndefined();
  });
});
