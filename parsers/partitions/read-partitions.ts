import { ByteView, FormatError, type RandomAccessReader, readView } from '../io/index.js';
import { detectBareFileSystem } from './bare-volume.js';
import {
  BOOT_INDICATOR_ACTIVE,
  BOOT_RECORD_SIZE,
  type BootRecord,
  isUsedEntry,
  parseBootRecord,
} from './boot-record.js';
import { crc32 } from './crc32.js';
import { readExtendedChain } from './extended-chain.js';
import { parseGptEntry, UNUSED_TYPE_GUID } from './gpt-entry.js';
import { GPT_SIGNATURE, type GptHeader, parseGptHeader } from './gpt-header.js';
import { EXTENDED_TYPES, gptTypeName, mbrTypeName } from './type-names.js';
import { ErrorList, type Partition, type PartitionTable, type ReadPartitionsOptions } from './types.js';

const MBR_SECTOR_SIZE = 512;
const GPT_SECTOR_SIZES = [512, 4096];
const PROTECTIVE_TYPE = 0xee;

/**
 * Finds the volumes on a disk: GPT (primary header, else backup), MBR with its extended
 * chain, or a bare file system occupying the whole media. Damage is reported in `errors`;
 * only media too small to hold a sector, or with nothing recognisable, throws.
 */
export async function readPartitions(
  reader: RandomAccessReader,
  options: ReadPartitionsOptions = {},
): Promise<PartitionTable> {
  const errors = new ErrorList(options.maxErrors ?? 100);
  if (reader.size < BOOT_RECORD_SIZE) {
    throw new FormatError(
      'partitions',
      'disk',
      0,
      `media of ${reader.size} bytes holds no sector`,
      reader.name,
    );
  }
  const sector0 = await readView(reader, 0, BOOT_RECORD_SIZE, 'partitions', 'master boot record');
  let mbr: BootRecord | undefined;
  let mbrError: FormatError | undefined;
  try {
    mbr = parseBootRecord(sector0, 'master boot record');
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    mbrError = error;
  }
  const protective = mbr?.entries.some((entry) => entry.type === PROTECTIVE_TYPE) ?? false;

  // GPT: when the MBR is protective, or when there is no usable MBR but a GPT header exists.
  if (protective || mbr === undefined) {
    const gpt = await readGpt(reader, errors);
    if (gpt !== undefined) return gpt;
  }

  const bare = detectBareFileSystem(sector0);
  if (bare !== undefined) {
    return {
      scheme: 'none',
      sectorSize: MBR_SECTOR_SIZE,
      partitions: [
        {
          index: 0,
          start: 0,
          size: reader.size,
          type: bare,
          typeName: bare === 'ntfs' ? 'NTFS' : 'FAT',
          fileSystem: bare,
        },
      ],
      errors: errors.errors,
      errorCount: errors.count,
    };
  }

  if (mbr === undefined) {
    if (mbrError !== undefined) errors.add(mbrError.withFile(reader.name));
    errors.add(
      new FormatError(
        'partitions',
        'disk',
        0,
        'no partition table and no recognised file system',
        reader.name,
      ),
    );
    return {
      scheme: 'none',
      sectorSize: MBR_SECTOR_SIZE,
      partitions: [],
      errors: errors.errors,
      errorCount: errors.count,
    };
  }
  const partitions = await readMbr(reader, mbr, options.maxLogicalPartitions ?? 1024, errors);
  return {
    scheme: 'mbr',
    sectorSize: MBR_SECTOR_SIZE,
    partitions,
    errors: errors.errors,
    errorCount: errors.count,
    diskSignature: mbr.diskSignature,
  };
}

