import { asciiBytes, type ByteView, FormatError } from '../io/index.js';
import { crc32 } from './crc32.js';

/**
 * GPT header (UEFI specification 2.x, §5.3.2 "GPT Header"; libyal/libvsgpt documentation
 * "GUID Partition Table (GPT) format"). The primary is at LBA 1, the backup at the last LBA.
 */
export const GPT_SIGNATURE = asciiBytes('EFI PART');
const SIGNATURE = 0;
const REVISION = 8;
const HEADER_SIZE = 12;
const HEADER_CRC32 = 16;
const MY_LBA = 24;
const ALTERNATE_LBA = 32;
const FIRST_USABLE_LBA = 40;
const LAST_USABLE_LBA = 48;
const DISK_GUID = 56;
const PARTITION_ENTRY_LBA = 72;
const NUMBER_OF_PARTITION_ENTRIES = 80;
const SIZE_OF_PARTITION_ENTRY = 84;
const PARTITION_ENTRY_ARRAY_CRC32 = 88;

export const MIN_HEADER_SIZE = 92;
export const MIN_ENTRY_SIZE = 128;
/** Bounds against crafted headers: entry array at most 1 MiB, entries at most 4 KiB. */
export const MAX_ENTRY_SIZE = 4096;
export const MAX_ENTRY_ARRAY_BYTES = 1024 * 1024;

export interface GptHeader {
  offset: number;
  revision: number;
  myLba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: string;
  partitionEntryLba: number;
  numberOfEntries: number;
  entrySize: number;
  entryArrayCrc32: number;
}

/** Parses and validates a header sector; throws FormatError when it is not a usable header. */
export function parseGptHeader(view: ByteView, structure: string): GptHeader {
  const fail = (at: number, reason: string) =>
    new FormatError('partitions', structure, view.base + at, reason);
  if (!view.matches(SIGNATURE, GPT_SIGNATURE)) throw fail(SIGNATURE, 'missing "EFI PART" signature');
  const headerSize = view.u32(HEADER_SIZE);
  if (headerSize < MIN_HEADER_SIZE || headerSize > view.length) {
    throw fail(HEADER_SIZE, `header size ${headerSize} out of range`);
  }
  const stored = view.u32(HEADER_CRC32);
  // An explicit copy: ByteView.copy uses slice(), which shares memory when the bytes are a Buffer.
  const copy = Uint8Array.from(view.subarray(0, headerSize));
  copy.fill(0, HEADER_CRC32, HEADER_CRC32 + 4);
  const computed = crc32(copy);
  if (stored !== computed) {
    throw fail(
      HEADER_CRC32,
      `header CRC32 0x${stored.toString(16)} does not match computed 0x${computed.toString(16)}`,
    );
  }
  const entrySize = view.u32(SIZE_OF_PARTITION_ENTRY);
  const numberOfEntries = view.u32(NUMBER_OF_PARTITION_ENTRIES);
  if (entrySize < MIN_ENTRY_SIZE || entrySize > MAX_ENTRY_SIZE || entrySize % 8 !== 0) {
    throw fail(SIZE_OF_PARTITION_ENTRY, `partition entry size ${entrySize} out of range`);
  }
  if (numberOfEntries * entrySize > MAX_ENTRY_ARRAY_BYTES) {
    throw fail(NUMBER_OF_PARTITION_ENTRIES, `${numberOfEntries} entries of ${entrySize} bytes is too large`);
  }
  return {
    offset: view.base,
    revision: view.u32(REVISION),
    myLba: view.u64n(MY_LBA),
    alternateLba: view.u64n(ALTERNATE_LBA),
    firstUsableLba: view.u64n(FIRST_USABLE_LBA),
    lastUsableLba: view.u64n(LAST_USABLE_LBA),
    diskGuid: view.guid(DISK_GUID),
    partitionEntryLba: view.u64n(PARTITION_ENTRY_LBA),
    numberOfEntries,
    entrySize,
    entryArrayCrc32: view.u32(PARTITION_ENTRY_ARRAY_CRC32),
  };
}
