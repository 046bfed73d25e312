/**
 * Test-only EVT writer: builds real-format legacy event logs in code, simulating how the
 * NT event log service fills its circular buffer (records appended at the EOF record, split
 * at the end of the file and continued after the header, oldest records discarded to make
 * room). Produces wrapped logs, dirty logs whose header is out of date, and whole records left
 * in slack space. Layout: libevt "Windows Event Log (EVT) format", Microsoft EVENTLOGRECORD.
 */

export const HEADER_SIZE = 0x30;
export const EOF_SIZE = 0x28;
const FIXED_SIZE = 0x38;

export interface WriterEvent {
  /** Unix seconds (UTC). */
  timeGenerated: number;
  timeWritten?: number;
  eventId: number;
  eventType: number;
  category?: number;
  sourceName: string;
  computerName: string;
  /** Text form, e.g. S-1-5-18. */
  userSid?: string;
  strings?: string[];
  data?: Uint8Array;
}

function utf16z(text: string): number[] {
  const out: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    out.push(unit & 0xff, unit >>> 8);
  }
  out.push(0, 0);
  return out;
}

export function encodeSid(text: string): Uint8Array {
  const parts = text.split('-');
  if (parts[0] !== 'S' || parts.length < 3) throw new Error(`bad SID ${text}`);
  const authority = Number(parts[2]);
  const subs = parts.slice(3).map(Number);
  const bytes = new Uint8Array(8 + 4 * subs.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = Number(parts[1]);
  bytes[1] = subs.length;
  view.setUint16(2, Math.floor(authority / 0x100000000), false);
  view.setUint32(4, authority >>> 0, false);
  subs.forEach((sub, index) => {
    view.setUint32(8 + 4 * index, sub, true);
  });
  return bytes;
}

const align4 = (value: number): number => (value + 3) & ~3;

/** One EVENTLOGRECORD. */
export function encodeRecord(event: WriterEvent, recordNumber: number): Uint8Array {
  const source = utf16z(event.sourceName);
  const computer = utf16z(event.computerName);
  let cursor = FIXED_SIZE + source.length + computer.length;
  const sid = event.userSid === undefined ? undefined : encodeSid(event.userSid);
  let sidOffset = 0;
  if (sid !== undefined) {
    cursor = align4(cursor); // the service DWORD-aligns the SID
    sidOffset = cursor;
    cursor += sid.length;
  }
  const strings = (event.strings ?? []).flatMap(utf16z);
  const stringOffset = cursor;
  cursor += strings.length;
  const data = event.data ?? new Uint8Array(0);
  const dataOffset = cursor;
  cursor += data.length;
  const length = align4(cursor) + 4;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0x00, length, true);
  bytes.set([0x4c, 0x66, 0x4c, 0x65], 0x04);
  view.setUint32(0x08, recordNumber, true);
  view.setUint32(0x0c, event.timeGenerated, true);
  view.setUint32(0x10, event.timeWritten ?? event.timeGenerated, true);
  view.setUint32(0x14, event.eventId >>> 0, true);
  view.setUint16(0x18, event.eventType, true);
  view.setUint16(0x1a, event.strings?.length ?? 0, true);
  view.setUint16(0x1c, event.category ?? 0, true);
  view.setUint32(0x24, stringOffset, true);
  view.setUint32(0x28, sid?.length ?? 0, true);
  view.setUint32(0x2c, sidOffset, true);
  view.setUint32(0x30, data.length, true);
  view.setUint32(0x34, dataOffset, true);
  bytes.set(source, FIXED_SIZE);
  bytes.set(computer, FIXED_SIZE + source.length);
  if (sid !== undefined) bytes.set(sid, sidOffset);
  bytes.set(strings, stringOffset);
  bytes.set(data, dataOffset);
  view.setUint32(length - 4, length, true);
  return bytes;
}

export interface EofFields {
  begin: number;
  end: number;
  current: number;
  oldest: number;
}

export function encodeEof(fields: EofFields): Uint8Array {
  const bytes = new Uint8Array(EOF_SIZE);
  const view = new DataView(bytes.buffer);
  [
    EOF_SIZE,
    0x11111111,
    0x22222222,
    0x33333333,
    0x44444444,
    fields.begin,
    fields.end,
    fields.current,
    fields.oldest,
    EOF_SIZE,
  ].forEach((value, index) => {
    view.setUint32(index * 4, value, true);
  });
  return bytes;
}

export interface HeaderFields extends EofFields {
  maxSize: number;
  flags: number;
  retention?: number;
}

