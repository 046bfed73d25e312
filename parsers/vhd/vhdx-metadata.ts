import { asciiBytes, type ByteView } from '../io/byte-view.js';

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
