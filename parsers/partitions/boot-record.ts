import { type ByteView, FormatError } from '../io/index.js';

/**
 * A DOS boot record: the MBR in sector 0 or an EBR at the start of each link of an extended
 * partition chain. Four 16-byte entries at 446, signature 0x55 0xAA at 510.
 * Reference: libyal/libvsmbr documentation "MBR format", section "Master boot record".
 */
export const BOOT_RECORD_SIZE = 512;
export const PARTITION_TABLE_OFFSET = 446;
export const PARTITION_ENTRY_SIZE = 16;
export const PARTITION_ENTRY_COUNT = 4;
export const BOOT_SIGNATURE_OFFSET = 510;
/** Windows' disk signature (NT disk identifier), MBR only; MountedDevices names volumes by it. */
export const DISK_SIGNATURE_OFFSET = 440;

// Entry layout.
const ENTRY_BOOT_INDICATOR = 0;
const ENTRY_TYPE = 4;
const ENTRY_LBA_START = 8;
const ENTRY_SECTOR_COUNT = 12;

export const BOOT_INDICATOR_ACTIVE = 0x80;

/** A disk signature as Windows tools and MountedDevices readers show it: 8 upper-case hex digits. */
export function diskSignatureHex(signature: number): string {
  return (signature >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export interface BootRecordEntry {
  slot: number;
  bootIndicator: number;
  type: number;
  /** Relative to the record's base: the disk for the MBR, see EBR rules for logical entries. */
  lbaStart: number;
  sectorCount: number;
}

export interface BootRecord {
  offset: number;
  entries: BootRecordEntry[];
  /** The u32 at 440 (meaningful in the MBR only; EBRs leave it zero). */
  diskSignature: number;
}

export function hasBootSignature(view: ByteView): boolean {
  return (
    view.has(BOOT_SIGNATURE_OFFSET, 2) &&
    view.u8(BOOT_SIGNATURE_OFFSET) === 0x55 &&
    view.u8(BOOT_SIGNATURE_OFFSET + 1) === 0xaa
  );
}

/**
 * Parses the four entries; throws FormatError when the signature is missing or a boot indicator
 * is neither 0x00 nor 0x80 (the sector is then not a partition table: boot code or a VBR).
 */
export function parseBootRecord(view: ByteView, structure: string): BootRecord {
  if (!hasBootSignature(view)) {
    throw new FormatError(
      'partitions',
      structure,
      view.base + BOOT_SIGNATURE_OFFSET,
      'missing 0x55AA signature',
    );
  }
  const entries: BootRecordEntry[] = [];
  for (let slot = 0; slot < PARTITION_ENTRY_COUNT; slot += 1) {
    const at = PARTITION_TABLE_OFFSET + slot * PARTITION_ENTRY_SIZE;
    const bootIndicator = view.u8(at + ENTRY_BOOT_INDICATOR);
    if (bootIndicator !== 0 && bootIndicator !== BOOT_INDICATOR_ACTIVE) {
      throw new FormatError(
        'partitions',
        structure,
        view.base + at,
        `entry ${slot}: boot indicator 0x${bootIndicator.toString(16)} is neither 0x00 nor 0x80`,
      );
    }
    entries.push({
      slot,
      bootIndicator,
      type: view.u8(at + ENTRY_TYPE),
      lbaStart: view.u32(at + ENTRY_LBA_START),
      sectorCount: view.u32(at + ENTRY_SECTOR_COUNT),
    });
  }
  return { offset: view.base, entries, diskSignature: view.u32(DISK_SIGNATURE_OFFSET) };
}

/** An entry describes a partition when its type is set and it has sectors. */
export function isUsedEntry(entry: BootRecordEntry): boolean {
  return entry.type !== 0 && entry.sectorCount !== 0;
}
