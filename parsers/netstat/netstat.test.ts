import { describe, expect, it } from 'vitest';
import { LineFormatError } from '../io/line-errors.js';
import { chunked } from '../io/test-support/chunked.js';
import { parseEndpoint } from './endpoint.js';
import { type NetstatOptions, parseNetstat } from './netstat.js';
import type { NetstatRecord } from './record.js';
import { splitCsvLine } from './velociraptor.js';

/**
 * Writers that lay out rows the way Windows netstat does: two spaces, protocol padded to 7,
 * local and foreign address padded to 23, state padded to 16, then the PID (-o). UDP rows
 * leave the state column blank.
 */
interface Row {
  proto: 'TCP' | 'UDP';
  local: string;
  remote?: string;
  state?: string;
  pid?: number;
  after?: string[]; // -b lines, written as given
}

function netstatText(
  rows: Row[],
  options: { pid: boolean; eol?: string; title?: string; header?: string },
): string {
  const eol = options.eol ?? '\r\n';
  const header =
    options.header ??
    `  Proto  Local Address          Foreign Address        State${options.pid ? '           PID' : ''}`;
  const lines = ['', options.title ?? 'Active Connections', '', header];
  for (const row of rows) {
    let line = `  ${row.proto.padEnd(7)}${row.local.padEnd(22)} ${(row.remote ?? '*:*').padEnd(22)} `;
    if (options.pid) line += `${(row.state ?? '').padEnd(15)} ${row.pid ?? 0}`;
    else if (row.state !== undefined) line += row.state;
    lines.push(line.trimEnd());
    for (const extra of row.after ?? []) lines.push(extra);
  }
  return lines.map((line) => line + eol).join('');
}

/** Chunk sizes of the test streams: lines straddle chunk boundaries. */
const CHUNKS = [3, 50, 1, 4096];

async function parseAll(input: string | Uint8Array, options: NetstatOptions = {}) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const parser = parseNetstat(chunked(bytes, CHUNKS), options);
  const records: NetstatRecord[] = [];
  for await (const record of parser.records()) records.push(record);
  return { parser, records };
}

const summary = (r: NetstatRecord) =>
  `${r.protocol} ${r.localAddress}:${r.localPort} ${r.remoteAddress ?? '-'}:${r.remotePort ?? '-'} ${r.state ?? '-'} ${r.pid ?? '-'} ${r.kind}`;

