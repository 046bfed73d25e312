/**
 * Windows-shaped System events for tests, built on the writer: the classic Event/System/
 * EventData template of manifest-based providers, plus the events a Blaster/Welchia triage
 * looks for (Service Control Manager 7031 and 7045, EventLog 6008).
 */
import type { WRecord, WValue, XNode } from './evtx-writer.js';
import { microsToFiletime, v } from './values.js';

export interface SystemEventSpec {
  recordId: bigint;
  provider: string;
  providerGuid?: string;
  eventSourceName?: string;
  eventId: number;
  qualifiers?: number;
  level: number;
  task?: number;
  keywords?: bigint;
  /** Microseconds since 1970 UTC. */
  time: bigint;
  channel: string;
  computer: string;
  userId?: string;
  processId?: number;
  threadId?: number;
  /** Named Data (Name="...") or unnamed (name undefined). */
  data: Array<{ name?: string; value: WValue }>;
}

const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

const sub = (index: number, type: number, optional = false): XNode => ({ sub: index, type, optional });

/** The template: System substitutions 0-15, EventData values from 16. */
export function systemTemplate(dataNames: Array<string | undefined>, dataTypes: number[]): XNode {
  const element = (name: string, children: XNode[] = [], attributes: Array<[string, XNode]> = []): XNode => ({
    element: name,
    attributes: attributes.map(([attribute, value]) => ({ name: attribute, value: [value] })),
    children,
  });
  return element(
    'Event',
    [
      element('System', [
        element(
          'Provider',
          [],
          [
            ['Name', sub(0, 0x01, true)],
            ['Guid', sub(1, 0x0f, true)],
            ['EventSourceName', sub(2, 0x01, true)],
          ],
        ),
        element('EventID', [sub(4, 0x06)], [['Qualifiers', sub(3, 0x06, true)]]),
        element('Version', [sub(5, 0x04, true)]),
        element('Level', [sub(6, 0x04)]),
        element('Task', [sub(7, 0x06)]),
        element('Opcode', [sub(8, 0x04, true)]),
        element('Keywords', [sub(9, 0x15)]),
        element('TimeCreated', [], [['SystemTime', sub(10, 0x11, true)]]),
        element('EventRecordID', [sub(11, 0x0a)]),
        element('Correlation'),
        element(
          'Execution',
          [],
          [
            ['ProcessID', sub(12, 0x08)],
            ['ThreadID', sub(13, 0x08)],
          ],
        ),
        element('Channel', [sub(14, 0x01)]),
        element('Computer', [sub(15, 0x01)]),
        element('Security', [], [['UserID', sub(16, 0x13, true)]]),
      ]),
      element(
        'EventData',
        dataNames.map((name, index) =>
          name === undefined
            ? element('Data', [sub(17 + index, dataTypes[index] ?? 0x01, true)])
            : element('Data', [sub(17 + index, dataTypes[index] ?? 0x01, true)], [['Name', { text: name }]]),
        ),
      ),
    ],
    [['xmlns', { text: EVENT_NS }]],
  );
}

export function systemEvent(spec: SystemEventSpec): WRecord {
  const values: WValue[] = [
    v.string(spec.provider),
    spec.providerGuid === undefined ? v.null() : v.guid(spec.providerGuid),
    spec.eventSourceName === undefined ? v.null() : v.string(spec.eventSourceName),
    spec.qualifiers === undefined ? v.null() : v.u16(spec.qualifiers),
    v.u16(spec.eventId),
    v.u8(0),
    v.u8(spec.level),
    v.u16(spec.task ?? 0),
    v.u8(0),
    v.hex64(spec.keywords ?? 0x80000000000000n),
    v.filetime(microsToFiletime(spec.time)),
    v.u64(spec.recordId),
    v.u32(spec.processId ?? 0),
    v.u32(spec.threadId ?? 0),
    v.string(spec.channel),
    v.string(spec.computer),
    spec.userId === undefined ? v.null() : v.sid(spec.userId),
    ...spec.data.map((item) => item.value),
  ];
  return {
    recordId: spec.recordId,
    written: microsToFiletime(spec.time),
    fragment: {
      template: systemTemplate(
        spec.data.map((item) => item.name),
        spec.data.map((item) => item.value.type),
      ),
      values,
    },
  };
}

const SCM = {
  provider: 'Service Control Manager',
  providerGuid: '{555908D1-A6D7-4695-8E1E-26931D2012F4}',
  eventSourceName: 'Service Control Manager',
  channel: 'System',
};

/** 2003-08-11 (the day Blaster spread), as microseconds. */
export const BLASTER_DAY = 1_060_560_000_000_000n;

/** SCM 7031: "The Remote Procedure Call (RPC) service terminated unexpectedly" (Blaster's crash). */
export function rpcTerminated(recordId: bigint, time: bigint, computer = 'VICTIM-XP'): WRecord {
  return systemEvent({
    ...SCM,
    recordId,
    eventId: 7031,
    qualifiers: 49152,
    level: 2,
    time,
    computer,
    processId: 680,
    threadId: 720,
    data: [
      { name: 'param1', value: v.string('Remote Procedure Call (RPC)') },
      { name: 'param2', value: v.u32(1) },
      { name: 'param3', value: v.u32(60000) },
      { name: 'param4', value: v.u32(1) },
      { name: 'param5', value: v.string('Reboot the machine') },
    ],
  });
}

/** SCM 7045: a service was installed (Welchia's "WINS Client"). */
export function winsClientInstalled(recordId: bigint, time: bigint, computer = 'VICTIM-XP'): WRecord {
  return systemEvent({
    ...SCM,
    recordId,
    eventId: 7045,
    qualifiers: 16384,
    level: 4,
    time,
    computer,
    userId: 'S-1-5-18',
    data: [
      { name: 'ServiceName', value: v.string('WINS Client') },
      { name: 'ImagePath', value: v.string('C:\\WINDOWS\\system32\\wins\\dllhost.exe') },
      { name: 'ServiceType', value: v.string('user mode service') },
      { name: 'StartType', value: v.string('auto start') },
      { name: 'AccountName', value: v.string('LocalSystem') },
    ],
  });
}

/** EventLog 6008: "The previous system shutdown ... was unexpected" (unnamed Data, classic source). */
export function unexpectedShutdown(recordId: bigint, time: bigint, computer = 'VICTIM-XP'): WRecord {
  return systemEvent({
    provider: 'EventLog',
    recordId,
    eventId: 6008,
    qualifiers: 32768,
    level: 2,
    time,
    channel: 'System',
    computer,
    data: [
      { value: v.string('10:14:08 AM') },
      { value: v.string('8/11/2003') },
      { value: v.null() },
      { value: v.string('5134') },
      { value: v.binary([0xd3, 0x07, 0x08, 0x00]) },
    ],
  });
}
