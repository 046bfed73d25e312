/**
 * The data area of an EVT log, [0x30, file size), is a circular buffer: a record that reaches
 * the end of the file continues right after the header. A RingWindow reads a stretch of that
 * ring as a straight "logical" byte sequence, in large blocks, so records split across the end
 * of the file parse like any other. Logical position 0 is physical offset `origin`.
 */
import { ByteView, type RandomAccessReader } from '../io/index.js';
import { ELF_LOGFILE_HEADER_SIZE, EVT_FORMAT } from './file-header.js';

export const DATA_START = ELF_LOGFILE_HEADER_SIZE;

export class RingWindow {
  readonly origin: number;
  /** Logical length of the stretch (may exceed the ring size by a little for seam scans). */
  readonly limit: number;
  private readonly reader: RandomAccessReader;
  private readonly blockSize: number;
  private readonly ringSize: number;
  /** Logical start and end of the bytes in `view`. */
  start = 0;
  end = 0;
  view: ByteView = new ByteView(new Uint8Array(0), 0, EVT_FORMAT, 'data');

  constructor(reader: RandomAccessReader, origin: number, limit: number, blockSize: number) {
    this.reader = reader;
    this.ringSize = Math.max(0, reader.size - DATA_START);
    this.origin = origin;
    this.limit = Math.max(0, limit);
    this.blockSize = blockSize;
  }

  /** Physical file offset of a logical position. */
  physical(logical: number): number {
    return DATA_START + ((this.origin - DATA_START + logical) % this.ringSize);
  }

  /** Bytes from a logical position to the physical end of the file (where the ring wraps). */
  toSeam(logical: number): number {
    return this.reader.size - this.physical(logical);
  }

  /** Loads a window of up to `blockSize` bytes starting at logical `from`. */
  async load(from: number): Promise<void> {
    const length = Math.max(0, Math.min(this.blockSize, this.limit - from));
    const parts: Uint8Array[] = [];
    let done = 0;
    while (done < length) {
      const physical = this.physical(from + done);
      const take = Math.min(length - done, this.reader.size - physical);
      parts.push(await this.reader.read(physical, take));
      done += take;
    }
    let bytes: Uint8Array;
    // A plain Uint8Array over the read buffer: sub-arrays of a Node Buffer are Buffers, whose
    // construction costs more than the short strings decoded from them.
    if (parts.length === 1) bytes = new Uint8Array(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.length);
    else {
      bytes = new Uint8Array(length);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.length;
      }
    }
    this.start = from;
    this.end = from + length;
    this.view = new ByteView(bytes, this.physical(from), EVT_FORMAT, 'data');
  }

  /**
   * Whether `[logical, logical + size)` is in the window: 'ok'; 'refill' when more can be
   * read; 'short' when the stretch ends first.
   */
  need(logical: number, size: number): 'ok' | 'refill' | 'short' {
    if (logical >= this.start && logical + size <= this.end) return 'ok';
    if (logical + size > this.limit) return 'short';
    return 'refill';
  }
}

/** Distance going forward around the ring from physical `from` to physical `to`. */
export function ringDistance(from: number, to: number, fileSize: number): number {
  return to >= from ? to - from : fileSize - from + (to - DATA_START);
}
