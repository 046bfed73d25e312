import { inflateSync } from 'node:zlib';
import { FormatError } from '../io/format-error.js';
import {
  checkRange,
  type FileReader,
  type RandomAccessReader,
  readView,
} from '../io/random-access-reader.js';
import {
  COMPRESSION_DEFLATE,
  FLAG_COMPRESSED,
  FLAG_REDUNDANT_GT,
  parseSparseExtentHeader,
  SPARSE_HEADER_SIZE,
  type SparseExtentHeader,
} from './sparse-extent-header.js';

const FORMAT = 'vmdk';
const SECTOR = 512;
/** Grain table entry: grain not allocated (read the parent, or zeros). */
const GTE_UNALLOCATED = 0;
/** Grain table entry 1: a zeroed grain (zeroed-grain GTE feature). */
const GTE_ZERO = 1;
/** Compressed grain marker: LBA (8) and compressed size (4) before the deflate data. */
const GRAIN_MARKER_SIZE = 12;
/** streamOptimized: footer marker, footer (a header copy), end-of-stream marker at the end. */
const FOOTER_FROM_END = 1024;
const MAX_GRAIN_SECTORS = 2048;
const MAX_GTES_PER_GT = 65536;
/** Adjacent plain grains are read together up to this many bytes. */
const MAX_RUN_BYTES = 4 * 1024 * 1024;

export interface SparseExtentOptions {
  cacheTables?: number;
  cacheGrains?: number;
  /** Reads unallocated grains (a child disk's parent); zeros when absent. */
  fallback?: (offset: number, length: number) => Promise<Uint8Array>;
}

/**
 * One hosted sparse extent (`KDMV`): a grain directory of grain tables of grain offsets.
 * Its size is the extent's capacity. Grain tables and decompressed grains are LRU-cached.
 */
