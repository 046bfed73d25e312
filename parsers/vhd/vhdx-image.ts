import { ByteView } from '../io/byte-view.js';
import { FormatError, type FormatErrorRecord } from '../io/format-error.js';
import { checkRange, FileReader, type RandomAccessReader, readView } from '../io/random-access-reader.js';
import { creatorOf, FILE_IDENTIFIER_SIGNATURE } from './vhdx-file-identifier.js';
import { HEADER_OFFSETS, HEADER_SIZE, parseHeader, type VhdxHeader } from './vhdx-header.js';
import { LogOverlayReader, type LogReplay, replayLog } from './vhdx-log.js';
import {
  FILE_PARAMETERS,
  LOGICAL_SECTOR_SIZE,
  METADATA_TABLE_SIZE,
  type MetadataEntry,
  PAGE_83_DATA,
  PARENT_LOCATOR,
  PHYSICAL_SECTOR_SIZE,
  parseMetadataTable,
  VIRTUAL_DISK_SIZE,
} from './vhdx-metadata.js';
import {
  BAT_REGION,
  METADATA_REGION,
  parseRegionTable,
  REGION_TABLE_OFFSETS,
  REGION_TABLE_SIZE,
  type RegionEntry,
} from './vhdx-region-table.js';

const FORMAT = 'vhdx';
const MIB = 1024 * 1024;
const NULL_GUID = '{00000000-0000-0000-0000-000000000000}';
/** MS-VHDX 2.5.1: BAT entry state in bits 0-2, file offset in MiB in bits 20-63. */
const STATE_MASK = 7;
export const PAYLOAD_BLOCK_NOT_PRESENT = 0;
export const PAYLOAD_BLOCK_UNDEFINED = 1;
export const PAYLOAD_BLOCK_ZERO = 2;
export const PAYLOAD_BLOCK_UNMAPPED = 3;
export const PAYLOAD_BLOCK_FULLY_PRESENT = 6;
export const PAYLOAD_BLOCK_PARTIALLY_PRESENT = 7;
/** Chunk ratio numerator: 2^23 sectors are described by one sector bitmap block. */
const SECTORS_PER_BITMAP_BLOCK = 2 ** 23;
/** Largest BAT read whole (a 64 TB disk with 32 MiB blocks needs ~16 MiB). */
const MAX_BAT_BYTES = 256 * MIB;

export interface VhdxInfo {
  creator: string;
  virtualDiskSize: number;
  blockSize: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  leaveBlocksAllocated: boolean;
  hasParent: boolean;
  chunkRatio: number;
  page83Data?: string;
  headerSequenceNumber: string;
  /** Non-zero when the log may hold entries not yet applied to the file. */
  logGuid: string;
  /** Whether the log was replayed (in memory) to read this image. */
  logReplayed: boolean;
}

export function detectVhdx(firstBytes: Uint8Array, _name: string): boolean {
  return firstBytes.length >= 8 && new ByteView(firstBytes).matches(0, FILE_IDENTIFIER_SIGNATURE);
}

function findItem(entries: MetadataEntry[], guid: string): MetadataEntry | undefined {
  return entries.find((entry) => entry.guid === guid);
}

/**
 * A VHDX image (fixed or dynamic) as one read-only medium. Blocks that are not present,
 * undefined, zero or unmapped read as zeros.
 */
