import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineFormatError } from '../io/line-errors.js';
import { chunked } from '../io/test-support/chunked.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { mulberry32 } from '../io/test-support/random.js';
import type { FirewallLogRecord } from './entry.js';
import { type FirewallLogOptions, parseFirewallLog } from './firewall-log.js';
import { XP_SP2_FIELDS } from './header.js';

const plasoLog = 'firewall/log2timeline_plaso__windows_firewall.log';
const betaHydriGz = 'firewall/BetaHydri_ParseFirewallLog__pfirewall.log.gz';
const plasoCorpus = skipUnlessCorpus('firewall-log plaso corpus tests', plasoLog);
const betaHydriCorpus = skipUnlessCorpus('firewall-log BetaHydri corpus tests', betaHydriGz);
const BETAHYDRI_SHA256 = '885bd8e6ec01732744c423cdd60422c4ece7d540a3d1653770c755f7b9c9dcab';

/** Chunk sizes of the test streams: lines straddle chunk boundaries. */
const CHUNKS = [7, 1, 64, 3, 4096];

async function parseAll(input: string | Uint8Array, options: FirewallLogOptions = {}) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const parser = parseFirewallLog(chunked(bytes, CHUNKS), options);
  const records: FirewallLogRecord[] = [];
  for await (const record of parser.records()) records.push(record);
  return { parser, records };
}

/** Writes a log the way the firewall service does: header block, then space-separated values. */
function writeLog(options: {
  version?: string;
  software?: string;
  timeFormat?: string;
  fields?: readonly string[];
  rows: string[][];
  eol?: string;
}): string {
  const eol = options.eol ?? '\r\n';
  const lines: string[] = [];
  if (options.version !== undefined) lines.push(`#Version: ${options.version}`);
  if (options.software !== undefined) lines.push(`#Software: ${options.software}`);
  if (options.timeFormat !== undefined) lines.push(`#Time Format: ${options.timeFormat}`);
  if (options.fields !== undefined) lines.push(`#Fields: ${options.fields.join(' ')}`);
  for (const row of options.rows) lines.push(row.join(' '));
  return lines.map((line) => line + eol).join('');
}

const XP_HEADER = {
  version: '1.5',
  software: 'Microsoft Windows Firewall',
  timeFormat: 'Local',
  fields: XP_SP2_FIELDS,
};
const blasterProbe = (sport: number) =>
  `2003-08-12 14:0${sport % 10}:11 DROP TCP 10.1.2.3 10.1.2.40 ${sport} 135 48 S 1640769051 0 65535 - - - RECEIVE`.split(
    ' ',
  );

describe.skipIf(plasoCorpus.skip)(
  'plaso windows_firewall.log (same facts as plaso tests/parsers/winfirewall.py)',
  () => {
    it('yields 15 entries without errors, with the values plaso asserts', async () => {
      const { parser, records } = await parseAll(readFileSync(await openCorpusFile(plasoLog)));
      expect(records).toHaveLength(15);
      expect(parser.errors.count).toBe(0);
      expect(parser.warnings.count).toBe(0);
      expect(parser.headerCount).toBe(1);
      expect(parser.headers[0]).toMatchObject({
        version: '1.5',
        software: 'Microsoft Windows Firewall',
        timeFormat: 'local',
      });

      const e4 = records[4]!;
      expect([e4.date, e4.time, e4.srcIp, e4.dstIp]).toEqual([
        '2005-04-11',
        '08:06:02',
        '123.45.78.90',
        '123.156.78.90',
      ]);
      const e7 = records[7]!;
      expect(e7).toMatchObject({
        time: '08:06:26',
        action: 'DROP',
        protocol: 'TCP',
        srcIp: '123.45.78.90',
        dstIp: '123.156.78.90',
        srcPort: 80,
        dstPort: 1774,
        size: 576,
        tcpFlags: 'A',
        tcpSyn: 123456789,
        tcpAck: 987654321,
        tcpWin: 12345,
        path: 'RECEIVE',
        timeIsLocal: true,
      });
      // No time zone given: the wall time is kept as if UTC (plaso's default does the same).
      expect(e7.timestamp).toBe(BigInt(Date.UTC(2005, 3, 11, 8, 6, 26)) * 1000n);
      expect(records[9]).toMatchObject({
        protocol: 'ICMP',
        icmpType: 8,
        icmpCode: 0,
        srcPort: 7,
        dstPort: 7,
      });
      const lost = records[14]!;
      expect(lost).toMatchObject({
        action: 'INFO-EVENTS-LOST',
        info: '59',
        eventsLost: 59,
        protocol: undefined,
      });
      expect(lost.lineNumber).toBe(19);
    });

    it('applies a caller-supplied time zone to local times', async () => {
      // Europe/Amsterdam in April 2005 is CEST, UTC+2.
      const asked: bigint[] = [];
      const { records } = await parseAll(readFileSync(await openCorpusFile(plasoLog)), {
        timeZone: (local) => {
          asked.push(local);
          return 120;
        },
      });
      // The zone is asked with the wall time itself (as microseconds read as if UTC).
      expect(asked[7]).toBe(BigInt(Date.UTC(2005, 3, 11, 8, 6, 26)) * 1000n);
      expect(records[7]!.timeIsLocal).toBe(false);
      expect(records[7]!.timestamp).toBe(BigInt(Date.UTC(2005, 3, 11, 6, 6, 26)) * 1000n);
      expect(records[7]!.localTime).toEqual({
        year: 2005,
        month: 4,
        day: 11,
        hour: 8,
        minute: 6,
        second: 26,
      });
      const fixed = await parseAll(readFileSync(await openCorpusFile(plasoLog)), { utcOffsetMinutes: -300 });
      expect(fixed.records[7]!.timestamp).toBe(BigInt(Date.UTC(2005, 3, 11, 13, 6, 26)) * 1000n);
    });

    it('reports byte offsets of each line', async () => {
      const bytes = readFileSync(await openCorpusFile(plasoLog));
      const { records } = await parseAll(bytes);
      for (const record of records) {
        const lineText = bytes.subarray(record.offset, bytes.indexOf(0x0a, record.offset)).toString('latin1');
        expect(lineText.startsWith(`${record.date} ${record.time} ${record.action}`)).toBe(true);
      }
    });
  },
);

