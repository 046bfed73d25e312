import type { ByteView } from './byte-view.js';

/**
 * Text decoding for the many short strings of record formats (registry key and value names,
 * small string values), where creating a TextDecoder call per string costs more than the
 * decoding. Bounds are checked once through the ByteView; results match TextDecoder:
 * unpaired UTF-16 surrogates become U+FFFD.
 */
const utf16Decoder = new TextDecoder('utf-16le');
const SHORT_TEXT = 128;

/** UTF-16LE text of `length` bytes (odd final byte dropped); stops at the first NUL when asked. */
export function decodeUtf16(view: ByteView, offset: number, length: number, stopAtNul = false): string {
  view.check(offset, length);
  const bytes = view.bytes;
  let end = offset + (length & ~1);
  if (stopAtNul) {
    for (let cursor = offset; cursor < end; cursor += 2) {
      if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) {
        end = cursor;
        break;
      }
    }
  }
  if (end - offset > SHORT_TEXT) return utf16Decoder.decode(bytes.subarray(offset, end));
  let text = '';
  let surrogate = false;
  for (let cursor = offset; cursor < end; cursor += 2) {
    const unit = bytes[cursor]! | (bytes[cursor + 1]! << 8);
    if (unit >= 0xd800 && unit <= 0xdfff) surrogate = true;
    text += String.fromCharCode(unit);
  }
  return surrogate ? utf16Decoder.decode(bytes.subarray(offset, end)) : text;
}

/** Single-byte text as ISO-8859-1 (each byte to the code point of the same number). */
export function decodeLatin1(view: ByteView, offset: number, length: number, stopAtNul = false): string {
  view.check(offset, length);
  const bytes = view.bytes;
  const end = offset + length;
  let text = '';
  for (let cursor = offset; cursor < end; cursor += 1) {
    const byte = bytes[cursor]!;
    if (byte === 0 && stopAtNul) break;
    text += String.fromCharCode(byte);
  }
  return text;
}