async function readMbr(
  reader: RandomAccessReader,
  mbr: BootRecord,
  maxLinks: number,
  errors: ErrorList,
): Promise<Partition[]> {
  const sectorSize = MBR_SECTOR_SIZE;
  const diskSectors = Math.floor(reader.size / sectorSize);
  const partitions: Partition[] = [];
  const logical: Partition[] = [];
  let chainRead = false;
  for (const entry of mbr.entries) {
    if (!isUsedEntry(entry)) continue;
    const entryOffset = 446 + entry.slot * 16;
    if (entry.lbaStart + entry.sectorCount > diskSectors) {
      errors.add(
        new FormatError(
          'partitions',
          'master boot record',
          entryOffset,
          `partition ${entry.slot} (sectors ${entry.lbaStart}+${entry.sectorCount}) runs past the end of the media (${diskSectors} sectors)`,
          reader.name,
        ),
      );
    }
    const extended = EXTENDED_TYPES.has(entry.type);
    partitions.push({
      index: entry.slot,
      start: entry.lbaStart * sectorSize,
      size: entry.sectorCount * sectorSize,
      type: entry.type,
      typeName: mbrTypeName(entry.type),
      bootable: entry.bootIndicator === BOOT_INDICATOR_ACTIVE,
      table: 0,
      slot: entry.slot,
      ...(extended ? { extended: true } : {}),
    });
    if (extended) {
      if (chainRead) {
        errors.add(
          new FormatError(
            'partitions',
            'master boot record',
            entryOffset,
            'second extended partition ignored',
            reader.name,
          ),
        );
        continue;
      }
      chainRead = true;
      logical.push(
        ...(await readExtendedChain(
          reader,
          sectorSize,
          entry.lbaStart,
          entry.sectorCount,
          4,
          maxLinks,
          errors,
        )),
      );
    }
  }
  return [...partitions, ...logical];
}

async function readGpt(reader: RandomAccessReader, errors: ErrorList): Promise<PartitionTable | undefined> {
  for (const sectorSize of GPT_SECTOR_SIZES) {
    if (reader.size < sectorSize * 2) continue;
    const local = new ErrorList(100);
    const primaryView = await readView(reader, sectorSize, sectorSize, 'partitions', 'GPT header');
    const lastLba = Math.floor(reader.size / sectorSize) - 1;
    let primary: GptHeader | undefined;
    if (primaryView.matches(0, GPT_SIGNATURE)) {
      try {
        primary = parseGptHeader(primaryView, 'GPT primary header');
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        local.add(error.withFile(reader.name));
      }
    }
    const backupLba =
      primary !== undefined && primary.alternateLba <= lastLba ? primary.alternateLba : lastLba;
    let backup: GptHeader | undefined;
    const readBackup = async (): Promise<GptHeader | undefined> => {
      if (backupLba < 2) return undefined;
      let view: ByteView;
      try {
        view = await readView(reader, backupLba * sectorSize, sectorSize, 'partitions', 'GPT backup header');
      } catch (error) {
        // Media whose end cannot be read (a truncated image): no backup header, not a failure.
        if (!(error instanceof FormatError)) throw error;
        if (primary !== undefined) local.add(error.withFile(reader.name));
        return undefined;
      }
      if (!view.matches(0, GPT_SIGNATURE)) {
        if (primary === undefined) return undefined;
        local.add(
          new FormatError(
            'partitions',
            'GPT backup header',
            view.base,
            'missing "EFI PART" signature',
            reader.name,
          ),
        );
        return undefined;
      }
      try {
        return parseGptHeader(view, 'GPT backup header');
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        local.add(error.withFile(reader.name));
        return undefined;
      }
    };
    if (primary === undefined) {
      backup = await readBackup();
      if (backup === undefined) {
        // A signature in the primary sector means this sector size is the right one, even if broken.
        if (primaryView.matches(0, GPT_SIGNATURE)) {
          for (const error of local.errors) errors.add(error);
          errors.add(
            new FormatError('partitions', 'GPT', sectorSize, 'neither GPT header is usable', reader.name),
          );
        }
        continue;
      }
    }
    for (const error of local.errors) errors.add(error);
    // Entries: the primary's array when its CRC holds, else the backup's.
    let used: { header: GptHeader; which: 'primary' | 'backup'; entries: Uint8Array } | undefined;
    if (primary !== undefined) {
      const entries = await readEntryArray(reader, primary, sectorSize, 'primary', errors);
      if (entries !== undefined) used = { header: primary, which: 'primary', entries };
      else {
        backup = await readBackup();
        const backupEntries = backup && (await readEntryArray(reader, backup, sectorSize, 'backup', errors));
        if (backup !== undefined && backupEntries !== undefined)
          used = { header: backup, which: 'backup', entries: backupEntries };
      }
    } else if (backup !== undefined) {
      const entries = await readEntryArray(reader, backup, sectorSize, 'backup', errors);
      if (entries !== undefined) used = { header: backup, which: 'backup', entries };
    }
    if (used === undefined) {
      errors.add(
        new FormatError(
          'partitions',
          'GPT',
          sectorSize,
          'no partition entry array with a valid CRC32',
          reader.name,
        ),
      );
      return { scheme: 'gpt', sectorSize, partitions: [], errors: errors.errors, errorCount: errors.count };
    }
    const partitions = listGptPartitions(reader, used.header, used.entries, sectorSize, errors);
    return {
      scheme: 'gpt',
      sectorSize,
      partitions,
      errors: errors.errors,
      errorCount: errors.count,
      diskGuid: used.header.diskGuid,
      gptHeader: used.which,
    };
  }
  return undefined;
}

