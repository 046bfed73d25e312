import type { ByteView } from '../io/index.js';
import { latin1Text as decodeLatin1, utf16Text as decodeUtf16 } from '../io/short-text.js';
import {
  REG_DWORD,
  REG_DWORD_BIG_ENDIAN,
  REG_EXPAND_SZ,
  REG_LINK,
  REG_MULTI_SZ,
  REG_QWORD,
  REG_SZ,
  VALUE_TYPE_NAMES,
} from './constants.js';

/** Decoded value data: strings, string lists, 32-bit numbers, 64-bit bigints or raw bytes. */
export type ValueData = string | string[] | number | bigint | Uint8Array;

/** 'REG_SZ' etc.; unknown types as 'REG_UNKNOWN_0x…' (device property types keep their number). */
export function valueTypeName(type: number): string {
  return VALUE_TYPE_NAMES[type] ?? `REG_UNKNOWN_0x${type.toString(16)}`;
}

/**
 * Decodes `length` bytes at `offset` of `view` by value type. Strings end at the first NUL
 * (what the Windows API returns; the raw bytes keep anything after it). A REG_SZ that is
 * plainly single-byte text (printable ASCII then only NULs, ending at an odd length or with
 * its first NUL at an odd position) is read as Latin-1 instead of UTF-16 garbage. Numbers need their full width; a
 * short DWORD/QWORD stays raw bytes.
 */
export function decodeValueData(type: number, view: ByteView, offset: number, length: number): ValueData {
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_LINK:
      return looksSingleByte(view, offset, length)
        ? decodeLatin1(view, offset, length, true)
        : decodeUtf16(view, offset, length, true);
    case REG_MULTI_SZ:
      return decodeMultiString(view, offset, length);
    case REG_DWORD:
      return length >= 4 ? view.u32(offset) : view.subarray(offset, length);
    case REG_DWORD_BIG_ENDIAN:
      return length >= 4 ? view.u32be(offset) : view.subarray(offset, length);
    case REG_QWORD:
      return length >= 8 ? view.u64(offset) : view.subarray(offset, length);
    default:
      return view.subarray(offset, length);
  }
}

function looksSingleByte(view: ByteView, offset: number, length: number): boolean {
  if (length < 2) return length === 1;
  view.check(offset, length);
  const bytes = view.bytes;
  const end = offset + length;
  let firstZero = -1;
  for (let index = offset; index < end; index += 1) {
    const byte = bytes[index]!;
    if (byte === 0) {
      firstZero = index - offset;
      break;
    }
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  if (firstZero === -1) return length % 2 === 1;
  // UTF-16 text of Latin letters has a zero at index 1; CJK text may be all printable bytes
  // but its terminator is followed by nothing or by more text, never by a lone NUL at an odd end.
  if (firstZero < 2) return false;
  for (let index = offset + firstZero + 1; index < end; index += 1) if (bytes[index] !== 0) return false;
  return length % 2 === 1 || firstZero % 2 === 1;
}

/** REG_MULTI_SZ: UTF-16 strings separated by NUL, ended by an empty string (or the data end). */
function decodeMultiString(view: ByteView, offset: number, length: number): string[] {
  const text = decodeUtf16(view, offset, length);
  const parts = text.split('\0');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '') break;
    out.push(part);
  }
  return out;
}
