/**
 * Test-only builders of real-format event logs with the events the triage rules look for, on
 * top of the parsers' own writers (parsers/evt/test-support, parsers/evtx/test-support). Used by
 * the normalization, rule, Sigma and scan tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildEvtLog,
  SYSTEM_EVENTS,
  type WriterEvent,
} from '../../../parsers/evt/test-support/evt-writer.js';
import {
  rpcTerminated,
  systemEvent,
  unexpectedShutdown,
  winsClientInstalled,
} from '../../../parsers/evtx/test-support/events.js';
import { buildEvtx, type WRecord } from '../../../parsers/evtx/test-support/evtx-writer.js';
import { v } from '../../../parsers/evtx/test-support/values.js';
import type { FormatErrorRecord } from '../../../parsers/io/index.js';
import { openEvidence } from '../../evidence/open-evidence.js';
import type { ArtifactType } from '../../locate/artifacts.js';
import type { EventRecord } from '../../model/records.js';
import type { ArtifactContext } from '../context.js';
import { readEvtArtifact, readEvtxArtifact } from '../events.js';

/** 2003-08-12 05:01:52 UTC (the sample host's infection time), Unix seconds. */
export const T0 = Date.UTC(2003, 7, 12, 5, 1, 52) / 1000;

/** Events the evt writer does not have: SCM 7045 (Vista+ in reality) and crash reports. */
export const MORE_EVT_EVENTS = {
  serviceInstalled: (
    time: number,
    name: string,
    image: string,
    start = 'auto start',
    computer = 'WKS-XP',
  ): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x40001b85,
    eventType: 0x0004,
    sourceName: 'Service Control Manager',
    computerName: computer,
    userSid: 'S-1-5-18',
    strings: [name, image, 'user mode service', start, 'LocalSystem'],
  }),
  /** XP Application Error 1000 (five strings). */
  applicationError: (
    time: number,
    app: string,
    module: string,
    address = '00017c3d',
    computer = 'WKS-XP',
  ): WriterEvent => ({
    timeGenerated: time,
    eventId: 1000,
    eventType: 0x0001,
    category: 100,
    sourceName: 'Application Error',
    computerName: computer,
    strings: [app, '5.1.2600.0', module, '5.1.2600.1106', address],
  }),
  /** Windows 2000 Dr. Watson 4097 (the full path of the crashed program). */
  drWatson: (time: number, path: string, computer = 'WKS-2000'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x40001001,
    eventType: 0x0004,
    sourceName: 'DrWatson',
    computerName: computer,
    strings: [path, '8/12/2003', '05:10:11.123', 'c0000005', '7c59bdd3', '<nosymbols>'],
  }),
  tcpipLimit: (time: number, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x80001082,
    eventType: 0x0002,
    sourceName: 'Tcpip',
    computerName: computer,
    strings: [],
  }),
};

/** A Blaster-day System log: RPC crash with reboot, shutdown, boot banner, Welchia's services. */
export function blasterSystemEvt(computer = 'WKS-XP'): Uint8Array {
  const events: WriterEvent[] = [
    SYSTEM_EVENTS.eventLogStarted(T0 - 86_400, computer),
    SYSTEM_EVENTS.osBanner(T0 - 86_400, computer),
    SYSTEM_EVENTS.rpcCrash(T0, computer),
    SYSTEM_EVENTS.eventLogStopped(T0 + 58, computer),
    SYSTEM_EVENTS.unexpectedShutdown(T0 + 120, computer),
    SYSTEM_EVENTS.osBanner(T0 + 120, computer),
    SYSTEM_EVENTS.eventLogStarted(T0 + 120, computer),
    MORE_EVT_EVENTS.serviceInstalled(
      T0 + 300,
      'RpcPatch',
      '%System%\\wins\\dllhost.exe',
      'auto start',
      computer,
    ),
    SYSTEM_EVENTS.serviceControl(T0 + 301, 'WINS Client', 'start', computer),
    SYSTEM_EVENTS.serviceState(T0 + 302, 'WINS Client', 'running', computer),
    SYSTEM_EVENTS.serviceState(T0 + 303, 'Network Connections Sharing', 'running', computer),
  ];
  return buildEvtLog({ fileSize: 0x10000, events }).bytes;
}

