import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { ByteView } from '../io/byte-view.js';
import { FormatError, type FormatErrorRecord } from '../io/format-error.js';
import {
  checkRange,
  FileReader,
  fileExists,
  type RandomAccessReader,
  readView,
} from '../io/random-access-reader.js';
import { adler32 } from './adler32.js';
import { type AcquisitionError, parseError2Section } from './error2-section.js';
import { FILE_HEADER_SIZE, parseFileHeader, signatureOf } from './file-header.js';
import { parseDigestSection, parseHashSection } from './hash-section.js';
import { parseHeaderSection } from './header-section.js';
import { parseSectionDescriptor, SECTION_DESCRIPTOR_SIZE } from './section-descriptor.js';
import { MAX_SEGMENT_NUMBER, segmentNaming, segmentPath } from './segment-names.js';
import {
  COMPRESSED_FLAG,
  entriesChecksumValid,
  parseTableHeader,
  TABLE_ENTRY_SIZE,
  TABLE_HEADER_SIZE,
} from './table-section.js';
import { parseVolume, type Volume } from './volume-section.js';

const FORMAT = 'ewf';
/** Largest chunk accepted (EWF allows 32768 sectors x 512 bytes = 16 MiB). */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Sections that may be read whole (case text, volume, hashes) are small; refuse more. */
const MAX_SMALL_SECTION = 16 * 1024 * 1024;
/** Entries one table may have (4 Mi entries describe 128 GiB in 32 KiB chunks); more is damage. */
const MAX_TABLE_ENTRIES = 4 * 1024 * 1024;
/** Decoded table entries kept in the table cache (about 13 bytes each). */
const MAX_CACHED_ENTRIES = 4 * 1024 * 1024;
/** Most bytes of decoded chunks kept in the cache, whatever the chunk size. */
const CACHE_BYTES = 64 * 1024 * 1024;
/** One batched read of consecutive chunks stays below this many bytes. */
const BATCH_BYTES = 4 * 1024 * 1024;
/** Only reads at least this large (sequential readers) start a read-ahead. */
const PREFETCH_AFTER = 1024 * 1024;
/** Compressed chunks this small (a chunk of zeros deflates to ~50 bytes) are memoised... */
const TINY_COMPRESSED = 128;
/** ...up to this many distinct ones. */
const MAX_TINY_CHUNKS = 64;

export interface EwfOptions {
  /** Decoded chunks kept (LRU). Default 64, and never more than 64 MiB of chunks. */
  cacheChunks?: number;
  /** Decoded chunk tables kept (LRU). Default 32. */
  cacheTables?: number;
  /** Open a set whose later segments are missing; chunks in them fail when read. Default false. */
  allowIncomplete?: boolean;
}

/** Case and acquisition information, plain data. */
export interface EwfInfo {
  segments: string[];
  mediaSize: number;
  bytesPerSector: number;
  sectorCount: number;
  sectorsPerChunk: number;
  chunkSize: number;
  chunkCount: number;
  mediaType: Volume['mediaType'];
  isPhysical: boolean;
  compressionLevel: Volume['compressionLevel'];
  errorGranularity: number;
  setIdentifier: string;
  caseNumber?: string;
  evidenceNumber?: string;
  description?: string;
  examinerName?: string;
  notes?: string;
  acquisitionSoftwareVersion?: string;
  acquisitionPlatform?: string;
  /** As stored: epoch seconds (header2) rendered as ISO 8601 UTC, or the header's local "Y M D h m s". */
  acquisitionDate?: string;
  systemDate?: string;
  model?: string;
  serialNumber?: string;
  /** All key/value pairs of the case header (`c`, `n`, `a`, `e`, `t`, `av`, `ov`, `m`, `u`, ...). */
  headerValues: Record<string, string>;
  md5?: string;
  sha1?: string;
  acquisitionErrors: AcquisitionError[];
}

export interface EwfVerifyResult {
  md5: string;
  sha1: string;
  storedMd5?: string;
  storedSha1?: string;
  /** undefined when the image stores no such hash. */
  md5Matches?: boolean;
  sha1Matches?: boolean;
  /** Chunks that could not be read (hashed as zeros, as ewfverify does). */
  errors: FormatErrorRecord[];
}

interface TableLocation {
  segment: number;
  /** Offset of the table section's data (its header) in the segment file. */
  dataOffset: number;
  dataSize: number;
  headerValid: boolean;
}

