import { inflateSync } from 'node:zlib';
import { FormatError } from '../io/format-error.js';
import { setOwn } from '../io/own-key.js';

/** Most bytes a header section may inflate to (case text is a few hundred bytes). */
const MAX_HEADER_TEXT = 1024 * 1024;

/**
 * The case information of a `header` (zlib, ASCII/codepage text) or `header2` (zlib,
 * UTF-16LE with a byte order mark) section: category count, `main`, a tab-separated line of
 * keys and one of values. Returns the key/value pairs of the `main` category.
 */
export function parseHeaderSection(
  compressed: Uint8Array,
  kind: 'header' | 'header2',
  offset: number,
  file: string,
): Record<string, string> {
  let bytes: Buffer;
  try {
    bytes = inflateSync(compressed, { maxOutputLength: MAX_HEADER_TEXT });
  } catch (error) {
    throw new FormatError('ewf', kind, offset, `cannot inflate: ${(error as Error).message}`, file);
  }
  let text: string;
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  } else if (kind === 'header2') {
    text = new TextDecoder('utf-16le').decode(bytes);
  } else {
    text = new TextDecoder('latin1').decode(bytes);
  }
  const lines = text.split(/\r?\n/);
  const main = lines.indexOf('main');
  if (main < 0 || lines[main + 1] === undefined || lines[main + 2] === undefined) {
    throw new FormatError('ewf', kind, offset, 'no "main" category with keys and values', file);
  }
  const keys = lines[main + 1]!.split('\t');
  const values = lines[main + 2]!.split('\t');
  const result: Record<string, string> = {};
  keys.forEach((key, index) => {
    if (key !== '') setOwn(result, key, values[index] ?? '');
  });
  return result;
}