const SCM = {
  provider: 'Service Control Manager',
  providerGuid: '{555908D1-A6D7-4695-8E1E-26931D2012F4}',
  eventSourceName: 'Service Control Manager',
  channel: 'System',
};

export const MORE_EVTX_EVENTS = {
  serviceState: (
    recordId: bigint,
    time: bigint,
    name: string,
    state: string,
    computer = 'VICTIM-XP',
  ): WRecord =>
    systemEvent({
      ...SCM,
      recordId,
      eventId: 7036,
      qualifiers: 16384,
      level: 4,
      time,
      computer,
      data: [
        { name: 'param1', value: v.string(name) },
        { name: 'param2', value: v.string(state) },
      ],
    }),
  eventLogStarted: (recordId: bigint, time: bigint, computer = 'VICTIM-XP'): WRecord =>
    systemEvent({
      provider: 'EventLog',
      recordId,
      eventId: 6005,
      qualifiers: 32768,
      level: 4,
      time,
      channel: 'System',
      computer,
      data: [],
    }),
  /** Vista+ Application Error 1000: unnamed Data, path of the program as the 11th value. */
  applicationError: (recordId: bigint, time: bigint, path: string, computer = 'VICTIM-XP'): WRecord =>
    systemEvent({
      provider: 'Application Error',
      recordId,
      eventId: 1000,
      qualifiers: 0,
      level: 2,
      time,
      channel: 'Application',
      computer,
      data: [
        path.slice(path.lastIndexOf('\\') + 1),
        '6.1.7600.16385',
        '4a5bc3c1',
        'unknown',
        '0.0.0.0',
        '00000000',
        'c0000005',
        '00000000',
        '3c8',
        '01d0a1b2c3d4e5f6',
        path,
        'unknown',
        'a1b2c3d4-0000-1111-2222-333344445555',
      ].map((value) => ({ value: v.string(value) })),
    }),
};

/** µs of a Unix-seconds time. */
export const micros = (seconds: number): bigint => BigInt(seconds) * 1_000_000n;

/** The same story as an EVTX System log (Vista+ shapes). */
export function blasterSystemEvtx(computer = 'VICTIM-XP'): Uint8Array {
  return buildEvtx([
    MORE_EVTX_EVENTS.eventLogStarted(1n, micros(T0 - 86_400), computer),
    rpcTerminated(2n, micros(T0), computer),
    unexpectedShutdown(3n, micros(T0 + 120), computer),
    MORE_EVTX_EVENTS.eventLogStarted(4n, micros(T0 + 120), computer),
    winsClientInstalled(5n, micros(T0 + 300), computer),
    MORE_EVTX_EVENTS.serviceState(6n, micros(T0 + 302), 'WINS Client', 'running', computer),
  ]);
}

export interface ReadResult {
  records: EventRecord[];
  errors: FormatErrorRecord[];
  /** Errors the parser counted past its cap but did not keep. */
  unkept: number;
}

/** Runs the artifact reader on bytes written to a temp folder (a real directory evidence source). */
export async function readLog(
  bytes: Uint8Array,
  name: string,
  type: ArtifactType = 'evt',
): Promise<ReadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bt-events-'));
  try {
    writeFileSync(join(dir, name), bytes);
    const source = await openEvidence(dir);
    const errors: FormatErrorRecord[] = [];
    const records: EventRecord[] = [];
    let unkept = 0;
    try {
      const context: ArtifactContext = {
        source,
        artifact: { type, sourcePath: name, size: bytes.length },
        host: 'HOST-1',
        reportError: (error) => errors.push(error),
        countUnkeptErrors: (count) => {
          unkept += count;
        },
      };
      const reader = type === 'evt' ? readEvtArtifact : readEvtxArtifact;
      for await (const record of reader(context)) records.push(record);
    } finally {
      await source.close();
    }
    return { records, errors, unkept };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