interface Table {
  primary: TableLocation;
  backup?: TableLocation;
  entryCount: number;
  baseOffset: number;
  firstChunk: number;
}

/** Decoded chunk locations of one table. */
interface LoadedTable {
  offsets: Float64Array;
  sizes: Uint32Array;
  compressed: Uint8Array;
  segment: number;
}

/** Chunks [chunk, chunk + count) of one table, stored back to back at [start, end) of a file. */
interface Run {
  chunk: number;
  table: LoadedTable;
  entry: number;
  count: number;
  start: number;
  end: number;
}

interface Segment {
  path: string;
  reader: FileReader;
  /** Descriptor offsets in file order, to find where the last chunk of a table ends. */
  sectionStarts: number[];
}

const KEY_NAMES: Record<string, keyof EwfInfo> = {
  c: 'caseNumber',
  n: 'evidenceNumber',
  a: 'description',
  e: 'examinerName',
  t: 'notes',
  av: 'acquisitionSoftwareVersion',
  ov: 'acquisitionPlatform',
  md: 'model',
  sn: 'serialNumber',
};

/** Cheap detection from a file's first bytes: any EWF/EWF2 signature (EWF2 fails on open). */
export function detectEwf(firstBytes: Uint8Array, _name: string): boolean {
  return firstBytes.length >= 8 && signatureOf(firstBytes.subarray(0, 8)) !== undefined;
}

function swapExtensionCase(path: string): string {
  const dot = path.lastIndexOf('.');
  const extension = path.slice(dot);
  const swapped = extension === extension.toUpperCase() ? extension.toLowerCase() : extension.toUpperCase();
  return path.slice(0, dot) + swapped;
}

/** Epoch seconds (header2, linen) as ISO 8601 UTC; the header's local "Y M D h m s" stays as stored. */
function renderDate(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,11}$/.test(value)) return new Date(Number(value) * 1000).toISOString();
  return value;
}

/**
 * An EWF-E01 (EnCase, FTK, ewfacquire) image set as one read-only medium.
 * Chunks are located lazily through their tables; decoded chunks and tables are LRU-cached.
 */
