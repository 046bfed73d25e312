import type { ByteView } from './byte-view.js';

/**
 * Short UTF-16LE strings built flat. Appending one character at a time (as fast-text.ts does)
 * makes a rope of one node per character past 12 characters: slower to build, larger in memory
 * and flattened again by whoever reads the string. Here the code units go through one reused
 * array into a single String.fromCharCode call; long strings go to TextDecoder.
 */
const decoder = new TextDecoder('utf-16le');
/** Up to this many code units are built by hand; TextDecoder's fixed cost wins beyond. */
const SHORT_UNITS = 32;
const units: number[] = [];

/**
 * The code units of [offset, offset + byteLength) as they are (an odd final byte dropped),
 * unpaired surrogates included. Bounds are checked once through the view.
 */
export function utf16Units(view: ByteView, offset: number, byteLength: number): string {
  view.check(offset, byteLength);
  const bytes = view.bytes;
  const count = byteLength >> 1;
  if (count > SHORT_UNITS) {
    let text = '';
    // Chunks keep the argument list short; each chunk is a flat string.
    for (let start = 0; start < count; start += SHORT_UNITS) {
      text += utf16Units(view, offset + start * 2, Math.min(SHORT_UNITS, count - start) * 2);
    }
    return text;
  }
  units.length = count;
  for (let index = 0, cursor = offset; index < count; index += 1, cursor += 2) {
    units[index] = bytes[cursor]! | (bytes[cursor + 1]! << 8);
  }
  return String.fromCharCode.apply(null, units);
}

/**
 * UTF-16LE text as TextDecoder gives it (unpaired surrogates become U+FFFD), of `byteLength`
 * bytes or up to the first NUL code unit when `stopAtNul`.
 */
export function decodeUtf16Flat(
  view: ByteView,
  offset: number,
  byteLength: number,
  stopAtNul = false,
): string {
  view.check(offset, byteLength);
  const bytes = view.bytes;
  let end = offset + (byteLength & ~1);
  let surrogate = false;
  for (let cursor = offset; cursor < end; cursor += 2) {
    const high = bytes[cursor + 1]!;
    if (stopAtNul && high === 0 && bytes[cursor] === 0) {
      end = cursor;
      break;
    }
    if (high >= 0xd8 && high <= 0xdf) surrogate = true;
  }
  const length = end - offset;
  if (surrogate || length > SHORT_UNITS * 2) return decoder.decode(bytes.subarray(offset, end));
  return utf16Units(view, offset, length);
}
