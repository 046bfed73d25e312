/** $ATTRIBUTE_LIST (0x20) entries. libfsntfs "Attribute list attribute" section. */
import type { ByteView } from '../io/index.js';
import { type FileReference, readReference } from './mft-record.js';

const TYPE = 0;
const ENTRY_SIZE = 4;
const NAME_LENGTH = 6;
const NAME_OFFSET = 7;
const FIRST_VCN = 8;
const REFERENCE = 16;
const ID = 24;
const MIN_ENTRY_SIZE = 26;

export interface AttributeListEntry {
  type: number;
  name: string;
  firstVcn: number;
  reference: FileReference;
  id: number;
}

/** Entries in order; stops (with the error thrown) at the first malformed entry. */
export function parseAttributeList(view: ByteView, into: AttributeListEntry[] = []): AttributeListEntry[] {
  let offset = 0;
  while (offset + MIN_ENTRY_SIZE <= view.length) {
    const size = view.u16(offset + ENTRY_SIZE);
    if (size < MIN_ENTRY_SIZE || offset + size > view.length) {
      throw view.error(offset + ENTRY_SIZE, `attribute list entry size ${size} is invalid`);
    }
    const nameLength = view.u8(offset + NAME_LENGTH);
    const nameOffset = view.u8(offset + NAME_OFFSET);
    into.push({
      type: view.u32(offset + TYPE),
      name: nameLength === 0 ? '' : view.utf16(offset + nameOffset, nameLength * 2),
      firstVcn: view.u64n(offset + FIRST_VCN),
      reference: readReference(view, offset + REFERENCE),
      id: view.u16(offset + ID),
    });
    offset += size;
  }
  return into;
}
