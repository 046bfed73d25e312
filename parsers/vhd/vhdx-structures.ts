import { asciiBytes, type ByteView } from '../io/byte-view.js';
import { crc32cWithZeroField } from './crc32c.js';

/** MS-VHDX 2.1 file type identifier: `vhdxfile` then the creator (UTF-16LE, 512 bytes). */
export const FILE_IDENTIFIER_SIGNATURE = asciiBytes('vhdxfile');
const CREATOR = 8;
const CREATOR_SIZE = 512;

/** MS-VHDX 2.2.2 headers at 64 KiB and 128 KiB, 4 KiB each, CRC-32C over the 4 KiB. */
export const HEADER_OFFSETS = [64 * 1024, 128 * 1024] as const;
export const HEADER_SIZE = 4096;
const HEADER_SIGNATURE = asciiBytes('head');
const HEADER_CHECKSUM = 4;
const SEQUENCE_NUMBER = 8;
const LOG_GUID = 48;
const LOG_VERSION = 64;
const VERSION = 66;
const LOG_LENGTH = 68;
const LOG_OFFSET = 72;

/** MS-VHDX 2.2.3 region tables at 192 KiB and 256 KiB, 64 KiB each. */
export const REGION_TABLE_OFFSETS = [192 * 1024, 256 * 1024] as const;
export const REGION_TABLE_SIZE = 64 * 1024;
const REGION_SIGNATURE = asciiBytes('regi');
const REGION_CHECKSUM = 4;
const REGION_ENTRY_COUNT = 8;
const REGION_ENTRIES = 16;
const REGION_ENTRY_SIZE = 32;
/** The specification's maximum number of region table entries. */
const MAX_REGION_ENTRIES = 2047;

export const BAT_REGION = '{2dc27766-f623-4200-9d64-115e9bfd4a08}';
export const METADATA_REGION = '{8b7ca206-4790-4b9a-b8fe-575f050f886e}';

/** MS-VHDX 2.6 metadata table: `metadata`, reserved, entry count, then 32-byte entries. */
const METADATA_SIGNATURE = asciiBytes('metadata');
const METADATA_ENTRY_COUNT = 10;
const METADATA_ENTRIES = 32;
const METADATA_ENTRY_SIZE = 32;
const MAX_METADATA_ENTRIES = 2047;
export const METADATA_TABLE_SIZE = 64 * 1024;

export const FILE_PARAMETERS = '{caa16737-fa36-4d43-b3b6-33f0aa44e76b}';
export const VIRTUAL_DISK_SIZE = '{2fa54224-cd1b-4876-b211-5dbed83bf4b8}';
export const LOGICAL_SECTOR_SIZE = '{8141bf1d-a96f-4709-ba47-f233a8faab5f}';
export const PHYSICAL_SECTOR_SIZE = '{cda348c7-445d-4471-9cc9-e9885251c556}';
export const PAGE_83_DATA = '{beca12ab-b2e6-4523-93ef-c309e000c746}';
export const PARENT_LOCATOR = '{a8d35f2d-b30b-454d-abf7-d3d84834ab0c}';

export interface VhdxHeader {
  offset: number;
  sequenceNumber: bigint;
  logGuid: string;
  logVersion: number;
  version: number;
  logLength: number;
  logOffset: number;
}

export function creatorOf(view: ByteView): string {
  return view.utf16z(CREATOR, CREATOR_SIZE);
}

/** A header, or undefined when its signature or CRC-32C is wrong. */
export function parseHeader(view: ByteView): VhdxHeader | undefined {
  if (!view.matches(0, HEADER_SIGNATURE)) return undefined;
  if (crc32cWithZeroField(view.subarray(0, HEADER_SIZE), HEADER_CHECKSUM) !== view.u32(HEADER_CHECKSUM)) {
    return undefined;
  }
  return {
    offset: view.base,
    sequenceNumber: view.u64(SEQUENCE_NUMBER),
    logGuid: view.guid(LOG_GUID),
    logVersion: view.u16(LOG_VERSION),
    version: view.u16(VERSION),
    logLength: view.u32(LOG_LENGTH),
    logOffset: view.u64n(LOG_OFFSET),
  };
}

export interface RegionEntry {
  guid: string;
  fileOffset: number;
  length: number;
  required: boolean;
}

export function parseRegionTable(view: ByteView): RegionEntry[] | undefined {
  if (!view.matches(0, REGION_SIGNATURE)) return undefined;
  if (
    crc32cWithZeroField(view.subarray(0, REGION_TABLE_SIZE), REGION_CHECKSUM) !== view.u32(REGION_CHECKSUM)
  ) {
    return undefined;
  }
  const count = view.u32(REGION_ENTRY_COUNT);
  if (count > MAX_REGION_ENTRIES) return undefined;
  const entries: RegionEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    const at = REGION_ENTRIES + index * REGION_ENTRY_SIZE;
    entries.push({
      guid: view.guid(at).toLowerCase(),
      fileOffset: view.u64n(at + 16),
      length: view.u32(at + 24),
      required: (view.u32(at + 28) & 1) === 1,
    });
  }
  return entries;
}

export interface MetadataEntry {
  guid: string;
  /** Relative to the start of the metadata region. */
  offset: number;
  length: number;
  isUser: boolean;
  isVirtualDisk: boolean;
  isRequired: boolean;
}

export function parseMetadataTable(view: ByteView): MetadataEntry[] {
  if (!view.matches(0, METADATA_SIGNATURE)) throw view.error(0, 'no "metadata" signature');
  const count = view.u16(METADATA_ENTRY_COUNT);
  if (count > MAX_METADATA_ENTRIES) throw view.error(METADATA_ENTRY_COUNT, `${count} entries`);
  const entries: MetadataEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    const at = METADATA_ENTRIES + index * METADATA_ENTRY_SIZE;
    const flags = view.u32(at + 24);
    entries.push({
      guid: view.guid(at).toLowerCase(),
      offset: view.u32(at + 16),
      length: view.u32(at + 20),
      isUser: (flags & 1) !== 0,
      isVirtualDisk: (flags & 2) !== 0,
      isRequired: (flags & 4) !== 0,
    });
  }
  return entries;
}
