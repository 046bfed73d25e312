import { describe, expect, it } from 'vitest';
import { BufferReader, FormatError } from '../io/index.js';
import { type EvtRecord, openEvt } from './index.js';
import {
  blasterDay,
  buildEvtLog,
  encodeRecord,
  SYSTEM_EVENTS,
  type WrittenRecord,
} from './test-support/evt-writer.js';

const AUG_11_2003 = 1_060_632_783; // 2003-08-11T20:13:03Z

async function readAll(bytes: Uint8Array, options = {}) {
  const log = await openEvt(new BufferReader(bytes, 'test.evt'), options);
  const records: EvtRecord[] = [];
  for await (const record of log.records()) records.push(record);
  return { log, records };
}

const numbers = (records: { recordNumber: number }[]): number[] =>
  records.map((record) => record.recordNumber);

describe('openEvt on a log that has not wrapped', () => {
  it('reads every record with its fields split out', async () => {
    const built = buildEvtLog({ fileSize: 0x10000, events: blasterDay(AUG_11_2003, 3) });
    const { log, records } = await readAll(built.bytes);
    expect(log.header).toMatchObject({
      majorVersion: 1,
      minorVersion: 1,
      dirty: false,
      wrapped: false,
      currentRecordNumber: 28,
    });
    expect(log.layout).toMatchObject({
      source: 'header',
      headerOutOfDate: false,
      wrapped: false,
      startOffset: 0x30,
    });
    expect(log.errorCount).toBe(0);
    expect(numbers(records)).toEqual(numbers(built.live));
    expect(records.every((record) => !record.recovered)).toBe(true);

    const crash = records[0]!;
    expect(crash).toMatchObject({
      recordNumber: 1,
      offset: 0x30,
      eventId: 0xc0001b77,
      eventCode: 7031,
      qualifiers: 0xc000,
      severity: 'error',
      customer: false,
      facility: 0,
      eventType: 1,
      eventTypeName: 'error',
      category: 0,
      sourceName: 'Service Control Manager',
      computerName: 'WKS-XP',
      strings: ['Remote Procedure Call (RPC)', '1', '60000', '2', 'Reboot the machine'],
      recovered: false,
    });
    expect(crash.timeGenerated).toBe(BigInt(AUG_11_2003) * 1_000_000n);
    expect(crash.userSid).toBeUndefined();
    const shutdown = records.find((record) => record.eventCode === 6008)!;
    expect(shutdown.strings).toEqual(['8:13:03 PM', '8/11/2003', '', '', '', '', '']);
    expect([...shutdown.data.subarray(0, 4)]).toEqual([0xd3, 0x07, 0x08, 0x00]);
    const control = records.find((record) => record.eventCode === 7035)!;
    expect(control).toMatchObject({
      userSid: 'S-1-5-18',
      strings: ['WINS Client', 'start'],
      eventTypeName: 'information',
    });
    expect(records.map((record) => record.eventCode).slice(0, 9)).toEqual([
      7031, 6006, 6008, 6009, 6005, 7035, 7036, 7035, 7036,
    ]);
  });

  it('reads an empty log', async () => {
    const built = buildEvtLog({ fileSize: 0x1000, events: [] });
    const { log, records } = await readAll(built.bytes);
    expect(records).toEqual([]);
    expect(log.layout).toMatchObject({ liveBytes: 0, endOffset: 0x30 });
    expect(log.errorCount).toBe(0);
  });
});

describe('wrapped logs', () => {
  // 0x2000-byte ring: dozens of wraps, records split at the end of the file.
  const built = buildEvtLog({ fileSize: 0x2000, events: blasterDay(AUG_11_2003, 40), freeExtra: 0x300 });

  it('reads live records oldest first across the end of the file', async () => {
    expect(built.wrapped).toBe(true);
    const { log, records } = await readAll(built.bytes);
    expect(log.errorCount).toBe(0);
    expect(log.header.wrapped).toBe(true);
    const live = records.filter((record) => !record.recovered);
    expect(numbers(live)).toEqual(numbers(built.live));
    expect(live.map((record) => record.offset)).toEqual(built.live.map((record) => record.offset));
    const split = built.live.filter((record) => record.offset + record.bytes.length > 0x2000);
    // A record split by the end of the file parses like the others.
    expect(split.length).toBe(1);
    const parsed = live.find((candidate) => candidate.recordNumber === split[0]!.recordNumber)!;
    expect(parsed.size).toBe(split[0]!.bytes.length);
    expect(parsed.sourceName).toMatch(/^(Service Control Manager|EventLog)$/);
    expect(parsed.computerName).toBe('WKS-XP');
  });

  it('recovers whole records from the slack, marked recovered, without duplicating live ones', async () => {
    expect(built.slack.length).toBeGreaterThan(0);
    const { log, records } = await readAll(built.bytes);
    const recovered = records.filter((record) => record.recovered);
    expect(numbers(recovered).sort((a, b) => a - b)).toEqual(numbers(built.slack).sort((a, b) => a - b));
    expect(log.stats.recoveredRecords).toBe(recovered.length);
    const liveNumbers = new Set(numbers(records.filter((record) => !record.recovered)));
    expect(recovered.some((record) => liveNumbers.has(record.recordNumber))).toBe(false);
  });

  it('can skip the live or recovered records', async () => {
    const log = await openEvt(new BufferReader(built.bytes));
    const onlyRecovered: EvtRecord[] = [];
    for await (const record of log.records({ live: false })) onlyRecovered.push(record);
    expect(onlyRecovered.every((record) => record.recovered)).toBe(true);
    expect(onlyRecovered.length).toBe(built.slack.length);
    let liveCount = 0;
    for await (const batch of log.recordBatches({ recovered: false })) liveCount += batch.length;
    expect(liveCount).toBe(built.live.length);
  });

  it('reads a split record whatever the block size', async () => {
    const reference = await readAll(built.bytes);
    const small = await readAll(built.bytes, { blockSize: 64, maxRecordSize: 0x400 });
    expect(small.records.map((record) => [record.recordNumber, record.strings])).toEqual(
      reference.records.map((record) => [record.recordNumber, record.strings]),
    );
  });

  it('follows 0x00000027 filler at the end of the file', async () => {
    const filled = buildEvtLog({
      fileSize: 0x2000,
      events: blasterDay(AUG_11_2003, 30),
      skipFillerBelow: 0x200,
    });
    const { log, records } = await readAll(filled.bytes);
    expect(log.errorCount).toBe(0);
    expect(numbers(records.filter((record) => !record.recovered))).toEqual(numbers(filled.live));
  });
});

