/** $STANDARD_INFORMATION (0x10). libfsntfs "Standard information attribute" section. */
import { type ByteView, filetimeToMicros } from '../io/index.js';

const CREATED = 0;
const MODIFIED = 8;
const MFT_MODIFIED = 16;
const ACCESSED = 24;
const FILE_ATTRIBUTES = 32;
const OWNER_ID = 48; // NTFS 3.0+ (72-byte form)
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
  times: NtfsTimes;
  raw: RawTimes;
  fileAttributes: number;
  ownerId?: number;
  securityId?: number;
}

export function readTimes(view: ByteView, offset: number): { times: NtfsTimes; raw: RawTimes } {
  const raw: RawTimes = {
    created: view.u64(offset + CREATED),
    modified: view.u64(offset + MODIFIED),
    mftModified: view.u64(offset + MFT_MODIFIED),
    accessed: view.u64(offset + ACCESSED),
  };
  const times: NtfsTimes = {};
  const set = (key: keyof NtfsTimes, value: bigint): void => {
    const micros = filetimeToMicros(value);
    if (micros !== undefined) times[key] = micros;
  };
  set('created', raw.created);
  set('modified', raw.modified);
  set('mftModified', raw.mftModified);
  set('accessed', raw.accessed);
  return { times, raw };
}

export function parseStandardInformation(view: ByteView): StandardInformation {
  view.check(0, STANDARD_INFORMATION_MIN_SIZE);
  const { times, raw } = readTimes(view, 0);
  const info: StandardInformation = { times, raw, fileAttributes: view.u32(FILE_ATTRIBUTES) };
  if (view.has(OWNER_ID, 8)) {
    info.ownerId = view.u32(OWNER_ID);
    info.securityId = view.u32(SECURITY_ID);
  }
  return info;
}
