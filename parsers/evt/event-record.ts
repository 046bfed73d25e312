/**
 * EVENTLOGRECORD: one event of a legacy event log (libevt format section 3; Microsoft
 * "EVENTLOGRECORD structure"). Parsing is synchronous over bytes already read, so a whole
 * block of records is parsed without per-record awaits.
 */

import { type ByteView, FormatError } from '../io/index.js';
import { decodeUtf16Flat } from '../io/utf16-flat.js';
import { ELF_LOG_SIGNATURE_U32, EVT_FORMAT } from './file-header.js';
import { formatSid } from './sid.js';

/** Fixed part of EVENTLOGRECORD, up to and excluding the source name. */
export const EVENTLOGRECORD_FIXED_SIZE = 0x38;
/** Smallest sound record: fixed part, two empty names (NUL each), trailing length copy. */
export const EVENTLOGRECORD_MIN_SIZE = EVENTLOGRECORD_FIXED_SIZE + 2 + 2 + 4;
/**
 * Largest record we accept. The log service caps a report at roughly 256 KiB of strings and
 * data (ELF_MAX_RECORD_SIZE-style limit); anything larger is damage, and the bound keeps a
 * crafted length from making us buffer unbounded memory.
 */
export const EVENTLOGRECORD_MAX_SIZE = 0x40000;

const RECORD_LENGTH = 0x00;
const RECORD_SIGNATURE = 0x04;
const RECORD_NUMBER = 0x08;
const RECORD_TIME_GENERATED = 0x0c;
const RECORD_TIME_WRITTEN = 0x10;
const RECORD_EVENT_ID = 0x14;
const RECORD_EVENT_TYPE = 0x18;
const RECORD_NUM_STRINGS = 0x1a;
const RECORD_EVENT_CATEGORY = 0x1c;
const RECORD_STRING_OFFSET = 0x24;
const RECORD_USER_SID_LENGTH = 0x28;
const RECORD_USER_SID_OFFSET = 0x2c;
const RECORD_DATA_LENGTH = 0x30;
const RECORD_DATA_OFFSET = 0x34;
const RECORD_SOURCE_NAME = EVENTLOGRECORD_FIXED_SIZE;

export type EventTypeName =
  | 'success'
  | 'error'
  | 'warning'
  | 'information'
  | 'audit-success'
  | 'audit-failure'
  | 'unknown';

/** EVENTLOG_*_TYPE values. */
const EVENT_TYPE_NAMES: Record<number, EventTypeName> = {
  0: 'success',
  1: 'error',
  2: 'warning',
  4: 'information',
  8: 'audit-success',
  16: 'audit-failure',
};

export type Severity = 'success' | 'informational' | 'warning' | 'error';
const SEVERITIES: readonly Severity[] = ['success', 'informational', 'warning', 'error'];

export interface EvtRecord {
  recordNumber: number;
  /** Absolute file offset of the record's first byte. */
  offset: number;
  /** Record length in bytes (the record may continue after the header when it wraps). */
  size: number;
  /** UTC microseconds since 1970. */
  timeGenerated: bigint;
  timeWritten: bigint;
  /** The full 32-bit event identifier, e.g. 0xC0001B7F. */
  eventId: number;
  /** Low 16 bits: the number Event Viewer shows (7031). */
  eventCode: number;
  /** High 16 bits (severity, customer, facility). */
  qualifiers: number;
  severity: Severity;
  customer: boolean;
  facility: number;
  eventType: number;
  eventTypeName: EventTypeName;
  category: number;
  sourceName: string;
  computerName: string;
  userSid?: string;
  strings: string[];
  data: Uint8Array;
  /** Found in slack space by signature scanning, not part of the live log. */
  recovered: boolean;
}

/** Splits an event identifier into its fields (libevt format section 3.2). */
export function splitEventId(
  eventId: number,
): Pick<EvtRecord, 'eventCode' | 'qualifiers' | 'severity' | 'customer' | 'facility'> {
  return {
    eventCode: eventId & 0xffff,
    qualifiers: eventId >>> 16,
    severity: SEVERITIES[eventId >>> 30] ?? 'success',
    customer: ((eventId >>> 29) & 1) === 1,
    facility: (eventId >>> 16) & 0x0fff,
  };
}