describe('Windows netstat text output', () => {
  it('Windows 2000 / XP `netstat -an` (no PID column)', async () => {
    const text = netstatText(
      [
        { proto: 'TCP', local: '0.0.0.0:135', remote: '0.0.0.0:0', state: 'LISTENING' },
        { proto: 'TCP', local: '0.0.0.0:445', remote: '0.0.0.0:0', state: 'LISTENING' },
        { proto: 'TCP', local: '192.168.1.10:139', remote: '0.0.0.0:0', state: 'LISTENING' },
        { proto: 'TCP', local: '192.168.1.10:1031', remote: '207.46.248.248:80', state: 'ESTABLISHED' },
        { proto: 'TCP', local: '192.168.1.10:1032', remote: '207.46.248.248:80', state: 'TIME_WAIT' },
        { proto: 'UDP', local: '0.0.0.0:445' },
        { proto: 'UDP', local: '127.0.0.1:123' },
      ],
      { pid: false },
    );
    const { parser, records } = await parseAll(text);
    expect(parser.format).toBe('text');
    expect(parser.errors.count).toBe(0);
    expect(records.map(summary)).toEqual([
      'TCP 0.0.0.0:135 0.0.0.0:0 LISTENING - listener',
      'TCP 0.0.0.0:445 0.0.0.0:0 LISTENING - listener',
      'TCP 192.168.1.10:139 0.0.0.0:0 LISTENING - listener',
      'TCP 192.168.1.10:1031 207.46.248.248:80 ESTABLISHED - connection',
      'TCP 192.168.1.10:1032 207.46.248.248:80 TIME_WAIT - connection',
      'UDP 0.0.0.0:445 -:- - - listener',
      'UDP 127.0.0.1:123 -:- - - listener',
    ]);
    expect(records.map((r) => r.lineNumber)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(records[0]!.family).toBe('ipv4');
  });

  it('Blaster-infected XP host, `netstat -ano`: shell on 4444, TFTP 69/udp, 20 SYN_SENT to :135', async () => {
    const scan: Row[] = Array.from({ length: 20 }, (_, i) => ({
      proto: 'TCP' as const,
      local: `192.168.1.10:${2500 + i}`,
      remote: `192.168.${Math.floor(i / 10) + 3}.${(i * 7) % 254}:135`,
      state: 'SYN_SENT',
      pid: 1736,
    }));
    const rows: Row[] = [
      { proto: 'TCP', local: '0.0.0.0:135', remote: '0.0.0.0:0', state: 'LISTENING', pid: 1048 },
      { proto: 'TCP', local: '0.0.0.0:445', remote: '0.0.0.0:0', state: 'LISTENING', pid: 4 },
      { proto: 'TCP', local: '0.0.0.0:4444', remote: '0.0.0.0:0', state: 'LISTENING', pid: 1736 },
      {
        proto: 'TCP',
        local: '192.168.1.10:4444',
        remote: '192.168.1.66:1065',
        state: 'ESTABLISHED',
        pid: 1736,
      },
      ...scan,
      { proto: 'UDP', local: '0.0.0.0:69', pid: 1736 },
      { proto: 'UDP', local: '0.0.0.0:445', pid: 4 },
    ];
    const { parser, records } = await parseAll(netstatText(rows, { pid: true }));
    expect(parser.errors.count).toBe(0);
    expect(records).toHaveLength(26);
    const listeners = records
      .filter((r) => r.kind === 'listener')
      .map((r) => `${r.protocol}/${r.localPort}/${r.pid}`);
    expect(listeners).toEqual(['TCP/135/1048', 'TCP/445/4', 'TCP/4444/1736', 'UDP/69/1736', 'UDP/445/4']);
    const synSent = records.filter((r) => r.state === 'SYN_SENT');
    expect(synSent.map((r) => r.localPort)).toEqual(Array.from({ length: 20 }, (_, i) => 2500 + i));
    expect(synSent.every((r) => r.remotePort === 135 && r.pid === 1736 && r.kind === 'connection')).toBe(
      true,
    );
    expect(records[3]).toMatchObject({
      remoteAddress: '192.168.1.66',
      remotePort: 1065,
      state: 'ESTABLISHED',
    });
  });

  it('XP SP2 `netstat -anob`: component lines and [process] attach to the row above', async () => {
    const rows: Row[] = [
      {
        proto: 'TCP',
        local: '0.0.0.0:135',
        remote: '0.0.0.0:0',
        state: 'LISTENING',
        pid: 1048,
        after: [
          '  c:\\windows\\system32\\WS2_32.dll',
          '  C:\\WINDOWS\\system32\\RPCRT4.dll',
          '  c:\\windows\\system32\\rpcss.dll',
          '  C:\\WINDOWS\\system32\\svchost.exe',
          '  -- unknown component(s) --',
          '  [svchost.exe]',
          '',
        ],
      },
      {
        proto: 'TCP',
        local: '0.0.0.0:4444',
        remote: '0.0.0.0:0',
        state: 'LISTENING',
        pid: 1736,
        after: ['  [msblast.exe]', ''],
      },
      { proto: 'UDP', local: '0.0.0.0:445', pid: 4, after: ['  [System]', ''] },
    ];
    const { parser, records } = await parseAll(netstatText(rows, { pid: true }));
    expect(parser.errors.count).toBe(0);
    expect(records.map((r) => r.processName)).toEqual(['svchost.exe', 'msblast.exe', 'System']);
    expect(records[0]!.components).toEqual([
      'c:\\windows\\system32\\WS2_32.dll',
      'C:\\WINDOWS\\system32\\RPCRT4.dll',
      'c:\\windows\\system32\\rpcss.dll',
      'C:\\WINDOWS\\system32\\svchost.exe',
      '-- unknown component(s) --',
    ]);
    expect(records[1]!.components).toBeUndefined();
  });

  it('Vista+ `netstat -anob`: IPv6, zone ids, service names and ownership notes', async () => {
    const rows: Row[] = [
      {
        proto: 'TCP',
        local: '0.0.0.0:135',
        remote: '0.0.0.0:0',
        state: 'LISTENING',
        pid: 912,
        after: ['  RpcSs', ' [svchost.exe]'],
      },
      {
        proto: 'TCP',
        local: '0.0.0.0:445',
        remote: '0.0.0.0:0',
        state: 'LISTENING',
        pid: 4,
        after: [' Can not obtain ownership information'],
      },
      {
        proto: 'TCP',
        local: '[::]:135',
        remote: '[::]:0',
        state: 'LISTENING',
        pid: 912,
        after: ['  RpcSs', ' [svchost.exe]'],
      },
      {
        proto: 'TCP',
        local: '[fe80::1c2d:3e4f:5a6b:7c8d%11]:49710',
        remote: '[fe80::1%11]:445',
        state: 'CLOSE_WAIT',
        pid: 4,
      },
      { proto: 'UDP', local: '[::]:500', pid: 1234, after: ['  IKEEXT', ' [svchost.exe]'] },
    ];
    const { parser, records } = await parseAll(netstatText(rows, { pid: true, eol: '\n' }));
    expect(parser.errors.count).toBe(0);
    expect(records.map(summary)).toEqual([
      'TCP 0.0.0.0:135 0.0.0.0:0 LISTENING 912 listener',
      'TCP 0.0.0.0:445 0.0.0.0:0 LISTENING 4 listener',
      'TCP :::135 :::0 LISTENING 912 listener',
      'TCP fe80::1c2d:3e4f:5a6b:7c8d%11:49710 fe80::1%11:445 CLOSE_WAIT 4 connection',
      'UDP :::500 -:- - 1234 listener',
    ]);
    expect(records.map((r) => r.family)).toEqual(['ipv4', 'ipv4', 'ipv6', 'ipv6', 'ipv6']);
    expect(records[0]).toMatchObject({ processName: 'svchost.exe', components: ['RpcSs'] });
    expect(records[1]).toMatchObject({
      processName: undefined,
      components: ['Can not obtain ownership information'],
    });
  });

  it('localized output (German) is read by the shape of its rows', async () => {
    const text = netstatText(
      [
        { proto: 'TCP', local: '0.0.0.0:135', remote: '0.0.0.0:0', state: 'ABHÖREN', pid: 1048 },
        {
          proto: 'TCP',
          local: '192.168.1.10:2500',
          remote: '10.1.1.1:135',
          state: 'SYN_GESENDET',
          pid: 1736,
        },
        { proto: 'UDP', local: '0.0.0.0:69', pid: 1736 },
      ],
      {
        pid: true,
        title: 'Aktive Verbindungen',
        header: '  Proto  Lokale Adresse         Remoteadresse          Status           PID',
      },
    );
    const { parser, records } = await parseAll(text);
    expect(parser.errors.count).toBe(0);
    expect(records.map(summary)).toEqual([
      'TCP 0.0.0.0:135 0.0.0.0:0 ABHÖREN 1048 listener',
      'TCP 192.168.1.10:2500 10.1.1.1:135 SYN_GESENDET 1736 connection',
      'UDP 0.0.0.0:69 -:- - 1736 listener',
    ]);
  });

  it('without -n: host and service names; well-known services map to ports', async () => {
    const text = netstatText(
      [
        { proto: 'TCP', local: 'XPHOST:epmap', remote: 'XPHOST:0', state: 'LISTENING' },
        { proto: 'TCP', local: 'XPHOST:4444', remote: 'attacker.example:1065', state: 'ESTABLISHED' },
        { proto: 'UDP', local: 'XPHOST:tftp' },
      ],
      { pid: false },
    );
    const { records } = await parseAll(text);
    expect(records.map((r) => [r.localAddress, r.localPort, r.kind, r.family])).toEqual([
      ['XPHOST', 135, 'listener', undefined],
      ['XPHOST', 4444, 'connection', undefined],
      ['XPHOST', 69, 'listener', undefined],
    ]);
    expect(parseEndpoint('XPHOST:blah')).toEqual({ address: 'XPHOST', port: undefined, service: 'blah' });
  });

  it('garbage lines are errors with line numbers; parsing continues', async () => {
    const good = '  TCP    0.0.0.0:4444           0.0.0.0:0              LISTENING       1736';
    const lines = [
      'Active Connections', // 1 title
      '  Proto  Local Address          Foreign Address        State           PID', // 2
      good, // 3
      '  TCP    999.1                  0.0.0.0:0              LISTENING       1', // 4 bad local
      'C:\\> netstat -ano > out.txt', // 5 not a netstat line
      '  UDP    0.0.0.0:69             *:*                    LISTENING       4', // 6 UDP with state
      '  TCP    0.0.0.0:1', // 7 too few columns
      'bin\u0001ary\u0000junk', // 8 control characters
      '  TCP    0.0.0.0:99999          0.0.0.0:0              LISTENING       1', // 9 port out of range
      good, // 10
    ];
    const text = lines.join('\r\n');
    const { parser, records } = await parseAll(text);
    expect(records.map((r) => r.lineNumber)).toEqual([3, 10]);
    expect(parser.errors.items.map((e) => e.lineNumber)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(parser.errors.items.map((e) => e.reason)).toEqual([
      "bad local address '999.1'",
      'not a netstat line',
      "UDP line with extra columns 'LISTENING'",
      'TCP line with 2 columns',
      'control characters or bytes that are not text',
      "bad local address '0.0.0.0:99999'",
    ]);
    expect(parser.errors.items[1]!.offset).toBe(text.indexOf('C:\\>'));
    expect(parser.errors.items.every((e) => e instanceof LineFormatError && e.format === 'netstat')).toBe(
      true,
    );
  });
});

describe('Velociraptor Windows.Network.Netstat results', () => {
  const rows = [
    {
      Pid: 1736,
      Name: 'msblast.exe',
      Family: 'IPv4',
      Type: 'TCP',
      Status: 'LISTEN',
      LaddrIP: '0.0.0.0',
      LaddrPort: 4444,
      RaddrIP: '0.0.0.0',
      RaddrPort: 0,
      Timestamp: '2003-08-12T14:00:11Z',
    },
    {
      Pid: 1736,
      Name: 'msblast.exe',
      Family: 'IPv4',
      Type: 'TCP',
      Status: 'SYN_SENT',
      LaddrIP: '192.168.1.10',
      LaddrPort: 2500,
      RaddrIP: '192.168.3.7',
      RaddrPort: 135,
      Timestamp: '2003-08-12T14:00:12.250Z',
    },
    {
      Pid: 1736,
      Name: 'msblast.exe',
      Family: 'IPv4',
      Type: 'UDP',
      Status: '',
      LaddrIP: '0.0.0.0',
      LaddrPort: 69,
      RaddrIP: '',
      RaddrPort: 0,
      Timestamp: '2003-08-12T14:00:11Z',
    },
  ];
  const expectRows = (records: NetstatRecord[]) => {
    expect(records.map(summary)).toEqual([
      'TCP 0.0.0.0:4444 0.0.0.0:0 LISTEN 1736 listener',
      'TCP 192.168.1.10:2500 192.168.3.7:135 SYN_SENT 1736 connection',
      'UDP 0.0.0.0:69 -:0 - 1736 listener',
    ]);
    expect(records.every((r) => r.processName === 'msblast.exe')).toBe(true);
    expect(records[1]!.timestamp).toBe(BigInt(Date.UTC(2003, 7, 12, 14, 0, 12, 250)) * 1000n);
  };

  it('JSON lines', async () => {
    const { parser, records } = await parseAll(rows.map((row) => JSON.stringify(row)).join('\n'));
    expect(parser.format).toBe('json');
    expect(parser.errors.count).toBe(0);
    expectRows(records);
    expect(records.map((r) => r.lineNumber)).toEqual([1, 2, 3]);
  });

  it('JSON array, pretty-printed, with older nested and dotted address columns', async () => {
    const older = rows.map(({ LaddrIP, LaddrPort, RaddrIP, RaddrPort, ...rest }, i) =>
      i === 0
        ? { ...rest, Laddr: { IP: LaddrIP, Port: LaddrPort }, Raddr: { IP: RaddrIP, Port: RaddrPort } }
        : {
            ...rest,
            'Laddr.IP': LaddrIP,
            'Laddr.Port': LaddrPort,
            'Raddr.IP': RaddrIP,
            'Raddr.Port': RaddrPort,
          },
    );
    const { parser, records } = await parseAll(JSON.stringify(older, null, 2));
    expect(parser.errors.count).toBe(0);
    expectRows(records);
    expect(records[0]!.lineNumber).toBe(2);
  });

  it('CSV export', async () => {
    const columns = Object.keys(rows[0]!);
    const csv = [
      columns.join(','),
      ...rows.map((row) => columns.map((c) => `"${String((row as Record<string, unknown>)[c])}"`).join(',')),
    ].join('\r\n');
    const { parser, records } = await parseAll(csv);
    expect(parser.format).toBe('csv');
    expect(parser.errors.count).toBe(0);
    expectRows(records);
    expect(splitCsvLine('a,"b,""c""",')).toEqual(['a', 'b,"c"', '']);
  });

  it('damaged JSON rows are errors and the stream goes on', async () => {
    const text = [
      JSON.stringify(rows[0]),
      '{"Pid": 1, "Type": "TCP", "LaddrIP": ', // unterminated: swallows the next line as text
      'garbage',
      '}',
      JSON.stringify({ ...rows[1], Type: 'ICMP' }),
      JSON.stringify({ ...rows[1], LaddrPort: 70000 }),
      JSON.stringify(rows[2]),
      '{"open": [',
    ].join('\n');
    const { parser, records } = await parseAll(text);
    expect(records.map((r) => r.lineNumber)).toEqual([1, 7]);
    expect(parser.errors.items.map((e) => [e.lineNumber, e.reason.slice(0, 30)])).toEqual([
      [2, "bad JSON: Unexpected token 'g'"],
      [5, "Type 'ICMP' is not TCP or UDP"],
      [6, 'port is not a number 0-65535'],
      [8, 'JSON object not closed at the '],
    ]);
  });

  it('random bytes never throw (fixed seed)', async () => {
    let state = 99;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state >>> 24;
    };
    for (const format of ['text', 'json', 'csv'] as const) {
      const noise = new Uint8Array(50_000).map(() => random());
      const { parser, records } = await parseAll(noise, { format });
      expect(records.length + parser.errors.count).toBeLessThanOrEqual(parser.lineCount + 1);
    }
  });
});
