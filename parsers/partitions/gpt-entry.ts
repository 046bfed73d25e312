import type { ByteView } from '../io/index.js';

/** GPT partition entry (UEFI specification 2.x, §5.3.3 "GPT Partition Entry Array"). */
const PARTITION_TYPE_GUID = 0;
const UNIQUE_PARTITION_GUID = 16;
const STARTING_LBA = 32;
const ENDING_LBA = 40;
const ATTRIBUTES = 48;
const PARTITION_NAME = 56;
const PARTITION_NAME_SIZE = 72;

export const UNUSED_TYPE_GUID = '{00000000-0000-0000-0000-000000000000}';

export interface GptEntry {
  typeGuid: string;
  uniqueGuid: string;
  firstLba: bigint;
  lastLba: bigint;
  attributes: bigint;
  name: string;
}

export function parseGptEntry(view: ByteView): GptEntry {
  return {
    typeGuid: view.guid(PARTITION_TYPE_GUID),
    uniqueGuid: view.guid(UNIQUE_PARTITION_GUID),
    firstLba: view.u64(STARTING_LBA),
    lastLba: view.u64(ENDING_LBA),
    attributes: view.u64(ATTRIBUTES),
    name: view.utf16z(PARTITION_NAME, Math.min(PARTITION_NAME_SIZE, view.length - PARTITION_NAME)),
  };
}
