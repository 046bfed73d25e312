/**
 * Substitution and value-token values (libfwevt "Value types"), decoded straight into
 * their rendered form (see EvtxValue). Sizes come from the template instance's value
 * descriptors; a value whose size does not fit its type raises a FormatError that the
 * caller records, and the next value is still read at its own descriptor offset.
 */
import type { ByteView } from '../io/index.js';
import { decodeUtf16Flat, utf16Units } from '../io/utf16-flat.js';
import {
  VALUE_ANSI_STRING,
  VALUE_ARRAY_FLAG,
  VALUE_BINARY,
  VALUE_BINXML,
  VALUE_BOOL,
  VALUE_EVT_HANDLE,
  VALUE_EVT_XML,
  VALUE_FILETIME,
  VALUE_GUID,
  VALUE_HEX_INT32,
  VALUE_HEX_INT64,
  VALUE_INT8,
  VALUE_INT16,
  VALUE_INT32,
  VALUE_INT64,
  VALUE_NULL,
  VALUE_REAL32,
  VALUE_REAL64,
  VALUE_SID,
  VALUE_SIZE_T,
  VALUE_STRING,
  VALUE_SYSTEMTIME,
  VALUE_UINT8,
  VALUE_UINT16,
  VALUE_UINT32,
  VALUE_UINT64,
} from './constants.js';
import type { BinXmlFragment, EvtxScalar, EvtxValue } from './nodes.js';

const latin1Decoder = new TextDecoder('latin1');
const HEX = '0123456789ABCDEF';

/** Parses nested binary XML at a chunk-relative offset (type 0x21). */
export type NestedParser = (offset: number, size: number) => BinXmlFragment;

/** Fixed element sizes of the scalar types, for arrays (type | 0x80). */
const FIXED_SIZES: Record<number, number> = {
  [VALUE_INT8]: 1,
  [VALUE_UINT8]: 1,
  [VALUE_INT16]: 2,
  [VALUE_UINT16]: 2,
  [VALUE_INT32]: 4,
  [VALUE_UINT32]: 4,
  [VALUE_INT64]: 8,
  [VALUE_UINT64]: 8,
  [VALUE_REAL32]: 4,
  [VALUE_REAL64]: 8,
  [VALUE_BOOL]: 4,
  [VALUE_GUID]: 16,
  [VALUE_FILETIME]: 8,
  [VALUE_SYSTEMTIME]: 16,
  [VALUE_HEX_INT32]: 4,
  [VALUE_HEX_INT64]: 8,
};

/** UTF-16LE text of `byteLength` bytes with trailing NULs dropped. */
export function readUtf16(view: ByteView, offset: number, byteLength: number): string {
  view.check(offset, byteLength);
  let end = offset + (byteLength & ~1);
  while (end > offset && view.bytes[end - 2] === 0 && view.bytes[end - 1] === 0) end -= 2;
  // Up to 24 units the code units are kept as they are (unpaired surrogates too, as before);
  // longer text is what TextDecoder gives (U+FFFD for unpaired surrogates).
  if (end - offset <= 48) return utf16Units(view, offset, end - offset);
  return decodeUtf16Flat(view, offset, end - offset);
}

function readAnsi(view: ByteView, offset: number, length: number): string {
  view.check(offset, length);
  let end = offset + length;
  while (end > offset && view.u8(end - 1) === 0) end -= 1;
  return latin1Decoder.decode(view.subarray(offset, end - offset));
}

function safeInteger(value: bigint): number | string {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value.toString();
}