describe.skipIf(betaHydriCorpus.skip)('BetaHydri pfirewall.log (Windows 10, IPv4 + IPv6)', () => {
  it('parses every data line of the real log from a file stream', async () => {
    const path = await openCorpusFile(betaHydriGz);
    const plain = readFileSync(path);
    expect(createHash('sha256').update(plain).digest('hex')).toBe(BETAHYDRI_SHA256);
    // Independent count: lines that start with a date.
    const text = plain.toString('latin1');
    const dataLines = text.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2} /.test(line));
    const parser = parseFirewallLog(createReadStream(path, { highWaterMark: 4096 }));
    const actions = new Map<string, number>();
    let ipv6 = 0;
    let records = 0;
    let last: FirewallLogRecord | undefined;
    for await (const record of parser.records()) {
      records += 1;
      actions.set(record.action, (actions.get(record.action) ?? 0) + 1);
      if (record.srcIp?.includes(':')) ipv6 += 1;
      last = record;
    }
    expect(records).toBe(dataLines.length);
    expect(parser.errors.count).toBe(0);
    expect(actions.get('ALLOW')).toBe(dataLines.filter((line) => line.split(' ')[2] === 'ALLOW').length);
    expect(actions.get('INFO-EVENTS-LOST')).toBe(2);
    expect(ipv6).toBeGreaterThan(0);
    expect(last).toMatchObject({
      date: '2021-06-22',
      time: '12:58:49',
      action: 'DROP',
      protocol: 'UDP',
      srcIp: '192.168.178.42',
      dstIp: '239.255.255.250',
      srcPort: 40093,
      dstPort: 1900,
      size: 174,
      path: 'RECEIVE',
    });
  });
});

