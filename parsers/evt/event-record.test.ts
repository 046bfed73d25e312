import { describe, expect, it } from 'vitest';
import { ByteView } from '../io/index.js';
import { checkRecordFrame, EVENTLOGRECORD_MAX_SIZE, parseEventRecord, splitEventId } from './event-record.js';
import { formatSid } from './sid.js';
import { encodeRecord, encodeSid, SYSTEM_EVENTS } from './test-support/evt-writer.js';

describe('event identifiers', () => {
  it('splits severity, customer bit, facility, code and qualifiers', () => {
    expect(splitEventId(0xc0001b77)).toEqual({
      eventCode: 7031,
      qualifiers: 0xc000,
      severity: 'error',
      customer: false,
      facility: 0,
    });
    expect(splitEventId(0x8000a001)).toMatchObject({ eventCode: 0xa001, severity: 'warning' });
    expect(splitEventId(0x400e1119)).toMatchObject({
      eventCode: 0x1119,
      facility: 0x00e,
      severity: 'informational',
    });
    expect(splitEventId(0x20000001)).toMatchObject({ customer: true, severity: 'success', eventCode: 1 });
  });
});

describe('SIDs', () => {
  it('renders well-known and domain SIDs and refuses malformed ones', () => {
    for (const text of ['S-1-5-18', 'S-1-5-21-1004336348-1177238915-682003330-500', 'S-1-1-0']) {
      const bytes = encodeSid(text);
      expect(formatSid(new ByteView(bytes), 0, bytes.length)).toBe(text);
    }
    const bad = encodeSid('S-1-5-18');
    bad[1] = 9; // more sub-authorities than bytes
    expect(formatSid(new ByteView(bad), 0, bad.length)).toBeUndefined();
  });
});

describe('EVENTLOGRECORD', () => {
  const bytes = encodeRecord(
    SYSTEM_EVENTS.serviceControl(1_060_632_783, 'Network Connections Sharing', 'start'),
    42,
  );
  const view = new ByteView(bytes, 0x1000, 'evt', 'record');

  it('accepts a sound frame and rejects bad lengths, signatures and copies', () => {
    expect(checkRecordFrame(view, 0, EVENTLOGRECORD_MAX_SIZE)).toBeUndefined();
    expect(checkRecordFrame(view, 0, bytes.length - 4)).toMatch(/exceeds the limit/);
    const broken = bytes.slice();
    broken[5] = 0;
    expect(checkRecordFrame(new ByteView(broken), 0, EVENTLOGRECORD_MAX_SIZE)).toMatch(/signature/);
    const odd = bytes.slice();
    new DataView(odd.buffer).setUint32(0, bytes.length - 2, true);
    expect(checkRecordFrame(new ByteView(odd), 0, EVENTLOGRECORD_MAX_SIZE)).toMatch(/multiple of 4/);
  });

  it('parses names, SID and strings, and reports offsets that leave the record', () => {
    const { record, problems } = parseEventRecord(view, 0, 0x1000, false);
    expect(problems).toEqual([]);
    expect(record).toMatchObject({
      recordNumber: 42,
      offset: 0x1000,
      eventCode: 7035,
      userSid: 'S-1-5-18',
      strings: ['Network Connections Sharing', 'start'],
      sourceName: 'Service Control Manager',
    });
    const damaged = bytes.slice();
    new DataView(damaged.buffer).setUint16(0x1a, 5, true); // claims five strings
    new DataView(damaged.buffer).setUint32(0x30, 0x100000, true); // data longer than the record
    const result = parseEventRecord(new ByteView(damaged), 0, 0x1000, false);
    expect(result.record.strings.slice(0, 2)).toEqual(['Network Connections Sharing', 'start']);
    expect(result.problems.map((problem) => problem.reason)).toEqual([
      expect.stringMatching(/^data \(offset \d+, 1048576 bytes\) lies outside the record$/),
      expect.stringMatching(/of 5 strings fit/),
    ]);
    expect(result.problems[0]!.offset).toBe(0x1000);
  });
});
