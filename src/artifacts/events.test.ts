/**
 * Event normalization: writer-built .evt and .evtx System logs with the triage events become the
 * same EventRecords; recovered records, parser errors with the file name, message templates; the
 * corpus SysEvent.Evt and System.evtx (skipped when the corpus is absent).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openEvt } from '../../parsers/evt/index.js';
import { blasterDay, buildEvtLog, SYSTEM_EVENTS } from '../../parsers/evt/test-support/evt-writer.js';
import { openEvtx } from '../../parsers/evtx/index.js';
import { systemEvent } from '../../parsers/evtx/test-support/events.js';
import { buildEvtx } from '../../parsers/evtx/test-support/evtx-writer.js';
import { v } from '../../parsers/evtx/test-support/values.js';
import { BufferReader } from '../../parsers/io/index.js';
import { openCorpusFile, skipUnlessCorpus } from '../../parsers/io/test-support/corpus.js';
import type { EventRecord } from '../model/records.js';
import { toPlain } from '../report/plain.js';
import { findTemplate, renderMessage } from './event-messages.js';
import { channelFromFileName, evtxLevelName } from './events.js';
import {
  blasterSystemEvt,
  blasterSystemEvtx,
  MORE_EVT_EVENTS,
  MORE_EVTX_EVENTS,
  micros,
  readLog,
  T0,
} from './test-support/event-logs.js';

const sysEvent = 'evt/log2timeline_plaso__SysEvent.Evt.gz';
const systemEvtx = 'evtx/log2timeline_plaso__System.evtx.gz';
const corpus = skipUnlessCorpus('corpus event tests', sysEvent, systemEvtx);

const byId = (records: EventRecord[], id: number): EventRecord[] => records.filter((r) => r.eventId === id);

describe('channel and level names', () => {
  it('legacy log file names give the channel; others keep their base name', () => {
    expect(channelFromFileName('C/WINDOWS/system32/config/SysEvent.Evt')).toBe('System');
    expect(channelFromFileName('config/APPEVENT.EVT')).toBe('Application');
    expect(channelFromFileName('SecEvent.Evt')).toBe('Security');
    expect(channelFromFileName('logs/Internet Explorer.evt')).toBe('Internet Explorer');
    expect(channelFromFileName('x\\DnsEvent.Evt')).toBe('DnsEvent');
    expect(channelFromFileName('Setup.evtx')).toBe('Setup');
  });

  it('EVTX levels 0-5', () => {
    expect([0, 1, 2, 3, 4, 5, 17].map(evtxLevelName)).toEqual([
      'Information',
      'Critical',
      'Error',
      'Warning',
      'Information',
      'Verbose',
      'Level 17',
    ]);
  });
});

describe('message templates', () => {
  it('inserts %1..%n, leaves missing numbers and %% references as written', () => {
    expect(renderMessage('The %1 service entered the %2 state.', ['WINS Client', 'running'])).toBe(
      'The WINS Client service entered the running state.',
    );
    expect(renderMessage('%1 and %3', ['a'])).toBe('a and %3');
    expect(renderMessage('%%1833 then %1', ['x'])).toBe('%%1833 then x');
    expect(
      renderMessage(
        '%10/%1',
        Array.from({ length: 10 }, (_, i) => `s${i + 1}`),
      ),
    ).toBe('s10/s1');
  });

  it('picks the XP or the Vista shape of the same ID by the number of strings', () => {
    expect(findTemplate(['Application Error'], 1000, 5)?.names[4]).toBe('FaultAddress');
    expect(findTemplate(['Application Error'], 1000, 13)?.names[10]).toBe('AppPath');
    expect(findTemplate(['USER32'], 1074, 6)?.names).toHaveLength(6);
    expect(findTemplate(['User32'], 1074, 7)?.names[6]).toBe('User');
    expect(findTemplate(['Microsoft-Windows-DistributedCOM', 'DCOM'], 10010, 1)?.names).toEqual(['Server']);
    expect(findTemplate(['Service Control Manager'], 9999, 0)).toBeUndefined();
  });
});

describe('.evt System log (writer-built)', async () => {
  const { records, errors } = await readLog(blasterSystemEvt(), 'SysEvent.Evt', 'evt');

  it('reads every record without errors, in order, as System events', () => {
    expect(errors).toEqual([]);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const r of records) {
      expect(r).toMatchObject({ kind: 'event', host: 'HOST-1', artifact: 'evt', sourceFile: 'SysEvent.Evt' });
      expect(r.channel).toBe('System');
      expect(r.computer).toBe('WKS-XP');
      expect(r.recovered).toBeUndefined();
    }
  });

  it('7031 RPC crash with the reboot action: plain ID, qualifiers, level, named fields, message', () => {
    const [crash] = byId(records, 7031);
    expect(crash).toMatchObject({
      provider: 'Service Control Manager',
      eventId: 7031,
      qualifiers: 0xc000,
      level: 'Error',
      time: micros(T0),
      strings: ['Remote Procedure Call (RPC)', '1', '60000', '2', 'Reboot the machine'],
      fields: {
        param1: 'Remote Procedure Call (RPC)',
        ServiceName: 'Remote Procedure Call (RPC)',
        FailureCount: '1',
        ActionDelayMs: '60000',
        ActionType: '2',
        Action: 'Reboot the machine',
        param5: 'Reboot the machine',
      },
      message:
        'The Remote Procedure Call (RPC) service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 60000 milliseconds: Reboot the machine.',
    });
    expect(crash?.sourceOffset).toBeGreaterThanOrEqual(0x30);
  });

  it('6005 / 6006 / 6008 / 6009 bracket the reboot', () => {
    expect(byId(records, 6005).map((r) => r.message)).toEqual([
      'The Event log service was started.',
      'The Event log service was started.',
    ]);
    expect(byId(records, 6006)[0]).toMatchObject({
      level: 'Information',
      message: 'The Event log service was stopped.',
    });
    expect(byId(records, 6008)[0]).toMatchObject({
      level: 'Error',
      time: micros(T0 + 120),
      fields: { ShutdownTime: '8:13:03 PM', ShutdownDate: '8/11/2003' },
      message: 'The previous system shutdown at 8:13:03 PM on 8/11/2003 was unexpected.',
    });
    expect(byId(records, 6009)[0]?.message).toBe(
      'Microsoft (R) Windows (R) 5.01. 2600 Service Pack 1 Uniprocessor Free.',
    );
  });

  it('7035 / 7036 name Welchia services; 7045 installs RpcPatch with a \\wins\\ image', () => {
    expect(byId(records, 7035)[0]).toMatchObject({
      userSid: 'S-1-5-18',
      fields: { ServiceName: 'WINS Client', Control: 'start' },
      message: 'The WINS Client service was successfully sent a start control.',
    });
    expect(byId(records, 7036).map((r) => r.message)).toEqual([
      'The WINS Client service entered the running state.',
      'The Network Connections Sharing service entered the running state.',
    ]);
    expect(byId(records, 7045)[0]).toMatchObject({
      level: 'Information',
      fields: { ServiceName: 'RpcPatch', ImagePath: '%System%\\wins\\dllhost.exe', StartType: 'auto start' },
    });
    expect(byId(records, 7045)[0]?.message).toContain('Service File Name:  %System%\\wins\\dllhost.exe');
  });

  it('crash reports and events without a template', async () => {
    const bytes = buildEvtLog({
      fileSize: 0x4000,
      events: [
        MORE_EVT_EVENTS.applicationError(T0, 'msblast.exe', 'msvcrt.dll'),
        MORE_EVT_EVENTS.drWatson(T0 + 1, 'C:\\WINNT\\system32\\svchost.exe'),
        MORE_EVT_EVENTS.tcpipLimit(T0 + 2),
        { ...SYSTEM_EVENTS.serviceState(T0 + 3, 'x', 'y'), sourceName: 'SomeDriver', eventId: 42 },
      ],
    }).bytes;
    const { records: crashes } = await readLog(bytes, 'AppEvent.Evt', 'evt');
    expect(crashes.map((r) => r.channel)).toEqual([
      'Application',
      'Application',
      'Application',
      'Application',
    ]);
    expect(crashes[0]).toMatchObject({
      provider: 'Application Error',
      eventId: 1000,
      fields: { AppName: 'msblast.exe', ModuleName: 'msvcrt.dll', FaultAddress: '00017c3d' },
      message:
        'Faulting application msblast.exe, version 5.1.2600.0, faulting module msvcrt.dll, version 5.1.2600.1106, fault address 0x00017c3d.',
    });
    expect(crashes[1]).toMatchObject({
      provider: 'DrWatson',
      eventId: 4097,
      fields: { AppPath: 'C:\\WINNT\\system32\\svchost.exe', ExceptionCode: 'c0000005' },
    });
    expect(crashes[1]?.message).toMatch(
      /^The application, C:\\WINNT\\system32\\svchost\.exe, generated an application error/,
    );
    expect(crashes[2]).toMatchObject({ provider: 'Tcpip', eventId: 4226, level: 'Warning', message: '' });
    expect(crashes[3]).toMatchObject({ eventId: 42, message: 'x; y', fields: { param1: 'x', param2: 'y' } });
  });

  it('records recovered from slack keep recovered: true', async () => {
    const built = buildEvtLog({ fileSize: 0x2000, freeExtra: 0x300, events: blasterDay(T0, 40) });
    expect(built.slack.length).toBeGreaterThan(0);
    const { records: all, errors: problems } = await readLog(built.bytes, 'SysEvent.Evt', 'evt');
    expect(problems).toEqual([]);
    const recovered = all.filter((r) => r.recovered === true);
    expect(recovered.map((r) => r.recordId).sort((a, b) => a - b)).toEqual(
      built.slack.map((r) => r.recordNumber).sort((a, b) => a - b),
    );
    expect(all.filter((r) => r.recovered === undefined)).toHaveLength(built.live.length);
  });

  it('reports damage with the file name and goes on', async () => {
    const bytes = blasterSystemEvt();
    const offset = records[2]!.sourceOffset!;
    bytes.set([0x58, 0x58, 0x58, 0x58], offset + 4); // the 7031 record's LfLe signature
    const damaged = await readLog(bytes, 'SysEvent.Evt', 'evt');
    expect(damaged.errors.length).toBeGreaterThan(0);
    expect(damaged.errors[0]).toMatchObject({ format: 'evt', file: 'SysEvent.Evt' });
    expect(damaged.records.map((r) => r.eventId)).not.toContain(7031);
    expect(damaged.records.map((r) => r.recordId)).toContain(11);
  });
});

describe('.evtx System log (writer-built)', async () => {
  const { records, errors } = await readLog(blasterSystemEvtx(), 'System.evtx', 'evtx');

  it('normalizes the same story with the same fields', () => {
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.recordId, r.eventId, r.channel, r.artifact])).toEqual([
      [1, 6005, 'System', 'evtx'],
      [2, 7031, 'System', 'evtx'],
      [3, 6008, 'System', 'evtx'],
      [4, 6005, 'System', 'evtx'],
      [5, 7045, 'System', 'evtx'],
      [6, 7036, 'System', 'evtx'],
    ]);
    expect(byId(records, 7031)[0]).toMatchObject({
      provider: 'Service Control Manager',
      qualifiers: 49152,
      level: 'Error',
      computer: 'VICTIM-XP',
      time: micros(T0),
      fields: {
        param1: 'Remote Procedure Call (RPC)',
        ServiceName: 'Remote Procedure Call (RPC)',
        Action: 'Reboot the machine',
      },
      message:
        'The Remote Procedure Call (RPC) service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 60000 milliseconds: Reboot the machine.',
    });
    expect(byId(records, 6008)[0]).toMatchObject({
      strings: ['10:14:08 AM', '8/11/2003', '', '5134', 'D3070800'],
      fields: { param1: '10:14:08 AM', param4: '5134', ShutdownDate: '8/11/2003' },
      message: 'The previous system shutdown at 10:14:08 AM on 8/11/2003 was unexpected.',
    });
    const install = byId(records, 7045)[0]!;
    expect(install.userSid).toBe('S-1-5-18');
    expect(install.fields).toEqual({
      ServiceName: 'WINS Client',
      ImagePath: 'C:\\WINDOWS\\system32\\wins\\dllhost.exe',
      ServiceType: 'user mode service',
      StartType: 'auto start',
      AccountName: 'LocalSystem',
    });
    expect(byId(records, 7036)[0]?.message).toBe('The WINS Client service entered the running state.');
  });

  it('the .evt and .evtx 7031 differ only in provenance and the writer-chosen values', async () => {
    const evt = byId((await readLog(blasterSystemEvt(), 'SysEvent.Evt', 'evt')).records, 7031)[0]!;
    const evtx = byId(records, 7031)[0]!;
    expect(Object.keys(evtx.fields).sort()).toEqual(Object.keys(evt.fields).sort());
    expect(evtx.message.replace('1 time', 'N time')).toBe(evt.message.replace('1 time', 'N time'));
  });

  it('Vista Application Error 1000: unnamed Data become param1.. and the known names', async () => {
    const bytes = buildEvtx([
      MORE_EVTX_EVENTS.applicationError(7n, micros(T0), 'C:\\WINDOWS\\system32\\wins\\dllhost.exe'),
    ]);
    const [crash] = (await readLog(bytes, 'Application.evtx', 'evtx')).records;
    expect(crash).toMatchObject({
      channel: 'Application',
      eventId: 1000,
      fields: {
        param1: 'dllhost.exe',
        AppName: 'dllhost.exe',
        param11: 'C:\\WINDOWS\\system32\\wins\\dllhost.exe',
        AppPath: 'C:\\WINDOWS\\system32\\wins\\dllhost.exe',
      },
    });
    expect(crash?.message).toMatch(/^Faulting application name: dllhost\.exe, version: 6\.1\.7600\.16385/);
  });

  it('Data names that are Object property names stay fields, through to plain output', async () => {
    const bytes = buildEvtx([
      systemEvent({
        recordId: 9n,
        provider: 'Crafted',
        eventId: 1,
        level: 4,
        time: micros(T0),
        channel: 'System',
        computer: 'VICTIM-XP',
        data: [
          { name: '__proto__', value: v.string('p') },
          { name: 'constructor', value: v.string('c') },
          { name: 'toString', value: v.string('t') },
        ],
      }),
    ]);
    const [event] = (await readLog(bytes, 'System.evtx', 'evtx')).records;
    expect(Object.entries(event!.fields)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['toString', 't'],
    ]);
    const plain = toPlain(event) as { fields: Record<string, string> };
    expect(Object.entries(plain.fields)).toEqual(Object.entries(event!.fields));
    expect(JSON.stringify(plain.fields)).toBe('{"__proto__":"p","constructor":"c","toString":"t"}');
  });

  it('reports damage with the file name', async () => {
    const bytes = blasterSystemEvtx();
    bytes[124] = (bytes[124]! ^ 0xff) & 0xff; // file header CRC
    const damaged = await readLog(bytes, 'System.evtx', 'evtx');
    expect(damaged.errors.length).toBeGreaterThan(0);
    expect(damaged.errors[0]).toMatchObject({ format: 'evtx', file: 'System.evtx' });
    expect(damaged.records).toHaveLength(6);
  });
});

describe('hostile logs', () => {
  /** xorshift32: the same mutations on every run. */
  const random = (seed: number) => {
    let state = seed;
    return () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x100000000;
    };
  };

  it.each([
    ['evt', 'SysEvent.Evt', blasterSystemEvt()],
    ['evtx', 'System.evtx', blasterSystemEvtx()],
  ] as const)(
    'mutated %s logs: records or typed errors, never a crash',
    async (type, name, original) => {
      const next = random(0x5eed + original.length);
      for (let round = 0; round < 40; round += 1) {
        const bytes = Uint8Array.from(original);
        const flips = 1 + Math.floor(next() * 16);
        for (let i = 0; i < flips; i += 1) {
          // Keep the signature most of the time so the reader gets past the open.
          const at = 8 + Math.floor(next() * (bytes.length - 8));
          bytes[at] = Math.floor(next() * 256);
        }
        const cut = round % 5 === 4 ? Math.floor(next() * bytes.length) : bytes.length;
        try {
          const { records, errors } = await readLog(bytes.subarray(0, cut), name, type);
          for (const record of records) {
            expect(typeof record.message).toBe('string');
            expect(typeof record.time).toBe('bigint');
            expect(record.eventId).toBeLessThanOrEqual(0xffff);
          }
          for (const error of errors) expect(error.file).toBe(name);
        } catch (error) {
          // Only an unusable file (no header) may throw, and then a FormatError.
          expect((error as Error).name).toBe('FormatError');
        }
      }
    },
    30_000,
  );
});

