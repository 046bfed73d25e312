import type { ByteView } from '../io/byte-view.js';
import { adler32 } from './adler32.js';

/** EWF section descriptor: type (16), next offset (8), size (8), padding (40), Adler-32 (4). */
export const SECTION_DESCRIPTOR_SIZE = 76;
const TYPE = 0;
const TYPE_SIZE = 16;
const NEXT_OFFSET = 16;
const SECTION_SIZE = 24;
const CHECKSUM = 72;

export interface SectionDescriptor {
  /** `header2`, `volume`, `sectors`, `table`, `next`, `done`, ... */
  type: string;
  /** Absolute offset of this descriptor in its segment file. */
  offset: number;
  /** Absolute offset of the next descriptor (equal to `offset` for the last, `next`/`done`). */
  next: number;
  /** Section size including this descriptor (0 in some `next`/`done` sections). */
  size: number;
  checksumValid: boolean;
}

export function parseSectionDescriptor(view: ByteView): SectionDescriptor {
  const stored = view.u32(CHECKSUM);
  return {
    type: view.latin1z(TYPE, TYPE_SIZE),
    offset: view.base,
    next: view.u64n(NEXT_OFFSET),
    size: view.u64n(SECTION_SIZE),
    checksumValid: adler32(view.subarray(0, CHECKSUM)) === stored,
  };
}