export function encodeHeader(fields: HeaderFields): Uint8Array {
  const bytes = new Uint8Array(HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0x00, HEADER_SIZE, true);
  bytes.set([0x4c, 0x66, 0x4c, 0x65], 0x04);
  view.setUint32(0x08, 1, true);
  view.setUint32(0x0c, 1, true);
  view.setUint32(0x10, fields.begin, true);
  view.setUint32(0x14, fields.end, true);
  view.setUint32(0x18, fields.current, true);
  view.setUint32(0x1c, fields.oldest, true);
  view.setUint32(0x20, fields.maxSize, true);
  view.setUint32(0x24, fields.flags, true);
  view.setUint32(0x28, fields.retention ?? 0, true);
  view.setUint32(0x2c, HEADER_SIZE, true);
  return bytes;
}

export interface LogOptions {
  /** File size (multiple of 4); the ring is [0x30, fileSize). */
  fileSize: number;
  events: Iterable<WriterEvent>;
  firstRecordNumber?: number;
  /** Extra bytes of old records discarded whenever room is made (leaves whole records in slack). */
  freeExtra?: number;
  /** Stop updating the header after this many events and mark it dirty (log still open). */
  staleHeaderAfter?: number;
  /**
   * When fewer than this many bytes are left before the end of the file, fill them with
   * 0x00000027 dwords and start the next record after the header instead of splitting it.
   */
  skipFillerBelow?: number;
}

export interface WrittenRecord {
  recordNumber: number;
  offset: number;
  bytes: Uint8Array;
}

export interface BuiltLog {
  bytes: Uint8Array;
  /** Records the EOF record says are live, oldest first. */
  live: WrittenRecord[];
  /** Discarded records whose bytes are still intact in the slack. */
  slack: WrittenRecord[];
  eofOffset: number;
  wrapped: boolean;
}

/** Simulates the log service writing `events` into a fixed-size circular log. */
export function buildEvtLog(options: LogOptions): BuiltLog {
  const { fileSize } = options;
  const ring = fileSize - HEADER_SIZE;
  const bytes = new Uint8Array(fileSize);
  const put = (offset: number, chunk: Uint8Array): number => {
    let at = offset;
    for (let done = 0; done < chunk.length; ) {
      const take = Math.min(chunk.length - done, fileSize - at);
      bytes.set(chunk.subarray(done, done + take), at);
      done += take;
      at += take;
      if (at === fileSize) at = HEADER_SIZE;
    }
    return at;
  };
  const distance = (from: number, to: number): number =>
    to >= from ? to - from : fileSize - from + to - HEADER_SIZE;
  const live: WrittenRecord[] = [];
  const discarded: WrittenRecord[] = [];
  let write = HEADER_SIZE;
  let number = options.firstRecordNumber ?? 1;
  let wrapped = false;
  let count = 0;
  let headerFields: HeaderFields | undefined;
  put(write, encodeEof({ begin: write, end: write, current: number, oldest: 0 }));
  const free = (): number => (live.length === 0 ? ring : distance(write, live[0]!.offset));
  const discardUntil = (needed: number): void => {
    if (free() >= needed) return;
    while (live.length > 0 && free() < needed) discarded.push(live.shift()!);
    const target = needed + (options.freeExtra ?? 0);
    while (live.length > 1 && free() < target) discarded.push(live.shift()!);
  };
  for (const event of options.events) {
    const record = encodeRecord(event, number);
    if (record.length + EOF_SIZE > ring) throw new Error('record larger than the log');
    const toEnd = fileSize - write;
    if (options.skipFillerBelow !== undefined && toEnd < options.skipFillerBelow) {
      discardUntil(toEnd + record.length + EOF_SIZE);
      const filler = new Uint8Array(toEnd);
      const view = new DataView(filler.buffer);
      for (let at = 0; at + 4 <= toEnd; at += 4) view.setUint32(at, 0x27, true);
      bytes.set(filler, write);
      write = HEADER_SIZE;
      wrapped = true;
    }
    discardUntil(record.length + EOF_SIZE);
    if (write + record.length >= fileSize) wrapped = true;
    const offset = write;
    write = put(write, record);
    live.push({ recordNumber: number, offset, bytes: record });
    number += 1;
    count += 1;
    const fields: EofFields = {
      begin: live[0]!.offset,
      end: write,
      current: number,
      oldest: live[0]!.recordNumber,
    };
    put(write, encodeEof(fields));
    if (options.staleHeaderAfter === undefined || count <= options.staleHeaderAfter) {
      headerFields = { ...fields, maxSize: fileSize, flags: wrapped ? 0x2 : 0 };
    }
  }
  const stale = options.staleHeaderAfter !== undefined && count > options.staleHeaderAfter;
  const begin = live[0]?.offset ?? write;
  headerFields ??= { begin, end: write, current: number, oldest: 0, maxSize: fileSize, flags: 0 };
  bytes.set(encodeHeader({ ...headerFields, flags: headerFields.flags | (stale ? 0x1 : 0) }), 0);
  const intact = (record: WrittenRecord): boolean => {
    let at = record.offset;
    for (let index = 0; index < record.bytes.length; index += 1) {
      if (bytes[at] !== record.bytes[index]) return false;
      at += 1;
      if (at === fileSize) at = HEADER_SIZE;
    }
    return true;
  };
  // A discarded record is slack only when intact and clear of the EOF record.
  const eofEnd = ((write + EOF_SIZE - HEADER_SIZE) % ring) + HEADER_SIZE;
  const slackLength = ring - (live.length === 0 ? 0 : distance(begin, write)) - EOF_SIZE;
  const inSlack = (record: WrittenRecord): boolean =>
    distance(eofEnd, record.offset) + record.bytes.length <= slackLength;
  return {
    bytes,
    live,
    slack: discarded.filter((record) => intact(record) && inSlack(record)),
    eofOffset: write,
    wrapped,
  };
}