describe.skipIf(corpus.skip)('corpus logs', () => {
  it('SysEvent.Evt (XP): every record normalized, as many as the parser gives', async () => {
    const bytes = readFileSync(await openCorpusFile(sysEvent));
    const { records, errors } = await readLog(bytes, 'SysEvent.Evt', 'evt');
    const log = await openEvt(new BufferReader(bytes, 'SysEvent.Evt'));
    let parsed = 0;
    for await (const _record of log.records()) parsed += 1;
    expect(records).toHaveLength(parsed);
    expect(errors).toEqual([]);
    expect(records.length).toBe(6320);
    expect(records.filter((r) => r.recovered).length).toBe(257);
    expect(new Set(records.map((r) => r.channel))).toEqual(new Set(['System']));
    const crash = byId(records, 7031)[0]!;
    expect(crash.message).toBe(
      'The McAfee McShield service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 5000 milliseconds: Restart the service.',
    );
    expect(crash.fields.ActionType).toBe('1');
    const reboot = byId(records, 1074)[0]!;
    expect(reboot.fields).toMatchObject({ Process: 'winlogon.exe', ShutdownType: 'reboot' });
    expect(byId(records, 7036).every((r) => /^The .+ service entered the .+ state\.$/.test(r.message))).toBe(
      true,
    );
    expect(records.every((r) => r.eventId >= 0 && r.eventId <= 0xffff)).toBe(true);
  });

  it('System.evtx (Windows 7/2008 R2): every readable record normalized', async () => {
    const bytes = readFileSync(await openCorpusFile(systemEvtx));
    const { records, errors } = await readLog(bytes, 'System.evtx', 'evtx');
    expect(errors).toEqual([]);
    expect(records).toHaveLength(5009);
    expect(new Set(records.map((r) => r.channel))).toEqual(new Set(['System']));
    const stopped = byId(records, 7036).find((r) => r.fields.param1 === 'Windows Event Log')!;
    expect(stopped.message).toBe('The Windows Event Log service entered the stopped state.');
    expect(stopped.fields.Binary).toMatch(/^[0-9A-F]+$/);
    expect(stopped.strings).toEqual(['Windows Event Log', 'stopped']);
    const install = byId(records, 7045)[0]!;
    expect(install.fields).toMatchObject({
      ServiceName: 'Intel(R) PRO/1000 NDIS 6 Adapter Driver',
      StartType: 'demand start',
    });
    const restart = byId(records, 1074)[0]!;
    expect(restart.fields.User).toBe('NT AUTHORITY\\SYSTEM');
    expect(restart.message).toContain('on behalf of user NT AUTHORITY\\SYSTEM');
    expect(records.every((r) => r.time > 1_200_000_000_000_000n)).toBe(true);
  });
});

// The evtx parser agrees on the record count of the writer file (no record dropped by normalization).
it('normalization keeps every readable evtx record', async () => {
  const bytes = blasterSystemEvtx();
  const log = await openEvtx(new BufferReader(bytes, 'System.evtx'));
  let count = 0;
  for await (const record of log.records()) if (record.event !== null) count += 1;
  expect((await readLog(bytes, 'System.evtx', 'evtx')).records).toHaveLength(count);
});
