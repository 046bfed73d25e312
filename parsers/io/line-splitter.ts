/**
 * Synchronous counterpart of `readLines` for parsers that must run at disk speed: the same
 * lines, numbers, byte offsets, CR/BOM handling and length cap, but delivered through a
 * callback per pushed block instead of one promise per line, and decoded one block at a time
 * (one native decode + split per block instead of one per line). `readLines` yields objects;
 * this calls `sink(text, number, offset, truncated)` and allocates only the line strings.
 */
import type { LineOptions } from './text-lines.js';

export type LineSink = (text: string, number: number, offset: number, truncated: boolean) => void;

const LF = 0x0a;
/** Bytes split per batch in `splitLineBatches`. */
const BATCH_BYTES = 64 * 1024;
const CR = 0x0d;

export class LineSplitter {
  readonly #sink: LineSink;
  readonly #max: number;
  readonly #encoding: 'utf8' | 'latin1';
  /** Bytes of the unfinished line (at most `max`). */
  #carry: Buffer | undefined;
  /** The unfinished line is over the cap: its further bytes are dropped until LF. */
  #skipping = false;
  #carryOffset = 0;
  /** Stream offset of the next byte pushed. */
  #offset = 0;
  #number = 0;
  #first = true;

  constructor(sink: LineSink, options: LineOptions = {}) {
    this.#sink = sink;
    this.#max = options.maxLineBytes ?? 64 * 1024;
    this.#encoding = options.encoding === 'latin1' ? 'latin1' : 'utf8';
  }

  /** Lines seen so far. */
  get lineCount(): number {
    return this.#number;
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const base = this.#offset;
    this.#offset += buf.length;
    let position = 0;
    if (this.#carry !== undefined) {
      const newline = buf.indexOf(LF);
      if (newline < 0) {
        this.#extendCarry(buf);
        return;
      }
      this.#extendCarry(buf.subarray(0, newline));
      const carry = this.#carry;
      this.#carry = undefined;
      this.#emitBytes(carry, 0, carry.length, this.#carryOffset, this.#skipping);
      this.#skipping = false;
      position = newline + 1;
    }
    const last = buf.lastIndexOf(LF);
    if (last >= position) {
      this.#emitBlock(buf, position, last, base);
      position = last + 1;
    }
    if (position < buf.length) {
      this.#carryOffset = base + position;
      this.#carry = Buffer.alloc(0);
      this.#skipping = false;
      this.#extendCarry(buf.subarray(position));
    }
  }

  /** Flushes a last line that has no LF. */
  end(): void {
    if (this.#carry !== undefined) {
      const carry = this.#carry;
      this.#carry = undefined;
      if (carry.length > 0 || this.#skipping)
        this.#emitBytes(carry, 0, carry.length, this.#carryOffset, this.#skipping);
      this.#skipping = false;
    }
  }

  #extendCarry(bytes: Buffer): void {
    if (this.#skipping) return;
    const carry = this.#carry ?? Buffer.alloc(0);
    const room = this.#max - carry.length;
    if (bytes.length > room) {
      this.#carry = Buffer.concat([carry, bytes.subarray(0, room)]);
      this.#skipping = true;
    } else {
      this.#carry = Buffer.concat([carry, bytes]);
    }
  }

  /** Lines in buf[start, lastNewline): decoded in one go, split on LF. */
  #emitBlock(buf: Buffer, start: number, lastNewline: number, base: number): void {
    const text = buf.toString(this.#encoding, start, lastNewline);
    const pieces = text.split('\n');
    let byteStart = start;
    const sink = this.#sink;
    // Latin-1, or UTF-8 that decoded to as many characters as bytes (ASCII): character
    // positions are byte positions, so line ends need no search in the bytes.
    const oneBytePerChar = text.length === lastNewline - start;
    for (let i = 0; i < pieces.length; i++) {
      const byteEnd =
        i === pieces.length - 1
          ? lastNewline
          : oneBytePerChar
            ? byteStart + pieces[i]!.length
            : buf.indexOf(LF, byteStart);
      if (byteEnd - byteStart > this.#max) {
        this.#emitBytes(buf, byteStart, byteStart + this.#max, base + byteStart, true);
      } else {
        let line = pieces[i]!;
        if (line.length > 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
        if (this.#first) {
          this.#first = false;
          if (line.charCodeAt(0) === 0xfeff && this.#encoding === 'utf8') line = line.slice(1);
          else if (this.#encoding === 'latin1' && line.startsWith('\u00ef\u00bb\u00bf')) line = line.slice(3);
        }
        this.#number += 1;
        sink(line, this.#number, base + byteStart, false);
      }
      byteStart = byteEnd + 1;
    }
  }

  #emitBytes(buf: Buffer, start: number, end: number, offset: number, truncated: boolean): void {
    let stop = end;
    if (stop > start && buf[stop - 1] === CR) stop -= 1;
    let from = start;
    if (this.#first) {
      this.#first = false;
      if (stop - from >= 3 && buf[from] === 0xef && buf[from + 1] === 0xbb && buf[from + 2] === 0xbf)
        from += 3;
    }
    this.#number += 1;
    this.#sink(buf.toString(this.#encoding, from, stop), this.#number, offset, truncated);
  }
}

/**
 * Convenience: runs a byte stream through a `LineSplitter`, handing the caller each block's
 * results (e.g. a batch of records) as soon as the block is split.
 */
export async function* splitLineBatches<T>(
  source: AsyncIterable<Uint8Array>,
  options: LineOptions,
  onLine: (text: string, number: number, offset: number, truncated: boolean, out: T[]) => void,
): AsyncGenerator<T[]> {
  let out: T[] = [];
  const splitter = new LineSplitter(
    (text, number, offset, truncated) => onLine(text, number, offset, truncated, out),
    options,
  );
  for await (const chunk of source) {
    // Bounded batches: a consumer's batch stays small and short-lived whatever the block size.
    for (let position = 0; position < chunk.length; position += BATCH_BYTES) {
      splitter.push(chunk.subarray(position, position + BATCH_BYTES));
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
  }
  splitter.end();
  if (out.length > 0) yield out;
}