describe('dirty logs', () => {
  it('takes the layout from the EOF record when the header is out of date', async () => {
    const built = buildEvtLog({
      fileSize: 0x3000,
      events: blasterDay(AUG_11_2003, 30),
      staleHeaderAfter: 100,
    });
    const { log, records } = await readAll(built.bytes);
    expect(log.header.dirty).toBe(true);
    expect(log.layout).toMatchObject({
      source: 'eof-scan',
      headerOutOfDate: true,
      endOffset: built.eofOffset,
    });
    expect(log.layout.eof?.currentRecordNumber).toBe(271);
    expect(log.header.currentRecordNumber).toBe(101);
    expect(numbers(records.filter((record) => !record.recovered))).toEqual(numbers(built.live));
  });
});

describe('damage', () => {
  const built = buildEvtLog({ fileSize: 0x10000, events: blasterDay(AUG_11_2003, 4) });

  function damaged(mutate: (bytes: Uint8Array, target: WrittenRecord) => void, index = 5) {
    const bytes = built.bytes.slice();
    mutate(bytes, built.live[index]!);
    return bytes;
  }

  it('reports a record with a bad trailing length and resumes at the next record', async () => {
    const target = built.live[5]!;
    const bytes = damaged((data, record) => {
      new DataView(data.buffer).setUint32(record.offset + record.bytes.length - 4, 0, true);
    });
    const { log, records } = await readAll(bytes);
    expect(log.errorCount).toBe(1);
    const error = log.errors[0]!;
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({
      format: 'evt',
      structure: 'record',
      offset: target.offset,
      file: 'test.evt',
    });
    expect(error.reason).toMatch(/trailing length copy 0/);
    expect(numbers(records)).toEqual(numbers(built.live).filter((number) => number !== target.recordNumber));
  });

  it('keeps a record whose SID points outside it, with an error', async () => {
    const target = built.live.find(
      (record) => record.bytes.length > 0 && new DataView(record.bytes.buffer).getUint32(0x28, true) > 0,
    )!;
    const bytes = built.bytes.slice();
    new DataView(bytes.buffer).setUint32(target.offset + 0x2c, 0xfff0, true);
    const { log, records } = await readAll(bytes);
    expect(numbers(records)).toEqual(numbers(built.live));
    expect(records.find((record) => record.recordNumber === target.recordNumber)!.userSid).toBeUndefined();
    expect(log.errors.map((error) => [error.offset, error.structure])).toEqual([[target.offset, 'record']]);
  });

  it('reports huge lengths without reading them, and caps the error list', async () => {
    const broken = built.live.filter((_, index) => index % 2 === 1);
    const bytes = damaged((data) => {
      for (const record of broken) new DataView(data.buffer).setUint32(record.offset, 0x7fff_fff0, true);
    });
    const { log, records } = await readAll(bytes, { maxErrors: 3 });
    expect(numbers(records)).toEqual(numbers(built.live.filter((_, index) => index % 2 === 0)));
    expect(log.errors.length).toBe(3);
    expect(log.errorCount).toBe(broken.length);
    expect(log.errors[0]!.reason).toMatch(/exceeds the limit/);
  });

  it('walks records up to the first bad one when there is no EOF record', async () => {
    const bytes = built.bytes.slice();
    bytes.fill(0, built.eofOffset, built.eofOffset + 0x28);
    const { log, records } = await readAll(bytes);
    expect(log.layout.source).toBe('no-eof');
    expect(log.errors.some((error) => error.structure === 'eof record')).toBe(true);
    expect(numbers(records)).toEqual(numbers(built.live));
  });

  it('throws only for input that is not an EVT log', async () => {
    await expect(openEvt(new BufferReader(new Uint8Array(0x20)))).rejects.toThrow(FormatError);
    const notEvt = built.bytes.slice();
    notEvt[4] = 0x41;
    await expect(openEvt(new BufferReader(notEvt))).rejects.toThrow(/not an EVT/);
    const headerOnly = await readAll(built.bytes.slice(0, 0x30));
    expect(headerOnly.records).toEqual([]);
    expect(headerOnly.log.errorCount).toBeGreaterThan(0);
  });

  it('encodes records the way the parser reads them (round trip of a large data blob)', async () => {
    const data = Uint8Array.from({ length: 3000 }, (_, index) => index & 0xff);
    const event = { ...SYSTEM_EVENTS.rpcCrash(AUG_11_2003), data };
    expect(encodeRecord(event, 9).length % 4).toBe(0);
    const { records } = await readAll(
      buildEvtLog({ fileSize: 0x4000, events: [event], firstRecordNumber: 9 }).bytes,
    );
    expect(records[0]!.recordNumber).toBe(9);
    expect([...records[0]!.data]).toEqual([...data]);
  });
});
