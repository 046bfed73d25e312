import type { ByteView } from '../io/byte-view.js';

/** `error2` header: entry count (4), padding (512), Adler-32 (4); then 8-byte entries. */
const ENTRY_COUNT = 0;
const HEADER_SIZE = 520;
const ENTRY_SIZE = 8;

/** A run of sectors the acquiring tool could not read (filled with zeros in the image). */
export interface AcquisitionError {
  firstSector: number;
  sectorCount: number;
}

/** The acquisition read errors; entries past the section's end are ignored. */
export function parseError2Section(view: ByteView): AcquisitionError[] {
  const count = view.u32(ENTRY_COUNT);
  const fits = Math.max(0, Math.floor((view.length - HEADER_SIZE) / ENTRY_SIZE));
  const errors: AcquisitionError[] = [];
  for (let index = 0; index < Math.min(count, fits); index += 1) {
    const at = HEADER_SIZE + index * ENTRY_SIZE;
    errors.push({ firstSector: view.u32(at), sectorCount: view.u32(at + 4) });
  }
  return errors;
}
