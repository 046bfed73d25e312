/**
 * Splits a byte stream into lines without holding more than one block and one line.
 * Accepts LF and CRLF; a line longer than `maxLineBytes` is cut and flagged, so a file with
 * no newline at all (binary garbage) cannot grow memory without bound.
 */
export interface TextLine {
  /** 1-based line number. */
  number: number;
  /** Byte offset of the line's first byte in the stream. */
  offset: number;
  text: string;
  /** True when the line was longer than the limit and was cut. */
  truncated: boolean;
}

export interface LineOptions {
  maxLineBytes?: number;
  encoding?: 'utf-8' | 'latin1';
}

export async function* readLines(
  source: AsyncIterable<Uint8Array>,
  options: LineOptions = {},
): AsyncGenerator<TextLine> {
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024;
  const encoding = options.encoding === 'latin1' ? 'latin1' : 'utf8';
  let carry: Buffer = Buffer.alloc(0);
  let carryTruncated = false;
  let lineNumber = 0;
  let offset = 0;
  let firstLine = true;
  // Bytes of the current line already consumed from earlier blocks.
  let pendingSkipped = 0;

  const finish = (raw: Buffer, truncated: boolean): TextLine => {
    let end = raw.length;
    if (end > 0 && raw[end - 1] === 0x0d) end -= 1;
    let start = 0;
    // A UTF-8 byte-order mark at the very start is not part of the text.
    if (firstLine && end >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) start = 3;
    firstLine = false;
    lineNumber += 1;
    const line: TextLine = {
      number: lineNumber,
      offset,
      text: raw.toString(encoding, start, end),
      truncated,
    };
    return line;
  };

  for await (const chunk of source) {
    const block = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let position = 0;
    while (position < block.length) {
      const newline = block.indexOf(0x0a, position);
      if (newline === -1) {
        const rest = block.subarray(position);
        if (carry.length + rest.length > maxLineBytes) {
          const room = Math.max(0, maxLineBytes - carry.length);
          if (room > 0) carry = Buffer.concat([carry, rest.subarray(0, room)]);
          carryTruncated = true;
        } else {
          carry = carry.length === 0 ? Buffer.from(rest) : Buffer.concat([carry, rest]);
        }
        // Count skipped bytes toward the next line's offset.
        pendingSkipped += rest.length;
        break;
      }
      const piece = block.subarray(position, newline);
      let raw: Buffer;
      let truncated = carryTruncated;
      if (carry.length === 0) {
        raw = piece;
        if (raw.length > maxLineBytes) {
          raw = raw.subarray(0, maxLineBytes);
          truncated = true;
        }
      } else {
        const room = Math.max(0, maxLineBytes - carry.length);
        if (piece.length > room) truncated = true;
        raw = Buffer.concat([carry, piece.subarray(0, room)]);
      }
      const consumed = pendingSkipped + piece.length + 1;
      yield finish(raw, truncated);
      offset += consumed;
      pendingSkipped = 0;
      carry = Buffer.alloc(0);
      carryTruncated = false;
      position = newline + 1;
    }
  }
  if (carry.length > 0 || carryTruncated) yield finish(carry, carryTruncated);
}