describe('header variants', () => {
  it('XP SP2 with LF or CRLF line ends gives the same records', async () => {
    const rows = [blasterProbe(2500), blasterProbe(2501)];
    const crlf = await parseAll(writeLog({ ...XP_HEADER, rows, eol: '\r\n' }));
    const lf = await parseAll(writeLog({ ...XP_HEADER, rows, eol: '\n' }));
    expect(crlf.records.map((r) => ({ ...r, offset: 0 }))).toEqual(
      lf.records.map((r) => ({ ...r, offset: 0 })),
    );
    expect(crlf.records[1]!.offset).toBe(lf.records[1]!.offset + 5); // 5 header/data lines before it
    expect(crlf.records.map((r) => [r.srcPort, r.dstPort, r.tcpFlags, r.size])).toEqual([
      [2500, 135, 'S', 48],
      [2501, 135, 'S', 48],
    ]);
  });

  it('Vista+ layout with pid and an unknown column maps by name', async () => {
    const fields = [...XP_SP2_FIELDS, 'pid', 'rule-name'];
    const log = writeLog({
      version: '1.5',
      software: 'Microsoft Windows Firewall',
      timeFormat: 'Local',
      fields,
      rows: [
        '2021-06-22 12:19:41 ALLOW TCP fe80::1%12 ff02::fb 49152 4444 0 - 0 0 0 - - - SEND 1234 Core'.split(
          ' ',
        ),
        '2021-06-22 12:19:42 DROP ICMP 10.0.0.5 10.0.0.1 - - 92 - - - - 8 0 - RECEIVE - -'.split(' '),
      ],
    });
    const { parser, records } = await parseAll(log);
    expect(parser.errors.count).toBe(0);
    expect(records[0]).toMatchObject({
      action: 'ALLOW',
      srcIp: 'fe80::1%12',
      dstPort: 4444,
      pid: 1234,
      extra: { 'rule-name': 'Core' },
    });
    expect(records[1]).toMatchObject({
      protocol: 'ICMP',
      size: 92,
      icmpType: 8,
      icmpCode: 0,
      pid: undefined,
      extra: undefined,
    });
  });

  it('pre-SP2 ICF style header with its own field set and order', async () => {
    const fields = [
      'date',
      'time',
      'action',
      'protocol',
      'src-ip',
      'dst-ip',
      'src-port',
      'dst-port',
      'size',
      'info',
    ];
    const log = writeLog({
      version: '1.0',
      software: 'Microsoft Internet Connection Firewall',
      timeFormat: 'Local',
      fields,
      rows: [
        '2003-08-12 14:00:11 OPEN TCP 192.168.0.10 10.20.30.40 2500 135 - -'.split(' '),
        '2003-08-12 14:00:12 OPEN UDP 192.168.0.10 10.20.30.41 1031 69 - -'.split(' '),
      ],
    });
    const { parser, records } = await parseAll(log);
    expect(parser.errors.count).toBe(0);
    expect(parser.headers[0]).toMatchObject({
      version: '1.0',
      software: 'Microsoft Internet Connection Firewall',
      fields,
    });
    expect(records.map((r) => [r.action, r.protocol, r.srcPort, r.dstPort, r.path])).toEqual([
      ['OPEN', 'TCP', 2500, 135, undefined],
      ['OPEN', 'UDP', 1031, 69, undefined],
    ]);
  });

  it('UTC time format gives UTC timestamps; unpadded dates parse', async () => {
    const log = writeLog({
      ...XP_HEADER,
      timeFormat: 'UTC',
      rows: ['2006-3-7 9:05:01 OPEN-INBOUND TCP 10.0.0.1 10.0.0.2 1025 4444 - - - - - - - - -'.split(' ')],
    });
    const { records } = await parseAll(log, { utcOffsetMinutes: 540 });
    expect(records[0]!.timeIsLocal).toBe(false);
    expect(records[0]!.timestamp).toBe(BigInt(Date.UTC(2006, 2, 7, 9, 5, 1)) * 1000n);
    expect(records[0]!.action).toBe('OPEN-INBOUND');
  });

  it('repeated header blocks (log restarted) switch the column mapping mid-file', async () => {
    const first = writeLog({ ...XP_HEADER, rows: [blasterProbe(2502)] });
    const second = writeLog({
      version: '1.5',
      software: 'Microsoft Windows Firewall',
      timeFormat: 'UTC',
      fields: ['date', 'time', 'action', 'protocol', 'dst-ip', 'src-ip', 'dst-port', 'src-port'],
      rows: ['2003-08-12 15:00:00 OPEN TCP 10.9.9.9 10.1.1.1 135 2600'.split(' ')],
    });
    const { parser, records } = await parseAll(first + second);
    expect(parser.headerCount).toBe(2);
    expect(parser.headers.map((h) => [h.lineNumber, h.timeFormat, h.fields.length])).toEqual([
      [1, 'local', 17],
      [6, 'utc', 8],
    ]);
    expect(records[1]).toMatchObject({
      srcIp: '10.1.1.1',
      dstIp: '10.9.9.9',
      srcPort: 2600,
      dstPort: 135,
      timeIsLocal: false,
    });
    expect(records[0]!.timeIsLocal).toBe(true);
  });

  it('data before any header assumes the XP SP2 list and says so', async () => {
    const { parser, records } = await parseAll(`${blasterProbe(2503).join(' ')}\n`);
    expect(records).toHaveLength(1);
    expect(parser.warnings.count).toBe(1);
    expect(parser.warnings.items[0]!.reason).toMatch(/XP SP2 field list assumed/);
  });

  it('INFO-EVENTS-LOST with the count in size', async () => {
    const row = '2005-04-11 08:52:26 INFO-EVENTS-LOST - - - - - 59 - - - - - - - -'.split(' ');
    const { records } = await parseAll(writeLog({ ...XP_HEADER, rows: [row] }));
    expect(records[0]).toMatchObject({ size: 59, eventsLost: 59, info: undefined });
  });
});