export class SparseExtent implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  readonly header: SparseExtentHeader;
  private readonly file: FileReader;
  private readonly directory: Uint32Array;
  private readonly redundant: Uint32Array | undefined;
  private readonly grainBytes: number;
  private readonly compressed: boolean;
  private readonly tables = new Map<number, Uint32Array>();
  private readonly grains = new Map<number, Uint8Array>();
  private readonly cacheTables: number;
  private readonly cacheGrains: number;
  private readonly fallback: SparseExtentOptions['fallback'];

  private constructor(
    file: FileReader,
    header: SparseExtentHeader,
    directory: Uint32Array,
    redundant: Uint32Array | undefined,
    options: SparseExtentOptions,
  ) {
    this.redundant = redundant;
    this.file = file;
    this.name = file.name;
    this.header = header;
    this.size = header.capacity * SECTOR;
    this.directory = directory;
    this.grainBytes = header.grainSize * SECTOR;
    this.compressed = (header.flags & FLAG_COMPRESSED) !== 0;
    this.cacheTables = Math.max(1, options.cacheTables ?? 64);
    this.cacheGrains = Math.max(1, options.cacheGrains ?? 32);
    this.fallback = options.fallback;
  }

  /** Reads the header (and the streamOptimized footer when the directory is at the end). */
  static async readHeader(file: FileReader): Promise<SparseExtentHeader> {
    let header = parseSparseExtentHeader(
      await readView(file, 0, SPARSE_HEADER_SIZE, FORMAT, 'sparse extent header'),
      file.name,
    );
    if (header.gdOffset === undefined) {
      if (file.size < FOOTER_FROM_END + SPARSE_HEADER_SIZE) {
        throw new FormatError(FORMAT, 'footer', 0, 'grain directory at the end, but no footer', file.name);
      }
      header = parseSparseExtentHeader(
        await readView(file, file.size - FOOTER_FROM_END, SPARSE_HEADER_SIZE, FORMAT, 'footer'),
        file.name,
      );
      if (header.gdOffset === undefined) {
        throw new FormatError(
          FORMAT,
          'footer',
          file.size - FOOTER_FROM_END,
          'footer has no grain directory offset',
          file.name,
        );
      }
    }
    return header;
  }

  static async open(file: FileReader, options: SparseExtentOptions = {}): Promise<SparseExtent> {
    const header = await SparseExtent.readHeader(file);
    const { grainSize, numGTEsPerGT, capacity } = header;
    if (grainSize < 1 || grainSize > MAX_GRAIN_SECTORS || (grainSize & (grainSize - 1)) !== 0) {
      throw new FormatError(
        FORMAT,
        'sparse extent header',
        20,
        `impossible grain size ${grainSize} sectors`,
        file.name,
      );
    }
    if (numGTEsPerGT < 1 || numGTEsPerGT > MAX_GTES_PER_GT) {
      throw new FormatError(
        FORMAT,
        'sparse extent header',
        44,
        `impossible ${numGTEsPerGT} entries per grain table`,
        file.name,
      );
    }
    if ((header.flags & FLAG_COMPRESSED) !== 0 && header.compressAlgorithm !== COMPRESSION_DEFLATE) {
      throw new FormatError(
        FORMAT,
        'sparse extent header',
        77,
        `unknown compression ${header.compressAlgorithm}`,
        file.name,
      );
    }
    const grains = Math.ceil(capacity / grainSize);
    const entries = Math.ceil(grains / numGTEsPerGT);
    if (entries * 4 > file.size) {
      throw new FormatError(
        FORMAT,
        'grain directory',
        (header.gdOffset ?? 0) * SECTOR,
        `${entries} grain directory entries cannot fit in a file of ${file.size} bytes`,
        file.name,
      );
    }
    const readDirectory = async (sector: number): Promise<Uint32Array> => {
      const view = await readView(file, sector * SECTOR, entries * 4, FORMAT, 'grain directory');
      const directory = new Uint32Array(entries);
      for (let index = 0; index < entries; index += 1) directory[index] = view.u32(index * 4);
      return directory;
    };
    // The redundant directory (and its tables) back up the primary ones when those are unreadable.
    let redundant: Uint32Array | undefined;
    if ((header.flags & FLAG_REDUNDANT_GT) !== 0 && header.rgdOffset > 0) {
      try {
        redundant = await readDirectory(header.rgdOffset);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    }
    let directory: Uint32Array;
    try {
      directory = await readDirectory(header.gdOffset!);
    } catch (error) {
      if (!(error instanceof FormatError) || redundant === undefined) throw error;
      directory = redundant;
      redundant = undefined;
    }
    return new SparseExtent(file, header, directory, redundant, options);
  }

  private async readTable(sector: number): Promise<Uint32Array> {
    const count = this.header.numGTEsPerGT;
    const view = await readView(this.file, sector * SECTOR, count * 4, FORMAT, 'grain table');
    const table = new Uint32Array(count);
    for (let entry = 0; entry < count; entry += 1) table[entry] = view.u32(entry * 4);
    return table;
  }

  private async table(index: number): Promise<Uint32Array | undefined> {
    const cached = this.tables.get(index);
    if (cached !== undefined) return cached;
    const sector = this.directory[index]!;
    if (sector === 0) return undefined;
    let table: Uint32Array;
    try {
      table = await this.readTable(sector);
    } catch (error) {
      const backup = this.redundant?.[index] ?? 0;
      if (!(error instanceof FormatError) || backup === 0) throw error;
      table = await this.readTable(backup);
    }
    this.tables.set(index, table);
    if (this.tables.size > this.cacheTables) {
      const oldest = this.tables.keys().next().value;
      if (oldest !== undefined) this.tables.delete(oldest);
    }
    return table;
  }

  private async compressedGrain(grain: number, sector: number): Promise<Uint8Array> {
    const cached = this.grains.get(grain);
    if (cached !== undefined) return cached;
    const at = sector * SECTOR;
    const marker = await readView(this.file, at, GRAIN_MARKER_SIZE, FORMAT, 'grain marker');
    const size = marker.u32(8);
    if (size === 0 || size > this.grainBytes * 2 + 1024) {
      throw new FormatError(
        FORMAT,
        'grain marker',
        at,
        `compressed grain ${grain} of ${size} bytes`,
        this.name,
      );
    }
    const data = await readView(this.file, at + GRAIN_MARKER_SIZE, size, FORMAT, 'compressed grain');
    let grainData: Uint8Array;
    try {
      grainData = inflateSync(data.bytes, { maxOutputLength: this.grainBytes });
    } catch (error) {
      throw new FormatError(
        FORMAT,
        'compressed grain',
        at,
        `grain ${grain}: ${(error as Error).message}`,
        this.name,
      );
    }
    if (grainData.length < this.grainBytes) {
      const padded = new Uint8Array(this.grainBytes);
      padded.set(grainData);
      grainData = padded;
    }
    this.grains.set(grain, grainData);
    if (this.grains.size > this.cacheGrains) {
      const oldest = this.grains.keys().next().value;
      if (oldest !== undefined) this.grains.delete(oldest);
    }
    return grainData;
  }

  private async entryOf(grain: number): Promise<number> {
    const table = await this.table(Math.floor(grain / this.header.numGTEsPerGT));
    return table === undefined ? GTE_UNALLOCATED : table[grain % this.header.numGTEsPerGT]!;
  }

  /**
   * Fills out[at, ...) from the grain holding `offset` and, for plain grains, the following grains
   * stored right after it in the file (one read for the run). Returns the bytes filled.
   */
  private async readGrains(offset: number, length: number, out: Uint8Array, at: number): Promise<number> {
    const grainBytes = this.grainBytes;
    const grain = Math.floor(offset / grainBytes);
    const within = offset - grain * grainBytes;
    const take = Math.min(grainBytes - within, length);
    const entry = await this.entryOf(grain);
    if (entry === GTE_UNALLOCATED) {
      if (this.fallback !== undefined) out.set(await this.fallback(offset, take), at);
      else out.fill(0, at, at + take);
      return take;
    }
    if (entry === GTE_ZERO) {
      out.fill(0, at, at + take);
      return take;
    }
    if (this.compressed) {
      out.set((await this.compressedGrain(grain, entry)).subarray(within, within + take), at);
      return take;
    }
    let span = take;
    let next = grain + 1;
    while (
      span < length &&
      span < MAX_RUN_BYTES &&
      (await this.entryOf(next)) === entry + (next - grain) * this.header.grainSize
    ) {
      span += Math.min(grainBytes, length - span);
      next += 1;
    }
    const start = entry * SECTOR + within;
    if (start + span > this.file.size) {
      throw new FormatError(
        FORMAT,
        'grain table entry',
        entry * SECTOR,
        `grain ${grain} lies past the end of the file`,
        this.name,
      );
    }
    out.set(await this.file.read(start, span), at);
    return span;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) done += await this.readGrains(offset + done, length - done, out, done);
    return out;
  }

  /** The extent does not own its file (the image closes every file once). */
  async close(): Promise<void> {
    this.tables.clear();
    this.grains.clear();
  }
}
