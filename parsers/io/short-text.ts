import type { ByteView } from './byte-view.js';

/**
 * Text decoding for the many short strings of record formats (registry key and value names,
 * small string values). Each string is made in one step from its code units gathered in a
 * reused array: building it a character at a time leaves a trail of intermediate strings
 * that keeps the young-generation GC busy, and a TextDecoder call costs more than the
 * decoding for short text. Longer text goes to TextDecoder. Bounds are checked once through
 * the ByteView; results equal TextDecoder's (an unpaired UTF-16 surrogate becomes U+FFFD).
 */
const utf16Decoder = new TextDecoder('utf-16le');
/** Longest text (in code units) gathered by hand. */
const SHORT_TEXT_UNITS = 128;
/**
 * One array per length, filled in place and handed to String.fromCharCode: an array whose
 * length changes would give up and reallocate its backing store on every string.
 */
const unitArrays: number[][] = Array.from({ length: SHORT_TEXT_UNITS + 1 }, (_, length) =>
  new Array<number>(length).fill(0),
);

/** UTF-16LE text of `length` bytes (an odd final byte dropped); stops at the first NUL when asked. */
export function utf16Text(view: ByteView, offset: number, length: number, stopAtNul = false): string {
  view.check(offset, length);
  const bytes = view.bytes;
  let end = offset + (length & ~1);
  let surrogate = false;
  for (let cursor = offset; cursor < end; cursor += 2) {
    const high = bytes[cursor + 1]!;
    if (high === 0 && bytes[cursor] === 0 && stopAtNul) {
      end = cursor;
      break;
    }
    if ((high & 0xf8) === 0xd8) surrogate = true;
  }
  const count = (end - offset) >>> 1;
  if (count === 0) return '';
  if (surrogate || count > SHORT_TEXT_UNITS) return utf16Decoder.decode(bytes.subarray(offset, end));
  const units = unitArrays[count]!;
  for (let index = 0, cursor = offset; index < count; index += 1, cursor += 2) {
    units[index] = bytes[cursor]! | (bytes[cursor + 1]! << 8);
  }
  return String.fromCharCode.apply(null, units);
}

/** Single-byte text as ISO-8859-1 (each byte to the code point of the same number). */
export function latin1Text(view: ByteView, offset: number, length: number, stopAtNul = false): string {
  view.check(offset, length);
  const bytes = view.bytes;
  let end = offset + length;
  if (stopAtNul) {
    for (let cursor = offset; cursor < end; cursor += 1) {
      if (bytes[cursor] === 0) {
        end = cursor;
        break;
      }
    }
  }
  let out = '';
  // Chunks keep the argument list short (apply has a stack limit) and still build few strings.
  for (let start = offset; start < end; start += SHORT_TEXT_UNITS) {
    const count = Math.min(end - start, SHORT_TEXT_UNITS);
    const units = unitArrays[count]!;
    for (let index = 0; index < count; index += 1) units[index] = bytes[start + index]!;
    out += String.fromCharCode.apply(null, units);
  }
  return out;
}

const HEX_DIGITS = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
/** Bytes per hex chunk: two code units each, within the gathered-text limit. */
const HEX_CHUNK = SHORT_TEXT_UNITS / 2;

/** Lowercase hex of the bytes, made a chunk at a time (not two characters at a time). */
export function hexText(bytes: Uint8Array): string {
  let out = '';
  for (let start = 0; start < bytes.length; start += HEX_CHUNK) {
    const count = Math.min(bytes.length - start, HEX_CHUNK);
    const units = unitArrays[count * 2]!;
    for (let index = 0; index < count; index += 1) {
      const byte = bytes[start + index]!;
      units[index * 2] = HEX_DIGITS[byte >>> 4]!;
      units[index * 2 + 1] = HEX_DIGITS[byte & 15]!;
    }
    out += String.fromCharCode.apply(null, units);
  }
  return out;
}
