/**
 * Two small sample hosts, written the way real tools write their files:
 * - WS-ACCT-07, a Windows XP host infected by Blaster.A on 2003-08-12: the worm's file in
 *   system32 (a harmless stand-in of the right size carrying the worm's strings, not the worm),
 *   a partial TFTP transfer, its prefetch file, a firewall log showing the TCP 135 sweep and
 *   TFTP, a netstat capture with the TCP 4444 shell, UDP 69 and the 2500-2520 sockets;
 *   its System event log (SysEvent.Evt) with the RPC service crash that forced a reboot, the
 *   unexpected-shutdown event after it and the boot events;
 * - WS-ACCT-02, a clean neighbour whose firewall log shows the inbound attempts it dropped, and
 *   whose System log holds only ordinary boots and shutdowns.
 * Both have SYSTEM and SOFTWARE hives (sample-hives.ts: XP SP1, Tokyo time; WS-ACCT-07 with the
 * Run value and without KB823980, WS-ACCT-02 with KB823980 and KB824146); their firewall logs are
 * written in that local time, as Windows writes them.
 * Every byte is computed from fixed inputs, so the builder reproduces the same zips.
 */

import { buildEvtLog, SYSTEM_EVENTS, type WriterEvent } from '../parsers/evt/test-support/evt-writer.js';
import { cleanHostHives, infectedHostHives, SAMPLE_UTC_OFFSET_MINUTES } from './sample-hives.js';

export interface SampleFile {
  path: string;
  data: Uint8Array;
  mtime: Date;
}

const utc = (text: string): Date => new Date(`${text}Z`);

/** Deterministic pseudo-random numbers (xorshift32), so samples never change between builds. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

/**
 * A 6,176-byte file standing in for msblast.exe (BLA-F1's size): an MZ header and the strings
 * vendors quote from the worm (BLA-F2). It is not executable code.
 */
