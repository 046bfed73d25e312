/**
 * Update sequence ("fixup") arrays protect multi-sector records (FILE, INDX): the last two bytes
 * of every sector hold the update sequence number and the real bytes live in the array.
 * libfsntfs "Fix-up values" section.
 */
import type { ByteView } from '../io/index.js';

export const UPDATE_SEQUENCE_OFFSET_OFFSET = 4;
export const UPDATE_SEQUENCE_COUNT_OFFSET = 6;
/** Fixups protect 512-byte strides whatever the device sector size (NTFS convention). */
export const FIXUP_STRIDE = 512;

/**
 * Applies the fixups in place on the record's bytes (a private copy). Returns undefined when all
 * is well, else the reason (the record is then unreliable: its sectors may be torn).
 */
export function applyFixups(view: ByteView): string | undefined {
  const arrayOffset = view.u16(UPDATE_SEQUENCE_OFFSET_OFFSET);
  const count = view.u16(UPDATE_SEQUENCE_COUNT_OFFSET);
  const sectors = view.length / FIXUP_STRIDE;
  if (count === 0) return 'update sequence array is empty';
  if (count - 1 !== sectors) return `update sequence count ${count} does not match ${sectors} sectors`;
  if (!view.has(arrayOffset, count * 2) || arrayOffset < 8)
    return `update sequence array offset ${arrayOffset} is invalid`;
  const bytes = view.bytes;
  const usn0 = bytes[arrayOffset]!;
  const usn1 = bytes[arrayOffset + 1]!;
  let mismatch: string | undefined;
  for (let sector = 0; sector < sectors; sector += 1) {
    const end = (sector + 1) * FIXUP_STRIDE - 2;
    if (bytes[end] !== usn0 || bytes[end + 1] !== usn1) {
      mismatch ??= `sector ${sector} does not end with the update sequence number (torn write)`;
    }
    bytes[end] = bytes[arrayOffset + 2 + sector * 2]!;
    bytes[end + 1] = bytes[arrayOffset + 3 + sector * 2]!;
  }
  return mismatch;
}
