import { asciiBytes, type ByteView } from '../io/byte-view.js';
import { crc32cWithZeroField } from './crc32c.js';

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