export function eventTypeName(eventType: number): EventTypeName {
  return EVENT_TYPE_NAMES[eventType] ?? 'unknown';
}

/**
 * Checks the frame of a record at `at`: length bounds, signature, trailing length copy.
 * Returns a reason when it is not a record, undefined when the frame is sound. `view` must
 * hold the whole record when the length is in bounds.
 */
export function checkRecordFrame(view: ByteView, at: number, maxSize: number): string | undefined {
  if (!view.has(at, 8)) return 'record header runs past the available data';
  const length = view.u32(at + RECORD_LENGTH);
  if (view.u32(at + RECORD_SIGNATURE) !== ELF_LOG_SIGNATURE_U32) return 'no "LfLe" record signature';
  if (length < EVENTLOGRECORD_MIN_SIZE)
    return `record length ${length} is below the minimum ${EVENTLOGRECORD_MIN_SIZE}`;
  if (length > maxSize) return `record length ${length} exceeds the limit ${maxSize}`;
  if (length % 4 !== 0) return `record length ${length} is not a multiple of 4`;
  if (!view.has(at, length)) return `record length ${length} runs past the available data`;
  const copy = view.u32(at + length - 4);
  if (copy !== length) return `trailing length copy ${copy} differs from the length ${length}`;
  return undefined;
}

export interface ParsedRecord {
  record: EvtRecord;
  /** Damage inside a sound frame (offsets pointing outside the record, missing strings). */
  problems: FormatError[];
}

/**
 * Parses the record at `at` in `view` whose frame `checkRecordFrame` accepted. `offset` is
 * the record's absolute file offset (the view may be a reassembled copy of a wrapped record).
 */
export function parseEventRecord(
  view: ByteView,
  at: number,
  offset: number,
  recovered: boolean,
): ParsedRecord {
  // One pass, one object of a fixed shape, no closures or intermediate objects: this runs
  // for every record of every log, and the garbage it makes dominated the walk.
  let problems: FormatError[] = NO_PROBLEMS;
  const length = view.u32(at + RECORD_LENGTH);
  const end = length - 4; // variable part ends before the trailing length copy
  const eventId = view.u32(at + RECORD_EVENT_ID);
  const eventType = view.u16(at + RECORD_EVENT_TYPE);
  const numStrings = view.u16(at + RECORD_NUM_STRINGS);

  const sourceName = decodeUtf16Flat(view, at + RECORD_SOURCE_NAME, end - RECORD_SOURCE_NAME, true);
  let cursor = RECORD_SOURCE_NAME + sourceName.length * 2 + 2;
  const computerName = cursor <= end ? decodeUtf16Flat(view, at + cursor, end - cursor, true) : '';
  cursor += computerName.length * 2 + 2;
  if (cursor > end)
    problems = addProblem(
      problems,
      offset,
      recovered,
      'source and computer names run past the end of the record',
    );

  let userSid: string | undefined;
  const sidLength = view.u32(at + RECORD_USER_SID_LENGTH);
  if (sidLength !== 0) {
    const sidOffset = view.u32(at + RECORD_USER_SID_OFFSET);
    if (sidOffset < RECORD_SOURCE_NAME || sidLength > end || sidOffset > end - sidLength) {
      problems = addProblem(
        problems,
        offset,
        recovered,
        `user SID (offset ${sidOffset}, ${sidLength} bytes) lies outside the record`,
      );
    } else {
      userSid = formatSid(view, at + sidOffset, sidLength);
      if (userSid === undefined)
        problems = addProblem(
          problems,
          offset,
          recovered,
          `user SID at record offset ${sidOffset} is malformed`,
        );
    }
  }

  const dataLength = view.u32(at + RECORD_DATA_LENGTH);
  const dataOffset = view.u32(at + RECORD_DATA_OFFSET);
  let data: Uint8Array = EMPTY;
  if (dataLength !== 0) {
    if (dataOffset < RECORD_SOURCE_NAME || dataLength > end || dataOffset > end - dataLength) {
      problems = addProblem(
        problems,
        offset,
        recovered,
        `data (offset ${dataOffset}, ${dataLength} bytes) lies outside the record`,
      );
    } else {
      data = copyData(view, at + dataOffset, dataLength);
    }
  }

  const strings: string[] = [];
  if (numStrings !== 0) {
    const stringOffset = view.u32(at + RECORD_STRING_OFFSET);
    // Strings end where the data begins (when the data follows them) or at the length copy.
    const stringsEnd = dataLength !== 0 && dataOffset > stringOffset && dataOffset <= end ? dataOffset : end;
    if (stringOffset < RECORD_SOURCE_NAME || stringOffset >= stringsEnd) {
      problems = addProblem(
        problems,
        offset,
        recovered,
        `strings offset ${stringOffset} lies outside the record`,
      );
    } else {
      let position = stringOffset;
      while (strings.length < numStrings && position < stringsEnd) {
        const text = decodeUtf16Flat(view, at + position, stringsEnd - position, true);
        strings.push(text);
        position += text.length * 2 + 2;
      }
      if (strings.length < numStrings)
        problems = addProblem(
          problems,
          offset,
          recovered,
          `only ${strings.length} of ${numStrings} strings fit in the record`,
        );
    }
  }

  const record: EvtRecord = {
    recordNumber: view.u32(at + RECORD_NUMBER),
    offset,
    size: length,
    timeGenerated: secondsToMicros(view.u32(at + RECORD_TIME_GENERATED)),
    timeWritten: secondsToMicros(view.u32(at + RECORD_TIME_WRITTEN)),
    eventId,
    eventCode: eventId & 0xffff,
    qualifiers: eventId >>> 16,
    severity: SEVERITIES[eventId >>> 30] ?? 'success',
    customer: ((eventId >>> 29) & 1) === 1,
    facility: (eventId >>> 16) & 0x0fff,
    eventType,
    eventTypeName: eventTypeName(eventType),
    category: view.u16(at + RECORD_EVENT_CATEGORY),
    sourceName,
    computerName,
    strings,
    data,
    recovered,
  };
  if (userSid !== undefined) record.userSid = userSid;
  return { record, problems };
}

