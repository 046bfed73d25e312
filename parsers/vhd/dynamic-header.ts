import { asciiBytes, type ByteView } from '../io/byte-view.js';
import { idHex, vhdChecksum } from './footer.js';

/** VHD dynamic disk header ("Dynamic Disk Header Format"), big-endian. */
export const DYNAMIC_HEADER_SIZE = 1024;
export const SPARSE_COOKIE = asciiBytes('cxsparse');
const TABLE_OFFSET = 16;
const MAX_TABLE_ENTRIES = 28;
const BLOCK_SIZE = 32;
const CHECKSUM = 36;
const PARENT_UNIQUE_ID = 40;
const PARENT_UNICODE_NAME = 64;
const PARENT_UNICODE_NAME_SIZE = 512;
const PARENT_LOCATORS = 576;
const PARENT_LOCATOR_SIZE = 24;
const PARENT_LOCATOR_COUNT = 8;

export interface ParentLocator {
  /** `W2ru` (relative, UTF-16LE), `W2ku` (absolute, UTF-16LE), `Wi2r`/`Wi2k` (ANSI), `MacX` (UTF-8 URL). */
  platformCode: string;
  dataLength: number;
  dataOffset: number;
}

export interface DynamicHeader {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
  parentUniqueId: string;
  parentName: string;
  parentLocators: ParentLocator[];
  checksumValid: boolean;
}

export function parseDynamicHeader(view: ByteView): DynamicHeader {
  const locators: ParentLocator[] = [];
  for (let index = 0; index < PARENT_LOCATOR_COUNT; index += 1) {
    const at = PARENT_LOCATORS + index * PARENT_LOCATOR_SIZE;
    const code = view.u32be(at);
    if (code === 0) continue;
    locators.push({
      platformCode: view.latin1(at, 4),
      dataLength: view.u32be(at + 8),
      dataOffset: Number(view.u64be(at + 16)),
    });
  }
  // The parent name is UTF-16 big-endian, zero-padded.
  const nameBytes = Buffer.from(view.subarray(PARENT_UNICODE_NAME, PARENT_UNICODE_NAME_SIZE));
  nameBytes.swap16();
  const parentName = new TextDecoder('utf-16le').decode(nameBytes).replace(/\0.*$/s, '');
  return {
    tableOffset: Number(view.u64be(TABLE_OFFSET)),
    maxTableEntries: view.u32be(MAX_TABLE_ENTRIES),
    blockSize: view.u32be(BLOCK_SIZE),
    parentUniqueId: idHex(view, PARENT_UNIQUE_ID),
    parentName,
    parentLocators: locators,
    checksumValid: vhdChecksum(view.subarray(0, DYNAMIC_HEADER_SIZE), CHECKSUM) === view.u32be(CHECKSUM),
  };
}