export function blasterStandIn(): Uint8Array {
  const bytes = new Uint8Array(6176);
  bytes.set([0x4d, 0x5a, 0x90, 0x00], 0);
  const text = Buffer.from(
    'blaster-triage sample: inert stand-in, not the worm. msblast.exe windows auto update ' +
      'I just want to say LOVE YOU SAN!! billy gates why do you make this possible ? ' +
      'Stop making money and fix your software!! windowsupdate.com',
    'latin1',
  );
  bytes.set(text, 0x200);
  return bytes;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `2003-08-12 14:02:05` from seconds since the Unix epoch UTC, in the host's local wall time. */
function firewallTime(seconds: number): string {
  const date = new Date((seconds + SAMPLE_UTC_OFFSET_MINUTES * 60) * 1000);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

const FIREWALL_HEADER = [
  '#Version: 1.5',
  '#Software: Microsoft Windows Firewall',
  '#Time Format: Local',
  '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path',
  '',
].join('\r\n');

interface FirewallLine {
  at: number;
  action: string;
  protocol: string;
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
  size: number;
  flags?: string;
  icmp?: [number, number];
  path: 'SEND' | 'RECEIVE';
}

function firewallLog(lines: FirewallLine[]): Uint8Array {
  const random = seededRandom(0x5eed);
  const body = lines
    .sort((a, b) => a.at - b.at)
    .map((line) => {
      const tcp = line.protocol === 'TCP' && line.flags !== undefined;
      const syn = tcp ? String(Math.floor(random() * 0xffffffff)) : '-';
      return [
        firewallTime(line.at),
        line.action,
        line.protocol,
        line.src,
        line.dst,
        line.srcPort,
        line.dstPort,
        String(line.size),
        tcp ? line.flags : '-',
        syn,
        tcp ? '0' : '-',
        tcp ? '64240' : '-',
        line.icmp ? String(line.icmp[0]) : '-',
        line.icmp ? String(line.icmp[1]) : '-',
        '-',
        line.path,
      ].join(' ');
    });
  return Buffer.from(`${FIREWALL_HEADER}${body.join('\r\n')}\r\n`, 'latin1');
}

function bodyLine(
  path: string,
  inode: string,
  mode: string,
  size: number,
  times: [number, number, number, number],
): string {
  return `0|${path}|${inode}|${mode}|0|0|${size}|${times[0]}|${times[1]}|${times[2]}|${times[3]}`;
}

const INSTALL = Date.UTC(2003, 2, 3, 9, 12, 40) / 1000;
const INFECTION = Date.UTC(2003, 7, 12, 5, 1, 52) / 1000;

function baselineListing(infected: boolean): string[] {
  const random = seededRandom(infected ? 7 : 2);
  const system = [
    'kernel32.dll',
    'ntdll.dll',
    'rpcss.dll',
    'rpcrt4.dll',
    'ole32.dll',
    'svchost.exe',
    'dllhost.exe',
    'tftp.exe',
    'cmd.exe',
    'services.exe',
  ];
  const lines = [
    bodyLine('/WINDOWS', '28-144-1', 'd/drwxrwxrwx', 56, [INSTALL, INSTALL, INSTALL, INSTALL]),
    bodyLine('/WINDOWS/system32', '29-144-1', 'd/drwxrwxrwx', 56, [INSTALL, INSTALL, INSTALL, INSTALL]),
  ];
  system.forEach((name, index) => {
    const size = 20_000 + Math.floor(random() * 900_000);
    const accessed = INSTALL + 86_400 * (100 + index);
    lines.push(
      bodyLine(`/WINDOWS/system32/${name}`, `${1000 + index}-128-1`, 'r/rrwxrwxrwx', size, [
        accessed,
        INSTALL,
        INSTALL,
        INSTALL,
      ]),
    );
  });
  return lines;
}

/** EventLog 6008 for a shutdown at `at` (Unix seconds): time and date strings, SYSTEMTIME data. */
function unexpectedShutdown(logged: number, at: number, computer: string): WriterEvent {
  const date = new Date(at * 1000);
  const hours = date.getUTCHours();
  const clock = `${hours % 12 === 0 ? 12 : hours % 12}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
  const day = `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
  const parts = [
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDay(),
    date.getUTCDate(),
    hours,
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  ];
  return {
    ...SYSTEM_EVENTS.unexpectedShutdown(logged, computer),
    strings: [clock, day, '', '', '', '', ''],
    data: Uint8Array.from(parts.flatMap((part) => [part & 0xff, part >>> 8])),
  };
}

/** A boot as XP logs it: the OS banner (6009) and the event log service start (6005). */
function boot(at: number, computer: string): WriterEvent[] {
  return [
    {
      ...SYSTEM_EVENTS.osBanner(at, computer),
      strings: ['5.01.', '2600', 'Service Pack 1', 'Uniprocessor Free'],
    },
    SYSTEM_EVENTS.eventLogStarted(at, computer),
  ];
}

/** A System log (SysEvent.Evt, the 64 KiB ring the writer simulates) holding `events`. */
function systemLog(events: WriterEvent[]): Uint8Array {
  return buildEvtLog({ fileSize: 0x10000, events }).bytes;
}

export function infectedHost(): SampleFile[] {
  const mtime = utc('2003-08-13T10:30:00');
  const self = '192.168.1.57';
  const attacker = '192.168.1.23';
  const lines: FirewallLine[] = [];
  // The attacker's exploit and the TCP 4444 shell, then this host fetching the worm by TFTP.
  lines.push({
    at: INFECTION - 40,
    action: 'OPEN-INBOUND',
    protocol: 'TCP',
    src: attacker,
    dst: self,
    srcPort: '3290',
    dstPort: '135',
    size: 48,
    flags: 'S',
    path: 'RECEIVE',
  });
  lines.push({
    at: INFECTION - 36,
    action: 'OPEN-INBOUND',
    protocol: 'TCP',
    src: attacker,
    dst: self,
    srcPort: '3291',
    dstPort: '4444',
    size: 48,
    flags: 'S',
    path: 'RECEIVE',
  });
  lines.push({
    at: INFECTION - 30,
    action: 'OPEN',
    protocol: 'UDP',
    src: self,
    dst: attacker,
    srcPort: '1047',
    dstPort: '69',
    size: 45,
    path: 'SEND',
  });
  // Blaster's sweep: 20 sockets per round, consecutive source ports, targets walking A.B.C.x.
  let port = 2500;
  for (let round = 0; round < 3; round += 1) {
    for (let socket = 0; socket < 20; socket += 1) {
      const target = round * 20 + socket + 1;
      lines.push({
        at: INFECTION + 30 + round * 2,
        action: 'OPEN',
        protocol: 'TCP',
        src: self,
        dst: `192.168.0.${target}`,
        srcPort: String(port),
        dstPort: '135',
        size: 48,
        flags: 'S',
        path: 'SEND',
      });
      port += 1;
    }
  }
  const firewall = firewallLog(lines);

  const listing = baselineListing(true);
  listing.push(
    bodyLine('/WINDOWS/system32/msblast.exe', '2071-128-1', 'r/rrwxrwxrwx', 6176, [
      INFECTION + 2,
      INFECTION,
      INFECTION,
      INFECTION,
    ]),
  );
  listing.push(
    bodyLine('/WINDOWS/system32/TFTP1432', '2070-128-1', 'r/rrwxrwxrwx', 2048, [
      INFECTION - 31,
      INFECTION - 31,
      INFECTION - 31,
      INFECTION - 31,
    ]),
  );
  listing.push(
    bodyLine('/WINDOWS/Prefetch/MSBLAST.EXE-1C3A3376.pf', '2072-128-1', 'r/rrwxrwxrwx', 8802, [
      INFECTION + 10,
      INFECTION + 10,
      INFECTION + 10,
      INFECTION + 10,
    ]),
  );

  const netstat = [
    '',
    'Active Connections',
    '',
    '  Proto  Local Address          Foreign Address        State           PID',
    '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       880',
    '  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4',
    '  TCP    0.0.0.0:4444           0.0.0.0:0              LISTENING       1456',
    ...Array.from({ length: 20 }, (_, index) => {
      const local = `${self}:${2500 + index}`.padEnd(23);
      const remote = `192.168.${7 + Math.floor(index / 10)}.${((index * 13) % 254) + 1}:135`.padEnd(23);
      return `  TCP    ${local}${remote}SYN_SENT        1456`;
    }),
    '  UDP    0.0.0.0:69             *:*                                    1456',
    '  UDP    0.0.0.0:445            *:*                                    4',
    '',
  ].join('\r\n');

  // Another infected neighbour's exploit attempt kills RPCSS 95 s after the infection: the SCM
  // logs 7031 and reboots the host 60 s later; the next boot logs 6008, 6009, 6005.
  const computer = 'WS-ACCT-07';
  const crash = INFECTION + 95;
  const sysEvent = systemLog([
    ...boot(Date.UTC(2003, 7, 11, 7, 58, 12) / 1000, computer),
    SYSTEM_EVENTS.serviceState(
      Date.UTC(2003, 7, 11, 7, 58, 40) / 1000,
      'Internet Connection Firewall (ICF) / Internet Connection Sharing (ICS)',
      'running',
      computer,
    ),
    SYSTEM_EVENTS.rpcCrash(crash, computer),
    unexpectedShutdown(crash + 132, crash + 60, computer),
    ...boot(crash + 132, computer),
  ]);

  return [
    { path: 'C/WINDOWS/system32/msblast.exe', data: blasterStandIn(), mtime: new Date(INFECTION * 1000) },
    { path: 'C/WINDOWS/system32/config/SysEvent.Evt', data: sysEvent, mtime },
    {
      path: 'C/WINDOWS/system32/TFTP1432',
      data: blasterStandIn().subarray(0, 2048),
      mtime: new Date((INFECTION - 31) * 1000),
    },
    { path: 'C/WINDOWS/pfirewall.log', data: firewall, mtime },
    { path: 'Live/fls-C.body', data: Buffer.from(`${listing.join('\n')}\n`), mtime },
    { path: 'Live/netstat-ano.txt', data: Buffer.from(netstat, 'latin1'), mtime },
    ...infectedHostHives(mtime),
  ];
}

export function cleanHost(): SampleFile[] {
  const mtime = utc('2003-08-13T11:00:00');
  const self = '192.168.1.62';
  const lines: FirewallLine[] = [];
  // Dropped exploit attempts from infected neighbours sweeping the subnet: attacked, not infected.
  const scanners = ['192.168.1.57', '192.168.1.23', '192.168.1.88', '192.168.1.57'];
  scanners.forEach((scanner, index) => {
    lines.push({
      at: INFECTION + 31 + index * 97,
      action: 'DROP',
      protocol: 'TCP',
      src: scanner,
      dst: self,
      srcPort: String(2510 + index * 20),
      dstPort: '135',
      size: 48,
      flags: 'S',
      path: 'RECEIVE',
    });
  });
  lines.push({
    at: INFECTION - 600,
    action: 'OPEN',
    protocol: 'TCP',
    src: self,
    dst: '192.168.1.1',
    srcPort: '1033',
    dstPort: '80',
    size: 48,
    flags: 'S',
    path: 'SEND',
  });
  lines.push({
    at: INFECTION - 590,
    action: 'OPEN',
    protocol: 'UDP',
    src: self,
    dst: '192.168.1.1',
    srcPort: '1034',
    dstPort: '53',
    size: 60,
    path: 'SEND',
  });
  const netstat = [
    '',
    'Active Connections',
    '',
    '  Proto  Local Address          Foreign Address        State           PID',
    '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       884',
    '  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4',
    `  TCP    ${self}:1035        192.168.1.1:80         ESTABLISHED     1720`,
    '  UDP    0.0.0.0:445            *:*                                    4',
    '',
  ].join('\r\n');
  // Ordinary working days: a boot each morning, a clean shutdown (6006) each evening.
  const computer = 'WS-ACCT-02';
  const events: WriterEvent[] = [];
  for (let day = 11; day <= 13; day += 1) {
    events.push(...boot(Date.UTC(2003, 7, day, 7, 55, 3) / 1000, computer));
    if (day < 13)
      events.push(SYSTEM_EVENTS.eventLogStopped(Date.UTC(2003, 7, day, 17, 31, 20) / 1000, computer));
  }
  return [
    { path: 'C/WINDOWS/pfirewall.log', data: firewallLog(lines), mtime },
    { path: 'C/WINDOWS/system32/config/SysEvent.Evt', data: systemLog(events), mtime },
    { path: 'Live/fls-C.body', data: Buffer.from(`${baselineListing(false).join('\n')}\n`), mtime },
    { path: 'Live/netstat-ano.txt', data: Buffer.from(netstat, 'latin1'), mtime },
    ...cleanHostHives(mtime),
  ];
}