async function readEntryArray(
  reader: RandomAccessReader,
  header: GptHeader,
  sectorSize: number,
  which: string,
  errors: ErrorList,
): Promise<Uint8Array | undefined> {
  const offset = header.partitionEntryLba * sectorSize;
  const length = header.numberOfEntries * header.entrySize;
  const structure = `GPT ${which} partition entry array`;
  if (!Number.isSafeInteger(offset) || offset + length > reader.size) {
    errors.add(
      new FormatError(
        'partitions',
        structure,
        header.offset + 72,
        'entry array lies beyond the end of the media',
        reader.name,
      ),
    );
    return undefined;
  }
  const bytes = await reader.read(offset, length);
  const computed = crc32(bytes);
  if (computed !== header.entryArrayCrc32) {
    errors.add(
      new FormatError(
        'partitions',
        structure,
        offset,
        `entry array CRC32 0x${header.entryArrayCrc32.toString(16)} does not match computed 0x${computed.toString(16)}`,
        reader.name,
      ),
    );
    return undefined;
  }
  return bytes;
}

function listGptPartitions(
  reader: RandomAccessReader,
  header: GptHeader,
  bytes: Uint8Array,
  sectorSize: number,
  errors: ErrorList,
): Partition[] {
  const partitions: Partition[] = [];
  const base = header.partitionEntryLba * sectorSize;
  const diskSectors = BigInt(Math.floor(reader.size / sectorSize));
  for (let index = 0; index < header.numberOfEntries; index += 1) {
    const at = index * header.entrySize;
    const view = new ByteView(
      bytes.subarray(at, at + header.entrySize),
      base + at,
      'partitions',
      'GPT partition entry',
    );
    const entry = parseGptEntry(view);
    if (entry.typeGuid === UNUSED_TYPE_GUID) continue;
    if (entry.lastLba < entry.firstLba || entry.lastLba >= diskSectors) {
      errors.add(
        new FormatError(
          'partitions',
          'GPT partition entry',
          base + at,
          `entry ${index}: LBA range ${entry.firstLba}-${entry.lastLba} is not inside the media (${diskSectors} sectors)`,
          reader.name,
        ),
      );
      if (entry.lastLba < entry.firstLba || entry.firstLba >= diskSectors) continue;
    }
    const firstLba = Number(entry.firstLba);
    const sectors = Number(entry.lastLba - entry.firstLba + 1n);
    partitions.push({
      index,
      start: firstLba * sectorSize,
      size: sectors * sectorSize,
      type: entry.typeGuid,
      typeName: gptTypeName(entry.typeGuid),
      name: entry.name,
      guid: entry.uniqueGuid,
      attributes: `0x${entry.attributes.toString(16).padStart(16, '0')}`,
    });
  }
  return partitions;
}