/** Events that matter for Blaster triage, as the XP System log records them. */
export const SYSTEM_EVENTS = {
  /**
   * Service Control Manager 7031 EVENT_SERVICE_CRASH: "The %1 service terminated unexpectedly.
   * It has done this %2 time(s). The following corrective action will be taken in %3
   * milliseconds: %5." Event ID 0xC0001B77 (7031 = 0x1B77). %4 is the SC_ACTION type: the
   * real XP log in the corpus (SysEvent.Evt record 2589) has ["McAfee McShield", "1", "5000",
   * "1", "Restart the service"] (SC_ACTION_RESTART = 1), so a reboot action is "2"
   * (SC_ACTION_REBOOT), with the text Event Viewer shows for it.
   */
  rpcCrash: (time: number, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0xc0001b77,
    eventType: 0x0001,
    sourceName: 'Service Control Manager',
    computerName: computer,
    strings: ['Remote Procedure Call (RPC)', '1', '60000', '2', 'Reboot the machine'],
  }),
  /** EventLog 6005: the event log service was started. */
  eventLogStarted: (time: number, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x80001775,
    eventType: 0x0004,
    sourceName: 'EventLog',
    computerName: computer,
    data: Uint8Array.from([0x01, 0x00, 0x00, 0x00]),
  }),
  /** EventLog 6006: the event log service was stopped. */
  eventLogStopped: (time: number, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x80001776,
    eventType: 0x0004,
    sourceName: 'EventLog',
    computerName: computer,
  }),
  /** EventLog 6008: the previous shutdown was unexpected (time, date, then SYSTEMTIME data). */
  unexpectedShutdown: (time: number, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x80001778,
    eventType: 0x0001,
    sourceName: 'EventLog',
    computerName: computer,
    strings: ['8:13:03 PM', '8/11/2003', '', '', '', '', ''],
    data: Uint8Array.from([
      0xd3, 0x07, 0x08, 0x00, 0x01, 0x00, 0x0b, 0x00, 0x14, 0x00, 0x0d, 0x00, 0x03, 0x00, 0x00, 0x00,
    ]),
  }),
  /** EventLog 6009: OS version banner at boot. */
  osBanner: (time: number, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x80001779,
    eventType: 0x0004,
    sourceName: 'EventLog',
    computerName: computer,
    strings: ['5.01.', '2600', 'Service Pack 1', 'Uniprocessor Free'],
  }),
  /** SCM 7035: a control was sent (Welchia's service names appear here). */
  serviceControl: (time: number, service: string, control: string, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x40001b7b,
    eventType: 0x0004,
    sourceName: 'Service Control Manager',
    computerName: computer,
    userSid: 'S-1-5-18',
    strings: [service, control],
  }),
  /** SCM 7036: a service entered a state. */
  serviceState: (time: number, service: string, state: string, computer = 'WKS-XP'): WriterEvent => ({
    timeGenerated: time,
    eventId: 0x40001b7c,
    eventType: 0x0004,
    sourceName: 'Service Control Manager',
    computerName: computer,
    strings: [service, state],
  }),
};

/** A Blaster-day System log sequence: crash, reboot, Welchia's services, repeated from `start`. */
export function* blasterDay(start: number, cycles: number, computer = 'WKS-XP'): Generator<WriterEvent> {
  let time = start;
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    yield SYSTEM_EVENTS.rpcCrash(time, computer);
    yield SYSTEM_EVENTS.eventLogStopped(time + 58, computer);
    yield SYSTEM_EVENTS.unexpectedShutdown(time + 90, computer);
    yield SYSTEM_EVENTS.osBanner(time + 90, computer);
    yield SYSTEM_EVENTS.eventLogStarted(time + 90, computer);
    yield SYSTEM_EVENTS.serviceControl(time + 120, 'WINS Client', 'start', computer);
    yield SYSTEM_EVENTS.serviceState(time + 121, 'WINS Client', 'running', computer);
    yield SYSTEM_EVENTS.serviceControl(time + 122, 'Network Connections Sharing', 'start', computer);
    yield SYSTEM_EVENTS.serviceState(time + 123, 'Network Connections Sharing', 'running', computer);
    time += 600;
  }
}
