import { describe, expect, it } from 'vitest';
import { BufferReader, FormatError } from '../io/index.js';
import { type EvtxRecord, eventData, openEvtx, systemFields } from './index.js';
import {
  BLASTER_DAY,
  rpcTerminated,
  systemEvent,
  unexpectedShutdown,
  winsClientInstalled,
} from './test-support/events.js';
import { buildEvtx, fixChecksums } from './test-support/evtx-writer.js';
import { v } from './test-support/values.js';

const T1 = BLASTER_DAY + 20n * 3600n * 1_000_000n + 123_456n;
const T2 = T1 + 60_000_000n;
const T3 = T1 + 3_600_000_000n;

function blasterLog(options: Parameters<typeof buildEvtx>[1] = {}): Uint8Array {
  return buildEvtx(
    [
      rpcTerminated(101n, T1),
      winsClientInstalled(102n, T2),
      unexpectedShutdown(103n, T3),
      rpcTerminated(104n, T3),
    ],
    options,
  );
}

async function readAll(bytes: Uint8Array) {
  const log = await openEvtx(new BufferReader(bytes, 'test.evtx'));
  const records: EvtxRecord[] = [];
  for await (const record of log.records()) records.push(record);
  return { log, records };
}

describe('openEvtx on writer-built files', () => {
  it('reads the header and every record with ids, times and System fields', async () => {
    const { log, records } = await readAll(blasterLog());
    expect(log.header).toMatchObject({
      majorVersion: 3,
      minorVersion: 1,
      chunkCount: 1,
      checksumValid: true,
      dirty: false,
    });
    expect(log.errors.count).toBe(0);
    expect(records.map((record) => record.recordId)).toEqual([101, 102, 103, 104]);
    expect(records.map((record) => record.written)).toEqual([T1, T2, T3, T3]);
    expect(records.every((record) => record.chunkIndex === 0 && record.offset >= 4096 + 512)).toBe(true);
    const fields = systemFields(records[0]!.event!);
    expect(fields).toEqual({
      eventId: 7031,
      qualifiers: 49152,
      provider: 'Service Control Manager',
      providerGuid: '{555908D1-A6D7-4695-8E1E-26931D2012F4}',
      eventSourceName: 'Service Control Manager',
      channel: 'System',
      computer: 'VICTIM-XP',
      timeCreated: T1,
      eventRecordId: 101,
      level: 2,
      task: 0,
      opcode: 0,
      keywords: '0x80000000000000',
      version: 0,
      processId: 680,
      threadId: 720,
      userId: undefined,
    });
    expect(systemFields(records[1]!.event!).userId).toBe('S-1-5-18');
  });

  it('keeps Data named __proto__ or constructor as plain own keys (names come from the file)', async () => {
    const crafted = systemEvent({
      recordId: 7n,
      provider: 'Crafted',
      eventId: 1,
      level: 4,
      time: T1,
      channel: 'System',
      computer: 'VICTIM-XP',
      data: [
        { name: '__proto__', value: v.string('first') },
        { name: '__proto__', value: v.string('second') },
        { name: 'constructor', value: v.string('c') },
        { name: 'toString', value: v.u32(5) },
      ],
    });
    const { records } = await readAll(buildEvtx([crafted]));
    const data = eventData(records[0]!.event!) as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual(['first', 'second']);
    expect(JSON.parse(JSON.stringify(data))).toEqual(
      JSON.parse('{"__proto__":["first","second"],"constructor":"c","toString":5}'),
    );
    expect(({} as Record<string, unknown>).first).toBeUndefined();
  });

  it('renders EventData: named Data by name with typed values, unnamed Data as an array', async () => {
    const { records } = await readAll(blasterLog());
    expect(eventData(records[0]!.event!)).toEqual({
      param1: 'Remote Procedure Call (RPC)',
      param2: 1,
      param3: 60000,
      param4: 1,
      param5: 'Reboot the machine',
    });
    expect(eventData(records[1]!.event!)).toMatchObject({
      ServiceName: 'WINS Client',
      StartType: 'auto start',
    });
    // Unnamed Data elements repeat; the optional null third one is rendered as null.
    expect(eventData(records[2]!.event!)).toEqual({
      Data: ['10:14:08 AM', '8/11/2003', null, '5134', 'D3070800'],
    });
  });

  it('keeps the JSON shape documented in the README (attributes, #text, removed optional attributes)', async () => {
    const { records } = await readAll(blasterLog());
    const system = (records[2]!.event!.Event as Record<string, Record<string, unknown>>).System!;
    expect(system.EventID).toEqual({ '#attributes': { Qualifiers: 32768 }, '#text': 6008 });
    // EventLog 6008 has no Guid/EventSourceName: optional substitutions remove the attributes.
    expect(system.Provider).toEqual({ '#attributes': { Name: 'EventLog' } });
    expect(system.Security).toBeNull();
    expect(system.TimeCreated).toEqual({ '#attributes': { SystemTime: '2003-08-11T21:00:00.123456000Z' } });
    expect(JSON.parse(JSON.stringify(records[2]!.event))).toEqual(records[2]!.event);
  });

  it('renders XML text on demand', async () => {
    const { records } = await readAll(blasterLog());
    const xml = records[1]!.xml();
    expect(xml).toContain('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">');
    expect(xml).toContain('<EventID Qualifiers="16384">7045</EventID>');
    expect(xml).toContain('<Data Name="ServiceName">WINS Client</Data>');
    expect(xml).toContain('<Security UserID="S-1-5-18"/>');
    expect(xml).toContain('<TimeCreated SystemTime="2003-08-11T20:01:00.123456000Z"/>');
  });

  it('shares templates across records of a chunk and reads several chunks', async () => {
    const bytes = blasterLog({ recordsPerChunk: 3 });
    const { log, records } = await readAll(bytes);
    expect(log.header.chunkCount).toBe(2);
    expect(records.map((record) => [record.recordId, record.chunkIndex])).toEqual([
      [101, 0],
      [102, 0],
      [103, 0],
      [104, 1],
    ]);
    // Record 104 reuses its chunk's first template: same rendering as 101 apart from ids/times.
    expect(eventData(records[3]!.event!)).toEqual(eventData(records[0]!.event!));
  });

  it('reads chunks beyond the header count (dirty files) unless told not to', async () => {
    const bytes = blasterLog({ recordsPerChunk: 2, headerChunkCount: 1, fileFlags: 1 });
    const { log, records } = await readAll(bytes);
    expect(log.header.dirty).toBe(true);
    expect(records).toHaveLength(4);
    expect(log.stats.chunksBeyondHeader).toBe(1);
    const strict = await openEvtx(new BufferReader(bytes), { headerChunksOnly: true });
    let count = 0;
    for await (const _ of strict.records()) count += 1;
    expect(count).toBe(2);
  });

  it('skips zeroed chunk slots silently', async () => {
    const bytes = blasterLog({ recordsPerChunk: 2 });
    const padded = new Uint8Array(bytes.length + 65536);
    padded.set(bytes.subarray(0, 4096 + 65536), 0);
    padded.set(bytes.subarray(4096 + 65536), 4096 + 2 * 65536); // chunk 1 zeroed, chunk 2 holds the rest
    const { log, records } = await readAll(padded);
    expect(records.map((record) => record.recordId)).toEqual([101, 102, 103, 104]);
    expect(log.stats.chunksSkipped).toBe(1);
    expect(log.errors.count).toBe(0);
  });

  it('reports bad CRCs (file header, chunk header, records) as errors and still parses', async () => {
    const bytes = blasterLog();
    const view = new DataView(bytes.buffer);
    view.setUint32(124, view.getUint32(124, true) ^ 1, true); // file header CRC
    view.setUint32(4096 + 124, view.getUint32(4096 + 124, true) ^ 1, true); // chunk header CRC
    view.setUint32(4096 + 52, view.getUint32(4096 + 52, true) ^ 1, true); // records CRC
    const { log, records } = await readAll(bytes);
    expect(records).toHaveLength(4);
    expect(log.header.checksumValid).toBe(false);
    expect(log.errors.list.map((error) => [error.structure, error.offset])).toEqual([
      ['file header', 124],
      ['chunk header', 4096 + 124],
      ['chunk header', 4096 + 52],
    ]);
    expect(log.errors.list.every((error) => error instanceof FormatError && error.format === 'evtx')).toBe(
      true,
    );
  });

  it('parses a chunk with a damaged signature, reporting it', async () => {
    const bytes = blasterLog();
    bytes[4096] = 0x58; // 'X'
    fixChecksums(bytes);
    const { log, records } = await readAll(bytes);
    expect(records).toHaveLength(4);
    expect(log.errors.list.map((error) => error.reason)).toContain('signature is not "ElfChnk\\0"');
  });

  it('throws FormatError only for a file that is not EVTX', async () => {
    await expect(openEvtx(new BufferReader(new Uint8Array(4096)))).rejects.toBeInstanceOf(FormatError);
    await expect(openEvtx(new BufferReader(new Uint8Array(10)))).rejects.toBeInstanceOf(FormatError);
  });

  it('recovers from a damaged record and continues with the next one', async () => {
    const bytes = blasterLog();
    const { records } = await readAll(bytes);
    const second = records[1]!.offset;
    bytes[second] = 0; // record signature
    fixChecksums(bytes);
    const again = await readAll(bytes);
    expect(again.records.map((record) => record.recordId)).toEqual([101, 103, 104]);
    expect(again.log.errors.list[0]).toMatchObject({ structure: 'event record', offset: second });
  });

  it('keeps going when one record has broken binary XML (record yielded with its error)', async () => {
    const bytes = blasterLog();
    const { records } = await readAll(bytes);
    const target = records[3]!.offset + 24 + 4; // template instance token of record 104
    expect(bytes[target]).toBe(0x0c);
    bytes[target] = 0x3f; // unknown token
    fixChecksums(bytes);
    const again = await readAll(bytes);
    expect(again.records).toHaveLength(4);
    expect(again.records[3]!.event).toBeNull();
    expect(again.records[3]!.error).toMatchObject({
      format: 'evtx',
      structure: 'event record',
      offset: target,
    });
    expect(again.records[2]!.event).not.toBeNull();
  });

  it('caps the error list but counts every error', async () => {
    const bytes = blasterLog();
    bytes[0x7c] = bytes[0x7c]! ^ 0xff;
    bytes[4096 + 124] = bytes[4096 + 124]! ^ 0xff;
    const log = await openEvtx(new BufferReader(bytes), { maxErrors: 1 });
    for await (const _ of log.records()) {
      // drain
    }
    expect(log.errors.count).toBe(2);
    expect(log.errors.list).toHaveLength(1);
  });
});