const NO_PROBLEMS: FormatError[] = [];

function addProblem(
  problems: FormatError[],
  offset: number,
  recovered: boolean,
  reason: string,
): FormatError[] {
  const list = problems === NO_PROBLEMS ? [] : problems;
  list.push(new FormatError(EVT_FORMAT, recovered ? 'recovered record' : 'record', offset, reason));
  return list;
}

/**
 * Record times as bigint microseconds. Neighbouring records mostly share their second (and a
 * record's two times usually agree), so the last conversions are reused: bigints are heap objects.
 */
let lastSeconds = -1;
let lastMicros = 0n;
let previousSeconds = -1;
let previousMicros = 0n;
function secondsToMicros(seconds: number): bigint {
  if (seconds === lastSeconds) return lastMicros;
  if (seconds === previousSeconds) return previousMicros;
  previousSeconds = lastSeconds;
  previousMicros = lastMicros;
  lastSeconds = seconds;
  lastMicros = BigInt(seconds) * 1_000_000n;
  return lastMicros;
}

/**
 * Record data is copied out of the read block (records outlive it). Small copies are carved
 * from a shared slab: one ArrayBuffer per record made the garbage collector the walk's main cost.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_PIECE = 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;
function copyData(view: ByteView, at: number, length: number): Uint8Array {
  const source = view.subarray(at, length);
  if (length > SLAB_MAX_PIECE) return Uint8Array.prototype.slice.call(source);
  if (slabUsed + length > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const piece = slab.subarray(slabUsed, slabUsed + length);
  piece.set(source);
  // Keep pieces 8-byte aligned so a consumer's DataView or typed view stays cheap.
  slabUsed += (length + 7) & ~7;
  return piece;
}

const EMPTY = new Uint8Array(0);

/** Record times as seconds, for plausibility checks on recovered records. */
export function recordTimes(
  view: ByteView,
  at: number,
): { generated: number; written: number; number: number } {
  return {
    generated: view.u32(at + RECORD_TIME_GENERATED),
    written: view.u32(at + RECORD_TIME_WRITTEN),
    number: view.u32(at + RECORD_NUMBER),
  };
}
