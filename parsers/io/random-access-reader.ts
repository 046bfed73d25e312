import { access, type FileHandle, open } from 'node:fs/promises';
import { ByteView } from './byte-view.js';
import { FormatError } from './format-error.js';

/**
 * Random access to evidence bytes: a file, a buffer, a file inside a zip or a disk image.
 * Readers are read-only by construction: there is no write method anywhere.
 */
export interface RandomAccessReader {
  /** What the bytes are, for error messages (a path, or `image.E01:/WINDOWS/...`). */
  readonly name: string;
  readonly size: number;
  /**
   * Exactly `length` bytes at `offset`. A read past the end throws a FormatError
   * (format `io`), so truncated evidence is reported rather than silently padded.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function readPastEnd(reader: RandomAccessReader, offset: number, length: number): FormatError {
  return new FormatError(
    'io',
    'read',
    offset,
    `read of ${length} bytes past the end (size ${reader.size})`,
    reader.name,
  );
}

/** Throws `readPastEnd` unless `offset`/`length` are safe, non-negative and within `reader.size`. */
export function checkRange(reader: RandomAccessReader, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > reader.size
  ) {
    throw readPastEnd(reader, offset, length);
  }
}

/** Reads up to `length` bytes, fewer at the end of the data (never throws for the end). */
export async function readAvailable(
  reader: RandomAccessReader,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const available = Math.max(0, Math.min(length, reader.size - offset));
  if (available === 0) return new Uint8Array(0);
  return reader.read(offset, available);
}

/** Reads bytes into a ByteView whose errors carry the absolute offset. */
export async function readView(
  reader: RandomAccessReader,
  offset: number,
  length: number,
  format: string,
  structure: string,
): Promise<ByteView> {
  try {
    return new ByteView(await reader.read(offset, length), offset, format, structure);
  } catch (error) {
    if (error instanceof FormatError && error.format === 'io') {
      throw new FormatError(format, structure, offset, `truncated: ${error.reason}`, reader.name);
    }
    throw error;
  }
}

export class BufferReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array, name = 'buffer') {
    this.bytes = bytes;
    this.size = bytes.length;
    this.name = name;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }

  /** Synchronous access for callers that hold the whole buffer anyway. */
  get buffer(): Uint8Array {
    return this.bytes;
  }

  async close(): Promise<void> {}
}

/** Whether a file can be reached (image segments, extents and parents are looked up by name). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A file opened read-only ('r'); evidence is never opened for writing. */
export class FileReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly handle: FileHandle;

  private constructor(name: string, handle: FileHandle, size: number) {
    this.name = name;
    this.handle = handle;
    this.size = size;
  }

  static async open(path: string): Promise<FileReader> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      return new FileReader(path, handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) throw readPastEnd(this, offset + filled, length - filled);
      filled += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A window [start, start + size) of another reader: a partition, a file's bytes in a container. */
export class SliceReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly inner: RandomAccessReader;
  private readonly start: number;

  constructor(inner: RandomAccessReader, start: number, size: number, name = `${inner.name}@${start}`) {
    if (start < 0 || size < 0 || start + size > inner.size) {
      throw new FormatError(
        'io',
        'slice',
        start,
        `slice of ${size} bytes does not fit in ${inner.size}`,
        inner.name,
      );
    }
    this.inner = inner;
    this.start = start;
    this.size = size;
    this.name = name;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.inner.read(this.start + offset, length);
  }

  /** The slice does not own the inner reader. */
  async close(): Promise<void> {}
}

/**
 * A page cache in front of a slow or random-access-heavy reader (a hive inside an image,
 * an NTFS MFT). Memory is bounded by `pageSize * maxPages`.
 */
export class CachedReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly inner: RandomAccessReader;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly pages = new Map<number, Uint8Array>();

  constructor(inner: RandomAccessReader, options: { pageSize?: number; maxPages?: number } = {}) {
    this.inner = inner;
    this.name = inner.name;
    this.size = inner.size;
    this.pageSize = options.pageSize ?? 64 * 1024;
    this.maxPages = options.maxPages ?? 256;
  }

  private async page(index: number): Promise<Uint8Array> {
    const cached = this.pages.get(index);
    if (cached !== undefined) {
      // Refresh recency: Map iteration order is insertion order.
      this.pages.delete(index);
      this.pages.set(index, cached);
      return cached;
    }
    const bytes = await readAvailable(this.inner, index * this.pageSize, this.pageSize);
    this.pages.set(index, bytes);
    if (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.pages.delete(oldest);
    }
    return bytes;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const first = Math.floor(offset / this.pageSize);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / this.pageSize);
    if (first === last) {
      const page = await this.page(first);
      const start = offset - first * this.pageSize;
      return page.subarray(start, start + length);
    }
    const out = new Uint8Array(length);
    let written = 0;
    for (let index = first; index <= last; index += 1) {
      const page = await this.page(index);
      const start = index === first ? offset - first * this.pageSize : 0;
      const take = Math.min(page.length - start, length - written);
      out.set(page.subarray(start, start + take), written);
      written += take;
    }
    return out;
  }

  async close(): Promise<void> {
    this.pages.clear();
    await this.inner.close();
  }
}

/** Streams a reader's bytes in order, in blocks, for hashing or text parsing. */
export async function* readBlocks(
  reader: RandomAccessReader,
  blockSize = 1024 * 1024,
  start = 0,
  end = reader.size,
): AsyncGenerator<Uint8Array> {
  for (let offset = start; offset < end; offset += blockSize) {
    yield await reader.read(offset, Math.min(blockSize, end - offset));
  }
}
