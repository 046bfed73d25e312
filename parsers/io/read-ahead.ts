import { ByteView } from './byte-view.js';
import { type RandomAccessReader, readView } from './random-access-reader.js';

/**
 * Sequential block reads with one block of read-ahead: while a parser works through one block,
 * the next is already being read, so a sequential walk does not sit idle waiting for I/O.
 * Memory: two blocks. Blocks are plain Uint8Arrays (a Node Buffer's sub-arrays are Buffers,
 * costly to make for every short string decoded from them).
 */
export class ReadAhead {
  private readonly reader: RandomAccessReader;
  private readonly format: string;
  private readonly structure: string;
  private pending: { offset: number; length: number; view: Promise<ByteView> } | undefined;

  constructor(reader: RandomAccessReader, format: string, structure: string) {
    this.reader = reader;
    this.format = format;
    this.structure = structure;
  }

  /** The `length` bytes at `offset` (from the read-ahead when it is that block). */
  async read(offset: number, length: number): Promise<ByteView> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined && pending.offset === offset && pending.length === length) return pending.view;
    return this.load(offset, length);
  }

  /** Starts reading the block a later `read(offset, length)` will ask for. */
  prefetch(offset: number, length: number): void {
    if (length <= 0 || offset < 0 || offset + length > this.reader.size) return;
    const view = this.load(offset, length);
    // A failed read-ahead is reported when (if ever) the block is read; never unhandled.
    view.catch(() => undefined);
    this.pending = { offset, length, view };
  }

  private async load(offset: number, length: number): Promise<ByteView> {
    const view = await readView(this.reader, offset, length, this.format, this.structure);
    const bytes = view.bytes;
    return new ByteView(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      offset,
      this.format,
      this.structure,
    );
  }
}