describe('damaged lines', () => {
  it('reports garbage, truncated and bad-value lines with line numbers and keeps going', async () => {
    const good = blasterProbe(2504).join(' ');
    const lines = [
      '#Version: 1.5',
      '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path',
      good, // 3
      'hello world', // 4 truncated / garbage
      good.replace('135 48', '99999 48'), // 5 bad port
      good.replace('2003-08-12', '2003-02-30'), // 6 impossible date
      good.replace('10.1.2.3', '10.1.2.300'), // 7 bad ip
      `${good} EXTRA`, // 8 too many fields
      '   ', // 9 whitespace: ignored
      good.replace('DROP', 'dr0p'), // 10 bad action
      good, // 11
      good.slice(0, 40), // 12 cut mid-write (no newline at the end)
    ];
    const { parser, records } = await parseAll(lines.join('\n'));
    expect(records.map((r) => r.lineNumber)).toEqual([3, 11]);
    expect(parser.errors.count).toBe(7);
    const byLine = new Map(parser.errors.items.map((e) => [e.lineNumber, e.reason]));
    expect([...byLine.keys()]).toEqual([4, 5, 6, 7, 8, 10, 12]);
    expect(byLine.get(4)).toMatch(/bad date 'hello'/);
    expect(byLine.get(12)).toMatch(/bad dst-ip '10'/); // the cut fell inside dst-ip
    expect(byLine.get(5)).toMatch(/bad dst-port '99999'/);
    expect(byLine.get(6)).toMatch(/bad date/);
    expect(byLine.get(7)).toMatch(/bad src-ip/);
    expect(byLine.get(8)).toMatch(/18 fields, the header declares 17/);
    expect(byLine.get(10)).toMatch(/bad action/);
    for (const error of parser.errors.items) {
      expect(error).toBeInstanceOf(LineFormatError);
      expect(error.format).toBe('firewall-log');
      expect(error.structure).toBe('line');
      expect(error.toJSON().lineNumber).toBe(error.lineNumber);
    }
    const text = lines.join('\n');
    expect(parser.errors.items[0]!.offset).toBe(text.indexOf('hello world'));
  });

  it('binary garbage and a huge line without newline stay bounded', async () => {
    const random = mulberry32(0x5eed);
    const garbage = new Uint8Array(200_000).map(() => random() & 0xff);
    const head = Buffer.from(writeLog({ ...XP_HEADER, rows: [blasterProbe(2505)] }));
    const { parser, records } = await parseAll(Buffer.concat([head, garbage, Buffer.alloc(100_000, 0x41)]), {
      maxErrors: 10,
    });
    expect(records).toHaveLength(1);
    expect(parser.errors.count).toBeGreaterThan(10);
    expect(parser.errors.items).toHaveLength(10);
    expect(parser.errors.truncated).toBe(true);
  });

  it('mutated real lines never throw (fixed seed)', async () => {
    const base = Buffer.from(
      writeLog({ ...XP_HEADER, rows: Array.from({ length: 40 }, (_, i) => blasterProbe(2500 + i)) }),
    );
    const random = mulberry32(42);
    for (let round = 0; round < 200; round++) {
      const copy = Buffer.from(base);
      for (let k = 0; k < 8; k++) copy[random() % copy.length] = random() & 0xff;
      const { parser, records } = await parseAll(copy.subarray(0, random() % copy.length));
      expect(records.length + parser.errors.count).toBeLessThanOrEqual(parser.lineCount);
      for (const record of records) expect(typeof record.timestamp).toBe('bigint');
    }
  });
});

describe('API', () => {
  it('batches() gives the same records as records(); a parser iterates once', async () => {
    const text = writeLog({
      ...XP_HEADER,
      rows: Array.from({ length: 3000 }, (_, i) => blasterProbe(1024 + i)),
    });
    const one = await parseAll(text);
    const parser = parseFirewallLog(chunked(Buffer.from(text, 'latin1'), [100_000]));
    const flat: FirewallLogRecord[] = [];
    let batches = 0;
    for await (const batch of parser.batches()) {
      batches += 1;
      flat.push(...batch);
    }
    expect(flat).toEqual(one.records);
    expect(batches).toBeGreaterThan(1); // bounded batches, not one per 100 kB block
    await expect(async () => {
      for await (const _ of parser.records()) break;
    }).rejects.toThrow(/only once/);
  });
});