export class VhdxImage implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  readonly info: VhdxInfo;
  readonly warnings: FormatErrorRecord[];
  private readonly file: FileReader;
  /** The file, or the file with the log replayed over it. */
  private readonly source: RandomAccessReader;
  private readonly bat: ByteView;
  private readonly blockSize: number;
  private readonly chunkRatio: number;

  private constructor(
    file: FileReader,
    source: RandomAccessReader,
    info: VhdxInfo,
    bat: ByteView,
    warnings: FormatErrorRecord[],
  ) {
    this.file = file;
    this.source = source;
    this.name = file.name;
    this.info = info;
    this.size = info.virtualDiskSize;
    this.bat = bat;
    this.blockSize = info.blockSize;
    this.chunkRatio = info.chunkRatio;
    this.warnings = warnings;
  }

  static async open(path: string): Promise<VhdxImage> {
    const file = await FileReader.open(path);
    try {
      return await VhdxImage.build(file);
    } catch (error) {
      await file.close();
      if (error instanceof FormatError) error.withFile(path);
      throw error;
    }
  }

  private static async build(file: FileReader): Promise<VhdxImage> {
    const warnings: FormatErrorRecord[] = [];
    const identifier = await readView(file, 0, 520, FORMAT, 'file type identifier');
    if (!identifier.matches(0, FILE_IDENTIFIER_SIGNATURE)) {
      throw new FormatError(FORMAT, 'file type identifier', 0, 'no "vhdxfile" signature', file.name);
    }
    // MS-VHDX 2.2.2.1: the current header is the valid one with the greater sequence number.
    let header: VhdxHeader | undefined;
    for (const offset of HEADER_OFFSETS) {
      const candidate = parseHeader(await readView(file, offset, HEADER_SIZE, FORMAT, 'header'));
      if (candidate === undefined) {
        warnings.push(
          new FormatError(FORMAT, 'header', offset, 'bad signature or CRC-32C', file.name).toJSON(),
        );
      } else if (header === undefined || candidate.sequenceNumber > header.sequenceNumber) {
        header = candidate;
      }
    }
    if (header === undefined)
      throw new FormatError(FORMAT, 'header', HEADER_OFFSETS[0], 'no valid header', file.name);
    if (header.version !== 1) {
      throw new FormatError(
        FORMAT,
        'header',
        header.offset,
        `unsupported version ${header.version}`,
        file.name,
      );
    }
    // A set log GUID means the log may hold updates not yet applied: replay it in memory.
    let replay: LogReplay | undefined;
    if (header.logGuid !== NULL_GUID) {
      try {
        replay = await replayLog(file, header.logOffset, header.logLength, header.logGuid);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        throw new FormatError(
          FORMAT,
          'log',
          header.logOffset,
          `the image needs log replay and its log cannot be replayed: ${error.reason}`,
          file.name,
        );
      }
    }
    const source: RandomAccessReader = replay === undefined ? file : new LogOverlayReader(file, replay);
    let regions: RegionEntry[] | undefined;
    for (const offset of REGION_TABLE_OFFSETS) {
      regions = parseRegionTable(await readView(source, offset, REGION_TABLE_SIZE, FORMAT, 'region table'));
      if (regions !== undefined) break;
      warnings.push(
        new FormatError(FORMAT, 'region table', offset, 'bad signature or CRC-32C', file.name).toJSON(),
      );
    }
    if (regions === undefined) {
      throw new FormatError(
        FORMAT,
        'region table',
        REGION_TABLE_OFFSETS[0],
        'no valid region table',
        file.name,
      );
    }
    for (const region of regions) {
      if (region.required && region.guid !== BAT_REGION && region.guid !== METADATA_REGION) {
        throw new FormatError(FORMAT, 'region table', 0, `unknown required region ${region.guid}`, file.name);
      }
    }
    const batRegion = regions.find((region) => region.guid === BAT_REGION);
    const metadataRegion = regions.find((region) => region.guid === METADATA_REGION);
    if (batRegion === undefined || metadataRegion === undefined) {
      throw new FormatError(
        FORMAT,
        'region table',
        REGION_TABLE_OFFSETS[0],
        'no BAT or metadata region',
        file.name,
      );
    }
    const metadataTable = await readView(
      source,
      metadataRegion.fileOffset,
      Math.min(METADATA_TABLE_SIZE, metadataRegion.length),
      FORMAT,
      'metadata table',
    );
    const items = parseMetadataTable(metadataTable);
    for (const item of items) {
      const known = [
        FILE_PARAMETERS,
        VIRTUAL_DISK_SIZE,
        LOGICAL_SECTOR_SIZE,
        PHYSICAL_SECTOR_SIZE,
        PAGE_83_DATA,
      ];
      if (item.isRequired && !known.includes(item.guid) && item.guid !== PARENT_LOCATOR) {
        throw new FormatError(
          FORMAT,
          'metadata',
          metadataTable.base,
          `unknown required item ${item.guid}`,
          file.name,
        );
      }
    }
    const itemView = async (guid: string, size: number, name: string): Promise<ByteView> => {
      const item = findItem(items, guid);
      if (item === undefined || item.length < size) {
        throw new FormatError(FORMAT, 'metadata', metadataTable.base, `missing ${name} item`, file.name);
      }
      if (item.offset + item.length > metadataRegion.length) {
        throw new FormatError(
          FORMAT,
          'metadata',
          metadataTable.base,
          `${name} item lies outside the region`,
          file.name,
        );
      }
      return readView(source, metadataRegion.fileOffset + item.offset, item.length, FORMAT, name);
    };
    const parameters = await itemView(FILE_PARAMETERS, 8, 'file parameters');
    const blockSize = parameters.u32(0);
    const flags = parameters.u32(4);
    const virtualDiskSize = (await itemView(VIRTUAL_DISK_SIZE, 8, 'virtual disk size')).u64n(0);
    const logicalSectorSize = (await itemView(LOGICAL_SECTOR_SIZE, 4, 'logical sector size')).u32(0);
    const physicalSectorSize = (await itemView(PHYSICAL_SECTOR_SIZE, 4, 'physical sector size')).u32(0);
    if (blockSize < MIB || blockSize > 256 * MIB || (blockSize & (blockSize - 1)) !== 0) {
      throw new FormatError(
        FORMAT,
        'file parameters',
        parameters.base,
        `impossible block size ${blockSize}`,
        file.name,
      );
    }
    if (logicalSectorSize !== 512 && logicalSectorSize !== 4096) {
      throw new FormatError(FORMAT, 'logical sector size', 0, `impossible ${logicalSectorSize}`, file.name);
    }
    const hasParent = (flags & 2) !== 0;
    if (hasParent) {
      throw new FormatError(
        FORMAT,
        'file parameters',
        parameters.base,
        'differencing VHDX (has parent) is not supported',
        file.name,
      );
    }
    const chunkRatio = (SECTORS_PER_BITMAP_BLOCK * logicalSectorSize) / blockSize;
    const dataBlocks = Math.ceil(virtualDiskSize / blockSize);
    const totalEntries = dataBlocks + Math.floor((dataBlocks - 1) / chunkRatio);
    const batBytes = totalEntries * 8;
    if (batBytes > batRegion.length || batBytes > MAX_BAT_BYTES) {
      throw new FormatError(
        FORMAT,
        'region table',
        batRegion.fileOffset,
        `BAT region of ${batRegion.length} bytes cannot hold ${totalEntries} entries`,
        file.name,
      );
    }
    const bat = await readView(source, batRegion.fileOffset, batBytes, FORMAT, 'BAT');
    let page83Data: string | undefined;
    const page83 = findItem(items, PAGE_83_DATA);
    if (page83 !== undefined && page83.length >= 16)
      page83Data = (await itemView(PAGE_83_DATA, 16, 'page 83 data')).guid(0);
    const info: VhdxInfo = {
      creator: creatorOf(identifier),
      virtualDiskSize,
      blockSize,
      logicalSectorSize,
      physicalSectorSize,
      leaveBlocksAllocated: (flags & 1) !== 0,
      hasParent,
      chunkRatio,
      headerSequenceNumber: header.sequenceNumber.toString(),
      logGuid: header.logGuid,
      logReplayed: replay !== undefined,
    };
    if (replay !== undefined) {
      warnings.push(
        new FormatError(
          FORMAT,
          'log',
          header.logOffset,
          `log replayed in memory: ${replay.entries} entries up to sequence ${replay.headSequence}, ${replay.pages.size} pages`,
          file.name,
        ).toJSON(),
      );
    }
    if (page83Data !== undefined) info.page83Data = page83Data;
    return new VhdxImage(file, source, info, bat, warnings);
  }

  /** Fills out[at, at + length) from one payload block. */
  private async readInBlock(offset: number, length: number, out: Uint8Array, at: number): Promise<void> {
    const block = Math.floor(offset / this.blockSize);
    const within = offset - block * this.blockSize;
    // Payload entries are interleaved with one sector bitmap entry after every chunkRatio of them.
    const index = block + Math.floor(block / this.chunkRatio);
    const low = this.bat.u32(index * 8);
    const high = this.bat.u32(index * 8 + 4);
    const state = low & STATE_MASK;
    switch (state) {
      case PAYLOAD_BLOCK_NOT_PRESENT:
      case PAYLOAD_BLOCK_UNDEFINED:
      case PAYLOAD_BLOCK_ZERO:
      case PAYLOAD_BLOCK_UNMAPPED:
        out.fill(0, at, at + length);
        return;
      case PAYLOAD_BLOCK_FULLY_PRESENT: {
        const fileOffset = (high * 4096 + (low >>> 20)) * MIB;
        if (!Number.isSafeInteger(fileOffset) || fileOffset + within + length > this.source.size) {
          throw new FormatError(
            FORMAT,
            'BAT entry',
            this.bat.base + index * 8,
            `block ${block} lies past the end of the file`,
            this.name,
          );
        }
        out.set(await this.source.read(fileOffset + within, length), at);
        return;
      }
      default:
        throw new FormatError(
          FORMAT,
          'BAT entry',
          this.bat.base + index * 8,
          `block ${block} has invalid state ${state}`,
          this.name,
        );
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const blockEnd = (Math.floor(position / this.blockSize) + 1) * this.blockSize;
      const take = Math.min(blockEnd - position, length - done);
      await this.readInBlock(position, take, out, done);
      done += take;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** Opens a VHDX (fixed or dynamic) read-only. */
export function openVhdx(path: string): Promise<VhdxImage> {
  return VhdxImage.open(path);
}
