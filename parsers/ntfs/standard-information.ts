/** $STANDARD_INFORMATION (0x10). libfsntfs "Standard information attribute" section. */
import { type ByteView, filetimeToMicros } from '../io/index.js';

export const CREATED = 0;
export const MODIFIED = 8;
export const MFT_MODIFIED = 16;
export const ACCESSED = 24;
export const FILE_ATTRIBUTES = 32;
export const OWNER_ID = 48; // NTFS 3.0+ (72-byte form)
const SECURITY_ID = 52;
export const STANDARD_INFORMATION_MIN_SIZE = 48;

/** MACB times, bigint microseconds UTC (undefined when the FILETIME is 0). */
export interface NtfsTimes {
  created?: bigint;
  modified?: bigint;
  mftModified?: bigint;
  accessed?: bigint;
}

/** The raw FILETIMEs, kept for tools that need TSK-identical seconds. */
export interface RawTimes {
  created: bigint;
  modified: bigint;
  mftModified: bigint;
  accessed: bigint;
}

export interface StandardInformation {
  /** FILETIMEs as stored; `timesOf(raw)` gives microseconds. */
  raw: RawTimes;
  fileAttributes: number;
  ownerId?: number;
  securityId?: number;
}

export function readRawTimes(view: ByteView, offset: number): RawTimes {
  return {
    created: view.u64(offset + CREATED),
    modified: view.u64(offset + MODIFIED),
    mftModified: view.u64(offset + MFT_MODIFIED),
    accessed: view.u64(offset + ACCESSED),
  };
}

/** FILETIMEs to microseconds; computed only when a record is turned into plain data. */
export function timesOf(raw: RawTimes): NtfsTimes {
  const times: NtfsTimes = {};
  const created = filetimeToMicros(raw.created);
  const modified = filetimeToMicros(raw.modified);
  const mftModified = filetimeToMicros(raw.mftModified);
  const accessed = filetimeToMicros(raw.accessed);
  if (created !== undefined) times.created = created;
  if (modified !== undefined) times.modified = modified;
  if (mftModified !== undefined) times.mftModified = mftModified;
  if (accessed !== undefined) times.accessed = accessed;
  return times;
}

export function parseStandardInformation(view: ByteView): StandardInformation {
  view.check(0, STANDARD_INFORMATION_MIN_SIZE);
  const info: StandardInformation = { raw: readRawTimes(view, 0), fileAttributes: view.u32(FILE_ATTRIBUTES) };
  if (view.has(OWNER_ID, 8)) {
    info.ownerId = view.u32(OWNER_ID);
    info.securityId = view.u32(SECURITY_ID);
  }
  return info;
}
