import type { ByteView } from '../io/byte-view.js';
import { adler32 } from './adler32.js';

/** Table header: entry count (4), padding (4), base offset (8), padding (4), Adler-32 (4). */
export const TABLE_HEADER_SIZE = 24;
export const TABLE_ENTRY_SIZE = 4;
const ENTRY_COUNT = 0;
const BASE_OFFSET = 8;
const HEADER_CHECKSUM = 20;
/** Bit 31 of an entry: the chunk is zlib-compressed. */
export const COMPRESSED_FLAG = 0x80000000;

export interface TableHeader {
  entryCount: number;
  baseOffset: number;
  checksumValid: boolean;
}

export function parseTableHeader(view: ByteView): TableHeader {
  return {
    entryCount: view.u32(ENTRY_COUNT),
    baseOffset: view.u64n(BASE_OFFSET),
    checksumValid: adler32(view.subarray(0, HEADER_CHECKSUM)) === view.u32(HEADER_CHECKSUM),
  };
}

/** Whether the entry array's trailing Adler-32 (EnCase 6+) matches; undefined when absent. */
export function entriesChecksumValid(entries: ByteView, entryCount: number): boolean | undefined {
  const size = entryCount * TABLE_ENTRY_SIZE;
  if (!entries.has(size, 4)) return undefined;
  return adler32(entries.subarray(0, size)) === entries.u32(size);
}
