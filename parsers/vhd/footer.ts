import { asciiBytes, type ByteView } from '../io/byte-view.js';

/** VHD hard disk footer (Microsoft VHD Image Format Specification, "Hard Disk Footer Format"). */
export const FOOTER_SIZE = 512;
export const COOKIE = asciiBytes('conectix');
const DATA_OFFSET = 16;
const TIMESTAMP = 24;
const CREATOR_APPLICATION = 28;
const ORIGINAL_SIZE = 40;
const CURRENT_SIZE = 48;
const DISK_TYPE = 60;
const CHECKSUM = 64;
const UNIQUE_ID = 68;
/** Seconds from 1970-01-01 to the VHD epoch, 2000-01-01 00:00:00 UTC. */
const VHD_EPOCH = 946_684_800;

export const DISK_TYPE_FIXED = 2;
export const DISK_TYPE_DYNAMIC = 3;
export const DISK_TYPE_DIFFERENCING = 4;

export interface Footer {
  /** Offset of the dynamic disk header (0xFFFFFFFFFFFFFFFF for fixed disks, then -1). */
  dataOffset: number;
  /** Creation time, ISO 8601 UTC. */
  created: string;
  creatorApplication: string;
  originalSize: number;
  currentSize: number;
  diskType: number;
  uniqueId: string;
  checksumValid: boolean;
}

/** One's complement of the byte sum of a structure, with its checksum field counted as zero. */
export function vhdChecksum(bytes: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    if (index < checksumOffset || index >= checksumOffset + 4) sum += bytes[index]!;
  }
  return ~sum >>> 0;
}

/** Raw big-endian bytes of a GUID as hex (VHD stores unique ids as plain 16 bytes). */
export function idHex(view: ByteView, offset: number): string {
  return Buffer.from(view.subarray(offset, 16)).toString('hex');
}

export function isFooter(view: ByteView): boolean {
  return view.length >= FOOTER_SIZE && view.matches(0, COOKIE);
}

export function parseFooter(view: ByteView): Footer {
  const high = view.u32be(DATA_OFFSET);
  const low = view.u32be(DATA_OFFSET + 4);
  const dataOffset = high === 0xffffffff && low === 0xffffffff ? -1 : high * 0x100000000 + low;
  const bigSize = (offset: number): number => Number(view.u64be(offset));
  return {
    dataOffset,
    created: new Date((VHD_EPOCH + view.u32be(TIMESTAMP)) * 1000).toISOString(),
    creatorApplication: view.latin1(CREATOR_APPLICATION, 4),
    originalSize: bigSize(ORIGINAL_SIZE),
    currentSize: bigSize(CURRENT_SIZE),
    diskType: view.u32be(DISK_TYPE),
    uniqueId: idHex(view, UNIQUE_ID),
    checksumValid: vhdChecksum(view.subarray(0, FOOTER_SIZE), CHECKSUM) === view.u32be(CHECKSUM),
  };
}