export class EwfImage implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  readonly info: EwfInfo;
  /** Damage found while opening (bad checksums, a table replaced by its table2 copy). */
  readonly warnings: FormatErrorRecord[];
  private readonly segments: Segment[];
  private readonly tables: Table[];
  private readonly chunkSize: number;
  private readonly chunkCount: number;
  private readonly cacheChunks: number;
  private readonly cacheTables: number;
  private readonly chunkCache = new Map<number, Uint8Array>();
  private readonly tableCache = new Map<number, LoadedTable>();
  private cachedEntries = 0;
  /** The read of the run after the last large read, for sequential readers. */
  private prefetch: { chunk: number; planned: Promise<{ run: Run; data: Promise<Uint8Array> }> } | undefined;
  /** Decoded chunks keyed by their (tiny) compressed bytes. */
  private readonly tinyChunks = new Map<string, Uint8Array>();
  private readonly memoised = new WeakSet<ArrayBufferLike>();

  private constructor(
    name: string,
    info: EwfInfo,
    segments: Segment[],
    tables: Table[],
    warnings: FormatErrorRecord[],
    options: EwfOptions,
  ) {
    this.name = name;
    this.info = info;
    this.size = info.mediaSize;
    this.segments = segments;
    this.tables = tables;
    this.warnings = warnings;
    this.chunkSize = info.chunkSize;
    this.chunkCount = info.chunkCount;
    // Bounded in bytes as well: chunks may be up to 16 MiB.
    this.cacheChunks = Math.max(
      1,
      Math.min(options.cacheChunks ?? 64, Math.floor(CACHE_BYTES / this.chunkSize)),
    );
    this.cacheTables = Math.max(1, options.cacheTables ?? 32);
  }

  /** Opens `path` (the .E01) and its sibling segments read-only. */
  static async open(path: string, options: EwfOptions = {}): Promise<EwfImage> {
    const naming = segmentNaming(path);
    const segments: Segment[] = [];
    const warnings: FormatErrorRecord[] = [];
    const tables: Table[] = [];
    let volume: Volume | undefined;
    let header: Record<string, string> | undefined;
    let headerIsHeader2 = false;
    let md5: string | undefined;
    let sha1: string | undefined;
    const acquisitionErrors: AcquisitionError[] = [];
    let done = false;
    let chunkTotal = 0;
    let foreign: FormatError | undefined;
    const warn = (error: FormatError): void => {
      warnings.push(error.toJSON());
    };
    try {
      for (let number = 1; !done; number += 1) {
        let segmentFile = segmentPath(naming, number, path);
        if (number > 1 && !(await fileExists(segmentFile))) {
          // Sets copied between file systems sometimes change the extensions' case (.e02 beside .E01).
          const other = swapExtensionCase(segmentFile);
          if (await fileExists(other)) segmentFile = other;
        }
        if (number > 1 && !(await fileExists(segmentFile))) {
          const error = new FormatError(
            FORMAT,
            'segment',
            0,
            `segment ${number} is missing: the set ends without a "done" section`,
            segmentFile,
          );
          if (!options.allowIncomplete) throw error;
          warn(error);
          break;
        }
        const reader = await FileReader.open(segmentFile);
        const segment: Segment = { path: segmentFile, reader, sectionStarts: [] };
        segments.push(segment);
        const fileHeader = await readView(reader, 0, FILE_HEADER_SIZE, FORMAT, 'file header');
        let segmentNumber: number;
        try {
          segmentNumber = parseFileHeader(fileHeader, segmentFile);
        } catch (error) {
          if (error instanceof FormatError) error.withFile(segmentFile);
          throw error;
        }
        if (segmentNumber !== number) {
          throw new FormatError(
            FORMAT,
            'file header',
            9,
            `segment number ${segmentNumber} where ${number} was expected`,
            segmentFile,
          );
        }
        const segmentIndex = segments.length - 1;
        let offset = FILE_HEADER_SIZE;
        const maxSections = Math.floor(reader.size / SECTION_DESCRIPTOR_SIZE) + 1;
        let lastTable: Table | undefined;
        let previousType = '';
        for (let count = 0; count < maxSections; count += 1) {
          if (offset + SECTION_DESCRIPTOR_SIZE > reader.size) {
            warn(
              new FormatError(
                FORMAT,
                'section',
                offset,
                'segment ends without a next or done section',
                segmentFile,
              ),
            );
            break;
          }
          const descriptor = parseSectionDescriptor(
            await readView(reader, offset, SECTION_DESCRIPTOR_SIZE, FORMAT, 'section descriptor'),
          );
          if (!descriptor.checksumValid) {
            warn(
              new FormatError(
                FORMAT,
                'section descriptor',
                offset,
                `Adler-32 mismatch (${descriptor.type})`,
                segmentFile,
              ),
            );
          }
          segment.sectionStarts.push(offset);
          const dataOffset = offset + SECTION_DESCRIPTOR_SIZE;
          const end = descriptor.size >= SECTION_DESCRIPTOR_SIZE ? offset + descriptor.size : descriptor.next;
          const dataSize = Math.max(0, Math.min(end, reader.size) - dataOffset);
          const readSmall = async (structure: string): Promise<ByteView> => {
            if (dataSize > MAX_SMALL_SECTION) {
              throw new FormatError(
                FORMAT,
                structure,
                dataOffset,
                `section of ${dataSize} bytes is too large`,
                segmentFile,
              );
            }
            return readView(reader, dataOffset, dataSize, FORMAT, structure);
          };
          try {
            switch (descriptor.type) {
              case 'header2':
              case 'header': {
                if (header === undefined || (descriptor.type === 'header2' && !headerIsHeader2)) {
                  const data = await readSmall(descriptor.type);
                  header = parseHeaderSection(data.bytes, descriptor.type, dataOffset, segmentFile);
                  headerIsHeader2 = descriptor.type === 'header2';
                }
                break;
              }
              case 'volume':
              case 'disk':
              case 'data': {
                const parsed = parseVolume(await readSmall(descriptor.type));
                if (volume === undefined) {
                  volume = parsed;
                  if (!volume.checksumValid) {
                    warn(
                      new FormatError(FORMAT, descriptor.type, dataOffset, 'Adler-32 mismatch', segmentFile),
                    );
                  }
                } else if (
                  parsed.checksumValid &&
                  (parsed.setIdentifier !== volume.setIdentifier ||
                    parsed.sectorCount !== volume.sectorCount ||
                    parsed.sectorsPerChunk !== volume.sectorsPerChunk ||
                    parsed.bytesPerSector !== volume.bytesPerSector)
                ) {
                  // A segment of another acquisition: reading on would mix two media.
                  foreign = new FormatError(
                    FORMAT,
                    descriptor.type,
                    dataOffset,
                    `segment belongs to another set (set identifier ${parsed.setIdentifier}, ${parsed.sectorCount} sectors; the first segment has ${volume.setIdentifier}, ${volume.sectorCount} sectors)`,
                    segmentFile,
                  );
                }
                break;
              }
              case 'table': {
                const head = parseTableHeader(
                  await readView(reader, dataOffset, TABLE_HEADER_SIZE, FORMAT, 'table'),
                );
                // A count whose entries cannot fit in the section is as bad as a checksum error.
                const fits =
                  head.entryCount <= MAX_TABLE_ENTRIES &&
                  TABLE_HEADER_SIZE + head.entryCount * TABLE_ENTRY_SIZE <= dataSize;
                const headerValid = head.checksumValid && fits;
                lastTable = {
                  primary: { segment: segmentIndex, dataOffset, dataSize, headerValid },
                  entryCount: fits ? head.entryCount : 0,
                  baseOffset: head.baseOffset,
                  firstChunk: chunkTotal,
                };
                if (!headerValid) {
                  const reason = head.checksumValid
                    ? `${head.entryCount} entries do not fit in the section`
                    : 'table header Adler-32 mismatch';
                  warn(new FormatError(FORMAT, 'table', dataOffset, reason, segmentFile));
                }
                tables.push(lastTable);
                chunkTotal += lastTable.entryCount;
                break;
              }
              case 'table2': {
                const head = parseTableHeader(
                  await readView(reader, dataOffset, TABLE_HEADER_SIZE, FORMAT, 'table2'),
                );
                const fits =
                  head.entryCount <= MAX_TABLE_ENTRIES &&
                  TABLE_HEADER_SIZE + head.entryCount * TABLE_ENTRY_SIZE <= dataSize;
                const location = {
                  segment: segmentIndex,
                  dataOffset,
                  dataSize,
                  headerValid: head.checksumValid && fits,
                };
                if (lastTable !== undefined && previousType === 'table' && lastTable.backup === undefined) {
                  if (!lastTable.primary.headerValid && location.headerValid) {
                    // The table header is damaged: trust its table2 copy for the chunk count.
                    chunkTotal += head.entryCount - lastTable.entryCount;
                    lastTable.entryCount = head.entryCount;
                    lastTable.baseOffset = head.baseOffset;
                  } else if (location.headerValid && head.entryCount !== lastTable.entryCount) {
                    warn(
                      new FormatError(
                        FORMAT,
                        'table2',
                        dataOffset,
                        `${head.entryCount} entries where the table has ${lastTable.entryCount}`,
                        segmentFile,
                      ),
                    );
                  }
                  lastTable.backup = location;
                }
                break;
              }
              case 'hash': {
                const hashes = parseHashSection(await readSmall('hash'));
                if (hashes.md5 !== undefined && md5 === undefined) md5 = hashes.md5;
                break;
              }
              case 'digest': {
                const hashes = parseDigestSection(await readSmall('digest'));
                if (hashes.md5 !== undefined) md5 = hashes.md5;
                if (hashes.sha1 !== undefined) sha1 = hashes.sha1;
                break;
              }
              case 'error2':
                acquisitionErrors.push(...parseError2Section(await readSmall('error2')));
                break;
              case 'done':
                done = true;
                break;
              default:
                // sectors, session, next, ltree, xheader ...: nothing needed up front.
                break;
            }
          } catch (error) {
            if (!(error instanceof FormatError)) throw error;
            warn(error.withFile(segmentFile));
          }
          if (foreign !== undefined) throw foreign;
          previousType = descriptor.type;
          if (descriptor.type === 'next' || descriptor.type === 'done') break;
          if (descriptor.next <= offset || descriptor.next > reader.size) {
            warn(
              new FormatError(
                FORMAT,
                'section descriptor',
                offset,
                `next section offset ${descriptor.next} is outside the segment`,
                segmentFile,
              ),
            );
            break;
          }
          offset = descriptor.next;
        }
        if (number >= MAX_SEGMENT_NUMBER) break;
      }
      if (volume === undefined) {
        throw new FormatError(FORMAT, 'volume', 0, 'no volume, disk or data section', path);
      }
      const chunkSize = volume.sectorsPerChunk * volume.bytesPerSector;
      if (volume.sectorsPerChunk === 0 || volume.bytesPerSector === 0 || chunkSize > MAX_CHUNK_SIZE) {
        throw new FormatError(
          FORMAT,
          'volume',
          0,
          `unusable geometry: ${volume.sectorsPerChunk} sectors per chunk of ${volume.bytesPerSector} bytes`,
          path,
        );
      }
      const mediaSize = volume.sectorCount * volume.bytesPerSector;
      if (!Number.isSafeInteger(mediaSize)) {
        throw new FormatError(FORMAT, 'volume', 0, `media size ${mediaSize} is too large`, path);
      }
      const chunkCount = Math.ceil(mediaSize / chunkSize);
      if (chunkTotal < chunkCount) {
        warn(
          new FormatError(
            FORMAT,
            'table',
            0,
            `tables locate ${chunkTotal} of ${chunkCount} chunks; the rest cannot be read`,
            path,
          ),
        );
      }
      const values = header ?? {};
      const info: EwfInfo = {
        segments: segments.map((segment) => segment.path),
        mediaSize,
        bytesPerSector: volume.bytesPerSector,
        sectorCount: volume.sectorCount,
        sectorsPerChunk: volume.sectorsPerChunk,
        chunkSize,
        chunkCount,
        mediaType: volume.mediaType,
        isPhysical: volume.isPhysical,
        compressionLevel: volume.compressionLevel,
        errorGranularity: volume.errorGranularity,
        setIdentifier: volume.setIdentifier,
        headerValues: values,
        acquisitionErrors,
      };
      for (const [key, field] of Object.entries(KEY_NAMES)) {
        const value = values[key];
        if (value !== undefined && value !== '') (info as unknown as Record<string, string>)[field] = value;
      }
      const acquired = renderDate(values.m);
      if (acquired !== undefined) info.acquisitionDate = acquired;
      const system = renderDate(values.u);
      if (system !== undefined) info.systemDate = system;
      if (md5 !== undefined) info.md5 = md5;
      if (sha1 !== undefined) info.sha1 = sha1;
      return new EwfImage(path, info, segments, tables, warnings, options);
    } catch (error) {
      for (const segment of segments) await segment.reader.close();
      throw error;
    }
  }

  /** The table holding chunk `chunk` (binary search on first chunk), or undefined. */
  private tableOf(chunk: number): number | undefined {
    let low = 0;
    let high = this.tables.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const table = this.tables[middle]!;
      if (chunk < table.firstChunk) high = middle - 1;
      else if (chunk >= table.firstChunk + table.entryCount) low = middle + 1;
      else return middle;
    }
    return undefined;
  }

  private async readTable(
    table: Table,
    location: TableLocation,
  ): Promise<{ view: ByteView; valid: boolean }> {
    const segment = this.segments[location.segment]!;
    const needed = TABLE_HEADER_SIZE + table.entryCount * TABLE_ENTRY_SIZE;
    if (needed > location.dataSize) {
      throw new FormatError(
        FORMAT,
        'table',
        location.dataOffset,
        `${table.entryCount} entries do not fit in a section of ${location.dataSize} bytes`,
        segment.path,
      );
    }
    const size = Math.min(location.dataSize, needed + 4);
    const view = await readView(segment.reader, location.dataOffset, size, FORMAT, 'table');
    const entries = view.view(TABLE_HEADER_SIZE, size - TABLE_HEADER_SIZE, 'table entries');
    return { view: entries, valid: entriesChecksumValid(entries, table.entryCount) !== false };
  }

  private async loadTable(index: number): Promise<LoadedTable> {
    const cached = this.tableCache.get(index);
    if (cached !== undefined) {
      this.tableCache.delete(index);
      this.tableCache.set(index, cached);
      return cached;
    }
    const table = this.tables[index]!;
    let chosen: { view: ByteView; valid: boolean } | undefined;
    let location = table.primary;
    try {
      chosen = await this.readTable(table, table.primary);
    } catch (error) {
      if (!(error instanceof FormatError) || table.backup === undefined) throw error;
    }
    if ((chosen === undefined || !chosen.valid) && table.backup !== undefined) {
      try {
        const backup = await this.readTable(table, table.backup);
        if (chosen === undefined || backup.valid) {
          chosen = backup;
          location = table.backup;
        }
      } catch (error) {
        if (!(error instanceof FormatError) || chosen === undefined) throw error;
      }
    }
    if (chosen === undefined) throw new FormatError(FORMAT, 'table', location.dataOffset, 'unreadable');
    const segment = this.segments[location.segment]!;
    const count = table.entryCount;
    const offsets = new Float64Array(count);
    const sizes = new Uint32Array(count);
    const compressed = new Uint8Array(count);
    for (let entry = 0; entry < count; entry += 1) {
      const value = chosen.view.u32(entry * TABLE_ENTRY_SIZE);
      compressed[entry] = value & COMPRESSED_FLAG ? 1 : 0;
      offsets[entry] = table.baseOffset + (value & 0x7fffffff);
    }
    const starts = segment.sectionStarts;
    const limit = Math.min(this.chunkSize * 2 + 1024, 0xffffffff);
    for (let entry = 0; entry < count; entry += 1) {
      const start = offsets[entry]!;
      let end: number;
      if (entry + 1 < count) {
        end = offsets[entry + 1]!;
      } else {
        // The last chunk runs to the next section descriptor after it.
        end = segment.reader.size;
        for (const section of starts) {
          if (section > start) {
            end = section;
            break;
          }
        }
      }
      const size = end - start;
      // 0 marks an impossible entry; reading that chunk reports it.
      sizes[entry] = size > 0 && size <= limit && end <= segment.reader.size ? size : 0;
    }
    const loaded: LoadedTable = { offsets, sizes, compressed, segment: location.segment };
    this.tableCache.set(index, loaded);
    this.cachedEntries += count;
    // Bounded in tables and in entries (13 bytes each once decoded).
    while (
      this.tableCache.size > 1 &&
      (this.tableCache.size > this.cacheTables || this.cachedEntries > MAX_CACHED_ENTRIES)
    ) {
      const oldest = this.tableCache.keys().next().value;
      if (oldest === undefined) break;
      this.cachedEntries -= this.tableCache.get(oldest)!.offsets.length;
      this.tableCache.delete(oldest);
    }
    return loaded;
  }

  /** Bytes of media in chunk `chunk` (the last one may be short). */
  private expectedSize(chunk: number): number {
    return Math.min(this.chunkSize, this.size - chunk * this.chunkSize);
  }

  /** Decodes one stored chunk; throws FormatError naming the chunk's file offset when damaged. */
  private decode(
    raw: Uint8Array,
    isCompressed: boolean,
    chunk: number,
    fileOffset: number,
    file: string,
  ): Uint8Array {
    const expected = this.expectedSize(chunk);
    if (isCompressed) {
      // Runs of zeros or of one pattern compress to the same few bytes: decode those once.
      const key =
        raw.length <= TINY_COMPRESSED
          ? Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1')
          : undefined;
      const known = key === undefined ? undefined : this.tinyChunks.get(key);
      if (known !== undefined && known.length >= expected) return known.subarray(0, expected);
      let data: Buffer;
      try {
        data = inflateSync(raw, {
          chunkSize: this.chunkSize + 64,
          maxOutputLength: Math.max(this.chunkSize, 64),
        });
        if (key !== undefined && this.tinyChunks.size < MAX_TINY_CHUNKS) {
          this.tinyChunks.set(key, data);
          this.memoised.add(data.buffer);
        }
      } catch (error) {
        throw new FormatError(
          FORMAT,
          'chunk',
          fileOffset,
          `chunk ${chunk}: cannot inflate (${(error as Error).message})`,
          file,
        );
      }
      if (data.length < expected) {
        throw new FormatError(
          FORMAT,
          'chunk',
          fileOffset,
          `chunk ${chunk}: inflates to ${data.length} of ${expected} bytes`,
          file,
        );
      }
      return data.length === expected ? data : data.subarray(0, expected);
    }
    if (raw.length < expected + 4) {
      throw new FormatError(
        FORMAT,
        'chunk',
        fileOffset,
        `chunk ${chunk}: ${raw.length} stored bytes, ${expected} expected`,
        file,
      );
    }
    const dataLength = raw.length - 4;
    const data = raw.subarray(0, dataLength);
    const view = new ByteView(raw, fileOffset, FORMAT, 'chunk');
    if (adler32(data) !== view.u32(dataLength)) {
      throw new FormatError(FORMAT, 'chunk', fileOffset, `chunk ${chunk}: Adler-32 mismatch`, file);
    }
    return dataLength === expected ? data : data.subarray(0, expected);
  }

  private async locate(chunk: number): Promise<{ table: LoadedTable; entry: number }> {
    const index = this.tableOf(chunk);
    if (index === undefined) {
      throw new FormatError(
        FORMAT,
        'table',
        0,
        `chunk ${chunk} is not in any table (missing segment?)`,
        this.name,
      );
    }
    return { table: await this.loadTable(index), entry: chunk - this.tables[index]!.firstChunk };
  }

  private badEntry(table: LoadedTable, entry: number, chunk: number): FormatError {
    return new FormatError(
      FORMAT,
      'table entry',
      table.offsets[entry]!,
      `chunk ${chunk}: impossible offset or size`,
      this.segments[table.segment]!.path,
    );
  }

  /** One decoded chunk, through the LRU cache. */
  async chunk(chunk: number): Promise<Uint8Array> {
    const cached = this.chunkCache.get(chunk);
    if (cached !== undefined) {
      this.chunkCache.delete(chunk);
      this.chunkCache.set(chunk, cached);
      return cached;
    }
    const { table, entry } = await this.locate(chunk);
    const size = table.sizes[entry]!;
    if (size === 0) throw this.badEntry(table, entry, chunk);
    const segment = this.segments[table.segment]!;
    const offset = table.offsets[entry]!;
    const raw = await segment.reader.read(offset, size);
    const decoded = this.decode(raw, table.compressed[entry] === 1, chunk, offset, segment.path);
    // Memoised tiny chunks are shared: the cache (and callers) get their own copy.
    // (A real copy: Buffer#slice would share memory.)
    const data = this.memoised.has(decoded.buffer) ? new Uint8Array(decoded) : decoded;
    this.chunkCache.set(chunk, data);
    if (this.chunkCache.size > this.cacheChunks) {
      const oldest = this.chunkCache.keys().next().value;
      if (oldest !== undefined) this.chunkCache.delete(oldest);
    }
    return data;
  }

  /** The longest run from `chunk` (at most to `last`) stored back to back in one segment file. */
  private async planRun(chunk: number, last: number): Promise<Run> {
    const { table, entry } = await this.locate(chunk);
    const start = table.offsets[entry]!;
    let end = start;
    let count = 0;
    const tableRemaining = table.offsets.length - entry;
    while (count < tableRemaining && chunk + count <= last) {
      const size = table.sizes[entry + count]!;
      const at = table.offsets[entry + count]!;
      if (size === 0 || at !== end || (count > 0 && end + size - start > BATCH_BYTES)) break;
      end = at + size;
      count += 1;
    }
    if (count === 0) throw this.badEntry(table, entry, chunk);
    return { chunk, table, entry, count, start, end };
  }

  private readRun(run: Run): Promise<Uint8Array> {
    const pending = this.segments[run.table.segment]!.reader.read(run.start, run.end - run.start);
    // Awaited later; a failure while the previous run decodes must not go unhandled.
    pending.catch(() => {});
    return pending;
  }

  /**
   * Decodes whole chunks [first, last] into `out` at `outOffset`: runs of chunks stored back
   * to back are read with one I/O each, the next run's read overlapping this run's inflation.
   * Bypasses the chunk cache (a sequential reader would only evict useful chunks).
   */
  private async decodeRun(first: number, last: number, out: Uint8Array, outOffset: number): Promise<void> {
    let at = outOffset;
    let run: Run | undefined = await this.planRun(first, last);
    let pending = this.takePrefetch(run) ?? this.readRun(run);
    while (run !== undefined) {
      const raw = await pending;
      const nextChunk: number = run.chunk + run.count;
      const next: Run | undefined = nextChunk <= last ? await this.planRun(nextChunk, last) : undefined;
      if (next !== undefined) pending = this.readRun(next);
      else if ((last - first + 1) * this.chunkSize >= PREFETCH_AFTER) this.startPrefetch(nextChunk);
      const { table, entry } = run;
      const path = this.segments[table.segment]!.path;
      for (let index = 0; index < run.count; index += 1) {
        const start = table.offsets[entry + index]! - run.start;
        const size = table.sizes[entry + index]!;
        const data = this.decode(
          raw.subarray(start, start + size),
          table.compressed[entry + index] === 1,
          run.chunk + index,
          run.start + start,
          path,
        );
        out.set(data, at);
        at += data.length;
      }
      run = next;
    }
  }

  /**
   * After a large read, starts reading the run that follows, so that a sequential reader's next
   * request finds its bytes in flight (one run of at most BATCH_BYTES is kept).
   */
  private startPrefetch(chunk: number): void {
    this.prefetch = undefined;
    if (chunk >= this.chunkCount) return;
    const last = Math.min(this.chunkCount - 1, chunk + Math.ceil(BATCH_BYTES / this.chunkSize) - 1);
    const planned = this.planRun(chunk, last).then((run) => ({ run, data: this.readRun(run) }));
    planned.catch(() => {});
    this.prefetch = { chunk, planned };
  }

  /** The prefetched bytes when they cover `run` (same file range start, at least as long). */
  private takePrefetch(run: Run): Promise<Uint8Array> | undefined {
    const prefetch = this.prefetch;
    this.prefetch = undefined;
    if (prefetch === undefined || prefetch.chunk !== run.chunk) return undefined;
    const data = prefetch.planned.then(async (planned) => {
      if (
        planned.run.table.segment === run.table.segment &&
        planned.run.start === run.start &&
        planned.run.end >= run.end
      ) {
        return planned.data;
      }
      return this.readRun(run);
    });
    data.catch(() => {});
    return data;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    const chunkSize = this.chunkSize;
    const first = Math.floor(offset / chunkSize);
    const last = Math.floor((offset + length - 1) / chunkSize);
    const within = offset - first * chunkSize;
    if (first === last) {
      const data = await this.chunk(first);
      return data.subarray(within, within + length);
    }
    // Every byte is written below (or the read throws).
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    let chunk = first;
    if (within !== 0) {
      const data = await this.chunk(first);
      out.set(data.subarray(within), 0);
      written = data.length - within;
      chunk += 1;
    }
    const end = offset + length;
    // Whole chunks go straight into `out`; a partial last chunk goes through the cache.
    const lastWhole = end >= (last + 1) * chunkSize || end === this.size ? last : last - 1;
    if (lastWhole >= chunk) {
      await this.decodeRun(chunk, lastWhole, out, written);
      written += (lastWhole - chunk + 1) * chunkSize;
      written = Math.min(written, length);
      chunk = lastWhole + 1;
    }
    if (chunk === last && written < length) {
      const data = await this.chunk(last);
      out.set(data.subarray(0, length - written), written);
    }
    return out;
  }

  /**
   * Like `read`, but a damaged chunk does not fail the whole request: its bytes are zeros and
   * its error is listed (errors as data, for carving and hashing over damaged images).
   */
  async readWithErrors(
    offset: number,
    length: number,
  ): Promise<{ bytes: Uint8Array; errors: FormatErrorRecord[] }> {
    try {
      return { bytes: await this.read(offset, length), errors: [] };
    } catch (error) {
      if (!(error instanceof FormatError) || error.format === 'io') throw error;
    }
    // Chunk by chunk, so that one bad chunk costs only itself.
    const bytes = new Uint8Array(length);
    const errors: FormatErrorRecord[] = [];
    let at = 0;
    while (at < length) {
      const position = offset + at;
      const take = Math.min(
        (Math.floor(position / this.chunkSize) + 1) * this.chunkSize - position,
        length - at,
      );
      try {
        bytes.set(await this.read(position, take), at);
      } catch (inner) {
        if (!(inner instanceof FormatError)) throw inner;
        errors.push(inner.toJSON());
      }
      at += take;
    }
    return { bytes, errors };
  }

  /**
   * Hashes every media byte (MD5 and SHA-1) and compares with the stored hash/digest.
   * Unreadable chunks are hashed as zeros and listed in `errors`.
   */
  async verify(onProgress?: (done: number, total: number) => void): Promise<EwfVerifyResult> {
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const errors: FormatErrorRecord[] = [];
    const step = Math.max(1, Math.floor((16 * 1024 * 1024) / this.chunkSize)) * this.chunkSize;
    for (let offset = 0; offset < this.size; offset += step) {
      const length = Math.min(step, this.size - offset);
      const { bytes: block, errors: blockErrors } = await this.readWithErrors(offset, length);
      errors.push(...blockErrors);
      md5.update(block);
      sha1.update(block);
      onProgress?.(offset + length, this.size);
    }
    const result: EwfVerifyResult = { md5: md5.digest('hex'), sha1: sha1.digest('hex'), errors };
    if (this.info.md5 !== undefined) {
      result.storedMd5 = this.info.md5;
      result.md5Matches = result.md5 === this.info.md5;
    }
    if (this.info.sha1 !== undefined) {
      result.storedSha1 = this.info.sha1;
      result.sha1Matches = result.sha1 === this.info.sha1;
    }
    return result;
  }

  async close(): Promise<void> {
    this.chunkCache.clear();
    this.tableCache.clear();
    this.cachedEntries = 0;
    for (const segment of this.segments) await segment.reader.close();
  }
}

/** Opens an EWF-E01 set from its first segment (`.E01`), finding the other segments beside it. */
export function openEwf(path: string, options: EwfOptions = {}): Promise<EwfImage> {
  return EwfImage.open(path, options);
}