function finite(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function hexBytes(view: ByteView, offset: number, length: number): string {
  view.check(offset, length);
  const bytes = view.subarray(offset, length);
  let text = '';
  for (let index = 0; index < length; index += 1) text += HEX_BYTES[bytes[index]!]!;
  return text;
}

function hex32(value: number): string {
  return `0x${value.toString(16)}`;
}

function hex64(view: ByteView, offset: number): string {
  const low = view.u32(offset);
  const high = view.u32(offset + 4);
  if (high === 0) return `0x${low.toString(16)}`;
  return `0x${high.toString(16)}${low.toString(16).padStart(8, '0')}`;
}

const FILETIME_TICKS_PER_SECOND = 10_000_000;
const FILETIME_UNIX_SECONDS = 11_644_473_600;
const TWO_POW_32_MOD_TICKS = 4_294_967_296 % FILETIME_TICKS_PER_SECOND;

/**
 * FILETIME as ISO 8601 with its full 100 ns precision, in the form Windows renders
 * SystemTime: 2019-02-09T17:05:24.672757800Z. Exact without bigint arithmetic.
 */
export function filetimeToIso(low: number, high: number): string {
  // Events of a chunk mostly share their second: reuse the last second's date text.
  if (high === lastHigh && low >= lastLowStart && low < lastLowEnd && high < 0x200000) {
    const fraction = lastFraction + (low - lastLowStart);
    if (fraction < FILETIME_TICKS_PER_SECOND)
      return `${lastPrefix}.${fraction.toString().padStart(7, '0')}00Z`;
  }
  const ticks =
    (((high % FILETIME_TICKS_PER_SECOND) * TWO_POW_32_MOD_TICKS) % FILETIME_TICKS_PER_SECOND) +
    (low % FILETIME_TICKS_PER_SECOND);
  const fraction = ticks % FILETIME_TICKS_PER_SECOND;
  const seconds = Math.round((high * 4_294_967_296 + low - fraction) / FILETIME_TICKS_PER_SECOND);
  const unixSeconds = seconds - FILETIME_UNIX_SECONDS;
  const day = Math.floor(unixSeconds / 86_400);
  if (day !== lastDay) {
    // Years outside 0000-9999 come out as ±YYYYYY: keep them, they are still exact.
    lastDay = day;
    lastDayText = new Date(day * 86_400_000).toISOString().slice(0, -14);
  }
  const secondOfDay = unixSeconds - day * 86_400;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const prefix = `${lastDayText}T${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[secondOfDay % 60]}`;
  lastHigh = high;
  lastLowStart = low;
  lastLowEnd = low + (FILETIME_TICKS_PER_SECOND - fraction);
  lastFraction = fraction;
  lastPrefix = prefix;
  return `${prefix}.${fraction.toString().padStart(7, '0')}00Z`;
}

/** 1970-01-01 in FILETIME ticks / 10: microseconds from 1601 to 1970 (exact as a double). */
const FILETIME_UNIX_MICROS = 11_644_473_600_000_000;

/**
 * FILETIME halves to bigint microseconds since 1970 (io/time.ts filetimeToMicros, same
 * result), with one bigint made instead of a 64-bit read, a subtraction and a division:
 * high = 10a + b gives ticks / 10 = a * 2^32 + (b * 2^32 + low) / 10, every part exact.
 */
export function filetimePartsToMicros(low: number, high: number): bigint | undefined {
  if (low === 0 && high === 0) return undefined;
  const a = Math.floor(high / 10);
  const b = high - a * 10;
  const micros = a * 4_294_967_296 - FILETIME_UNIX_MICROS + Math.floor((b * 4_294_967_296 + low) / 10);
  // Before 1970 bigint division truncates toward zero (not floor); far dates exceed 2^53.
  if (micros >= 0 && micros <= Number.MAX_SAFE_INTEGER) return BigInt(micros);
  return (((BigInt(high) << 32n) | BigInt(low)) - FILETIME_UNIX_MICROS_BIG * 10n) / 10n;
}
const FILETIME_UNIX_MICROS_BIG = 11_644_473_600_000_000n;

let lastDay = Number.NaN;
let lastDayText = '';
const TWO_DIGITS: string[] = Array.from({ length: 60 }, (_, value) => value.toString().padStart(2, '0'));

/** The last second converted: `low` in [lastLowStart, lastLowEnd) with the same `high` lies in it. */
let lastHigh = -1;
let lastLowStart = 0;
let lastLowEnd = 0;
let lastFraction = 0;
let lastPrefix = '';

const HEX_BYTES: string[] = Array.from({ length: 256 }, (_, byte) => HEX[byte >> 4]! + HEX[byte & 15]!);

/**
 * GUID in its registry form, {00000000-0000-0000-0000-000000000000} (upper case, first three
 * groups little-endian); the same text as ByteView.guid, from a byte table.
 */
export function formatGuid(view: ByteView, offset: number): string {
  view.check(offset, 16);
  const b = view.bytes;
  const o = offset;
  const h = HEX_BYTES;
  return `{${h[b[o + 3]!]}${h[b[o + 2]!]}${h[b[o + 1]!]}${h[b[o + 0]!]}-${h[b[o + 5]!]}${h[b[o + 4]!]}-${h[b[o + 7]!]}${h[b[o + 6]!]}-${h[b[o + 8]!]}${h[b[o + 9]!]}-${h[b[o + 10]!]}${h[b[o + 11]!]}${h[b[o + 12]!]}${h[b[o + 13]!]}${h[b[o + 14]!]}${h[b[o + 15]!]}}`;
}

function readFiletime(view: ByteView, offset: number): string {
  return filetimeToIso(view.u32(offset), view.u32(offset + 4));
}

function pad(value: number, width: number): string {
  return value.toString().padStart(width, '0');
}

function readSystemtime(view: ByteView, offset: number): string {
  const year = view.u16(offset);
  const month = view.u16(offset + 2);
  const day = view.u16(offset + 6);
  const hour = view.u16(offset + 8);
  const minute = view.u16(offset + 10);
  const second = view.u16(offset + 12);
  const millis = view.u16(offset + 14);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}Z`;
}

/** SID (revision, count, 48-bit big-endian authority, count x u32): S-1-5-21-... Returns its size too. */
function readSid(view: ByteView, offset: number, size: number): [string, number] {
  if (size < 8) throw view.error(offset, `SID of ${size} bytes is shorter than its 8-byte header`);
  const revision = view.u8(offset);
  const count = view.u8(offset + 1);
  const length = 8 + count * 4;
  if (length > size)
    throw view.error(offset, `SID with ${count} sub-authorities does not fit in ${size} bytes`);
  const authority = view.u16be(offset + 2) * 4_294_967_296 + view.u32be(offset + 4);
  let text = `S-${revision}-${authority}`;
  for (let index = 0; index < count; index += 1) text += `-${view.u32(offset + 8 + index * 4)}`;
  return [text, length];
}

function sizeError(view: ByteView, offset: number, type: number, size: number): Error {
  return view.error(offset, `value type 0x${type.toString(16)} cannot have size ${size}`);
}

/** One scalar of a fixed-size type at `offset` (size already checked). */
function readFixed(view: ByteView, offset: number, type: number, size: number): EvtxScalar {
  switch (type) {
    case VALUE_INT8:
      return (view.u8(offset) << 24) >> 24;
    case VALUE_UINT8:
      return view.u8(offset);
    case VALUE_INT16:
      return view.i16(offset);
    case VALUE_UINT16:
      return view.u16(offset);
    case VALUE_INT32:
      return view.i32(offset);
    case VALUE_UINT32:
      return view.u32(offset);
    case VALUE_INT64:
      return safeInteger(view.i64(offset));
    case VALUE_UINT64:
      return view.u32(offset + 4) < 0x200000
        ? view.u32(offset + 4) * 4_294_967_296 + view.u32(offset)
        : view.u64(offset).toString();
    case VALUE_REAL32:
      return finite(view.f32(offset));
    case VALUE_REAL64:
      return finite(view.f64(offset));
    case VALUE_BOOL:
      // Windows writes a 32-bit BOOL; any non-zero value is true (some logs hold 2, -1, ...).
      return size >= 4 ? view.u32(offset) !== 0 : view.u8(offset) !== 0;
    case VALUE_GUID:
      return formatGuid(view, offset);
    case VALUE_FILETIME:
      return readFiletime(view, offset);
    case VALUE_SYSTEMTIME:
      return readSystemtime(view, offset);
    case VALUE_HEX_INT32:
      return hex32(view.u32(offset));
    case VALUE_HEX_INT64:
      return hex64(view, offset);
    default:
      throw view.error(offset, `value type 0x${type.toString(16)} is not a fixed-size type`);
  }
}

function splitStrings(text: string): string[] {
  const items = text.split('\0');
  if (items.length > 0 && items[items.length - 1] === '') items.pop();
  return items;
}

/**
 * A substitution value of `type` occupying `size` bytes at `offset` (chunk-relative view).
 * Throws FormatError on a value that does not fit its type.
 */
export function readValue(
  view: ByteView,
  offset: number,
  size: number,
  type: number,
  nested: NestedParser,
): EvtxValue {
  view.check(offset, size);
  switch (type) {
    case VALUE_NULL:
      return null;
    case VALUE_STRING:
      return readUtf16(view, offset, size);
    case VALUE_ANSI_STRING:
      return readAnsi(view, offset, size);
    case VALUE_BINARY:
      return hexBytes(view, offset, size);
    case VALUE_SID:
      return size === 0 ? null : readSid(view, offset, size)[0];
    case VALUE_SIZE_T:
      if (size === 4) return hex32(view.u32(offset));
      if (size === 8) return hex64(view, offset);
      throw sizeError(view, offset, type, size);
    case VALUE_EVT_HANDLE:
      if (size === 4) return view.u32(offset);
      if (size === 8) return safeInteger(view.u64(offset));
      throw sizeError(view, offset, type, size);
    case VALUE_BINXML:
      return nested(offset, size);
    case VALUE_EVT_XML:
      return readUtf16(view, offset, size);
    case VALUE_STRING | VALUE_ARRAY_FLAG:
      return splitStrings(readUtf16(view, offset, size));
    case VALUE_ANSI_STRING | VALUE_ARRAY_FLAG:
      return splitStrings(readAnsi(view, offset, size));
    case VALUE_SID | VALUE_ARRAY_FLAG: {
      const items: EvtxScalar[] = [];
      let cursor = offset;
      while (cursor < offset + size) {
        const [sid, length] = readSid(view, cursor, offset + size - cursor);
        items.push(sid);
        cursor += length;
      }
      return items;
    }
    case VALUE_SIZE_T | VALUE_ARRAY_FLAG:
    case VALUE_EVT_HANDLE | VALUE_ARRAY_FLAG: {
      // The element size is the writer's pointer size, which the file does not record.
      const width = size % 8 === 0 ? 8 : 4;
      const items: EvtxScalar[] = [];
      for (let cursor = offset; cursor + width <= offset + size; cursor += width) {
        items.push(width === 8 ? hex64(view, cursor) : hex32(view.u32(cursor)));
      }
      return items;
    }
    default:
      break;
  }
  if (type & VALUE_ARRAY_FLAG) {
    const scalar = type & ~VALUE_ARRAY_FLAG;
    const width = FIXED_SIZES[scalar];
    if (width === undefined) throw view.error(offset, `unknown array value type 0x${type.toString(16)}`);
    if (size % width !== 0) throw sizeError(view, offset, type, size);
    const items: EvtxScalar[] = [];
    for (let cursor = offset; cursor < offset + size; cursor += width) {
      items.push(readFixed(view, cursor, scalar, width));
    }
    return items;
  }
  const width = FIXED_SIZES[type];
  if (width === undefined) throw view.error(offset, `unknown value type 0x${type.toString(16)}`);
  // Booleans are 4 bytes, but a few writers use 1 or 2; other types must be exact.
  if (size === width || (type === VALUE_BOOL && size > 0 && size <= 4)) {
    return readFixed(view, offset, type, size);
  }
  if (size === 0) return null;
  throw sizeError(view, offset, type, size);
}

/**
 * A value token (0x05) outside a substitution: strings carry a 16-bit character count,
 * other types their fixed size. Returns the value and the bytes consumed.
 */
export function readTokenValue(view: ByteView, offset: number, type: number): [EvtxValue, number] {
  const base = type & ~VALUE_ARRAY_FLAG;
  if (base === VALUE_STRING) {
    const count = view.u16(offset);
    const text = readUtf16(view, offset + 2, count * 2);
    return [type & VALUE_ARRAY_FLAG ? splitStrings(text) : text, 2 + count * 2];
  }
  if (base === VALUE_ANSI_STRING) {
    const count = view.u16(offset);
    const text = readAnsi(view, offset + 2, count);
    return [type & VALUE_ARRAY_FLAG ? splitStrings(text) : text, 2 + count];
  }
  const width = FIXED_SIZES[type];
  if (width === undefined)
    throw view.error(offset, `value token of type 0x${type.toString(16)} has no known size`);
  return [readFixed(view, offset, type, width), width];
}
