/**
 * The listing's fast path over one FILE record inside a block of MFT bytes: fixups, header and
 * attribute headers read straight from the block (no object per record or attribute), the
 * record's names written to the NameTable and its bodyfile lines to BodyRows.
 *
 * Only clean, self-contained records take this path. Anything else — another signature, a
 * torn or malformed update sequence, an attribute header that `parseMftRecord` would warn
 * about, an `$ATTRIBUTE_LIST`, attribute pieces to merge — returns SCAN_FALLBACK with the bytes
 * untouched, and the caller parses the record with the object path (`parseMftRecord`,
 * `assembleFile`), which reports the problems. So both paths give the same lines by construction
 * (checked record by record in record-scan.test.ts).
 */

import { decodeUtf16 } from '../io/fast-text.js';
import type { ByteView } from '../io/index.js';
import {
  BodyRows,
  KIND_ATTRIBUTE,
  KIND_BARE,
  KIND_FILE_NAME,
  MODE_DELETED,
  MODE_DIRECTORY,
  MODE_HAS_SI,
  MODE_HIDDEN,
  MODE_READONLY,
} from './body-rows.js';
import { printable, tskSecondsOf } from './bodyfile.js';
import {
  NAME as FN_NAME,
  NAME_LENGTH as FN_NAME_LENGTH,
  NAMESPACE as FN_NAMESPACE,
  TIMES as FN_TIMES,
} from './file-name.js';
import { FIXUP_STRIDE, UPDATE_SEQUENCE_COUNT_OFFSET, UPDATE_SEQUENCE_OFFSET_OFFSET } from './fixups.js';
import {
  ATTR_ALLOCATED_SIZE,
  ATTR_CONTENT_OFFSET,
  ATTR_CONTENT_SIZE,
  ATTR_DATA_SIZE,
  ATTR_FIRST_VCN,
  ATTR_ID,
  ATTR_LAST_VCN,
  ATTR_NAME_LENGTH,
  ATTR_NAME_OFFSET,
  ATTR_NON_RESIDENT,
  ATTR_RUN_LIST_OFFSET,
  ATTR_SIZE,
  ATTR_TYPE,
  ATTR_VALID_SIZE,
  ATTRIBUTE_ATTRIBUTE_LIST,
  ATTRIBUTE_DATA,
  ATTRIBUTE_END,
  ATTRIBUTE_FILE_NAME,
  ATTRIBUTE_INDEX_ROOT,
  ATTRIBUTE_STANDARD_INFORMATION,
  BASE_REFERENCE_OFFSET,
  FIRST_ATTRIBUTE_OFFSET,
  FLAGS_OFFSET,
  NON_RESIDENT_HEADER_SIZE,
  RECORD_FLAG_DIRECTORY,
  RECORD_FLAG_IN_USE,
  RESIDENT_HEADER_SIZE,
  ROOT_RECORD,
  SEQUENCE_OFFSET,
  SIGNATURE_FILE,
  USED_SIZE_OFFSET,
} from './mft-record.js';
import {
  FLAG_DIRECTORY,
  FLAG_EXTENSION,
  FLAG_HAS_ATTRIBUTES,
  FLAG_IN_USE,
  FLAG_PARSED,
  type NameTable,
} from './name-table.js';
import {
  ACCESSED,
  CREATED,
  FILE_ATTRIBUTES,
  MFT_MODIFIED,
  MODIFIED,
  OWNER_ID,
  STANDARD_INFORMATION_MIN_SIZE,
} from './standard-information.js';

/** The record was listed (or is an extension record / has no attributes). */
export const SCAN_OK = 0;
/** Never-used record area (zero signature): nothing to list. */
export const SCAN_EMPTY = 1;
/** Needs the object path; the bytes are as they were. */
export const SCAN_FALLBACK = 2;

const FILE_ATTRIBUTE_READONLY = 0x1;
const FILE_ATTRIBUTE_HIDDEN = 0x2;
const NAMESPACE_DOS = 2;
/** High word of a 64-bit field at or above this is not an exact number (`ByteView.u64n` throws). */
const U64N_HIGH_LIMIT = 0x200000;
const TWO_32 = 0x1_0000_0000;

// Per-record scratch, reused (the scan handles one record at a time; never shrunk: setting an
// array's length costs more than the record).
const nameOffsets: number[] = [];
const nameIds: number[] = [];
const nameSizes: number[] = [];
const otherTypes: number[] = [];
const otherIds: number[] = [];
const otherNames: string[] = [];
const otherSizes: number[] = [];

/** An attribute header that parseAttribute accepts; anything it would throw for is false. */
function u64nOk(view: ByteView, offset: number): boolean {
  return view.u32(offset + 4) < U64N_HIGH_LIMIT;
}

/**
 * Scans the record of `size` bytes at `start` in `view` (a block of the MFT). On SCAN_OK its
 * fixups have been applied in place and its facts written; otherwise the bytes are unchanged.
 */
export function scanRecord(
  view: ByteView,
  start: number,
  size: number,
  recordNumber: number,
  table: NameTable,
  rows: BodyRows | undefined,
): number {
  const signature = view.u32(start);
  if (signature === 0) return SCAN_EMPTY;
  if (signature !== SIGNATURE_FILE) return SCAN_FALLBACK;
  const arrayOffset = view.u16(start + UPDATE_SEQUENCE_OFFSET_OFFSET);
  const count = view.u16(start + UPDATE_SEQUENCE_COUNT_OFFSET);
  const sectors = size / FIXUP_STRIDE;
  if (count - 1 !== sectors || arrayOffset < 8 || arrayOffset + count * 2 > size) return SCAN_FALLBACK;
  const usn = view.u16(start + arrayOffset);
  for (let sector = 1; sector <= sectors; sector += 1) {
    if (view.u16(start + sector * FIXUP_STRIDE - 2) !== usn) return SCAN_FALLBACK;
  }
  const bytes = view.bytes;
  for (let sector = 1; sector <= sectors; sector += 1) {
    const end = start + sector * FIXUP_STRIDE - 2;
    const saved = start + arrayOffset + sector * 2;
    bytes[end] = bytes[saved]!;
    bytes[end + 1] = bytes[saved + 1]!;
  }
  if (scanFixed(view, start, size, recordNumber, table, rows)) return SCAN_OK;
  // Undo the fixups: every sector end held the update sequence number (checked above).
  for (let sector = 1; sector <= sectors; sector += 1) {
    const end = start + sector * FIXUP_STRIDE - 2;
    bytes[end] = usn & 0xff;
    bytes[end + 1] = usn >>> 8;
  }
  return SCAN_FALLBACK;
}

function scanFixed(
  view: ByteView,
  start: number,
  size: number,
  recordNumber: number,
  table: NameTable,
  rows: BodyRows | undefined,
): boolean {
  const recordFlags = view.u16(start + FLAGS_OFFSET);
  const firstAttribute = view.u16(start + FIRST_ATTRIBUTE_OFFSET);
  const usedSize = view.u32(start + USED_SIZE_OFFSET);
  if (firstAttribute < 24 || firstAttribute >= size || (firstAttribute & 7) !== 0) return false;
  const extension =
    view.u32(start + BASE_REFERENCE_OFFSET) !== 0 || view.u16(start + BASE_REFERENCE_OFFSET + 4) !== 0;
  const limit = Math.min(size, usedSize >= firstAttribute ? usedSize : size);
  let names = 0;
  let others = 0;
  let attributes = 0;
  let si = -1;
  let offset = firstAttribute;
  while (offset + 8 <= limit) {
    const at = start + offset;
    const type = view.u32(at + ATTR_TYPE);
    if (type === ATTRIBUTE_END) break;
    const attributeSize = view.u32(at + ATTR_SIZE);
    if (attributeSize < 16 || offset + attributeSize > size || (attributeSize & 7) !== 0) return false;
    const nameLength = view.u8(at + ATTR_NAME_LENGTH);
    const nameOffset = nameLength > 0 ? view.u16(at + ATTR_NAME_OFFSET) : 0;
    if (nameLength > 0 && nameOffset + nameLength * 2 > attributeSize) return false;
    const id = view.u16(at + ATTR_ID);
    const resident = view.u8(at + ATTR_NON_RESIDENT) === 0;
    let dataSize: number;
    let content = 0;
    if (resident) {
      if (attributeSize < RESIDENT_HEADER_SIZE) return false;
      dataSize = view.u32(at + ATTR_CONTENT_SIZE);
      const contentOffset = view.u16(at + ATTR_CONTENT_OFFSET);
      if (contentOffset + dataSize > attributeSize) return false;
      content = at + contentOffset;
    } else {
      if (attributeSize < ATTR_VALID_SIZE + 8) return false;
      if (!u64nOk(view, at + ATTR_FIRST_VCN)) return false;
      if (view.u32(at + ATTR_LAST_VCN + 4) < 0x80000000 && !u64nOk(view, at + ATTR_LAST_VCN)) return false;
      const runListOffset = view.u16(at + ATTR_RUN_LIST_OFFSET);
      if (runListOffset < NON_RESIDENT_HEADER_SIZE - 8 || runListOffset > attributeSize) return false;
      if (!u64nOk(view, at + ATTR_ALLOCATED_SIZE) || !u64nOk(view, at + ATTR_VALID_SIZE)) return false;
      if (!u64nOk(view, at + ATTR_DATA_SIZE)) return false;
      dataSize = view.u32(at + ATTR_DATA_SIZE + 4) * TWO_32 + view.u32(at + ATTR_DATA_SIZE);
    }
    attributes += 1;
    offset += attributeSize;
    if (extension) continue;
    if (type === ATTRIBUTE_ATTRIBUTE_LIST) return false;
    if (resident && type === ATTRIBUTE_STANDARD_INFORMATION) {
      // Only the first one counts (file-record.ts); a short one is an error for the object path.
      if (si >= 0) continue;
      if (dataSize < STANDARD_INFORMATION_MIN_SIZE) return false;
      si = content;
      continue;
    }
    if (resident && type === ATTRIBUTE_FILE_NAME) {
      if (dataSize < FN_NAME || FN_NAME + view.u8(content + FN_NAME_LENGTH) * 2 > dataSize) return false;
      nameOffsets[names] = content;
      nameIds[names] = id;
      nameSizes[names] = dataSize;
      names += 1;
      continue;
    }
    const name = nameLength === 0 ? '' : decodeUtf16(view, at + nameOffset, nameLength * 2);
    // Two attributes of one (type, name) are pieces to merge: the object path does that.
    for (let index = 0; index < others; index += 1) {
      if (otherTypes[index] === type && otherNames[index] === name) return false;
    }
    otherTypes[others] = type;
    otherIds[others] = id;
    otherNames[others] = name;
    otherSizes[others] = dataSize;
    others += 1;
  }

  const inUse = (recordFlags & RECORD_FLAG_IN_USE) !== 0;
  const directory = (recordFlags & RECORD_FLAG_DIRECTORY) !== 0;
  let flags = FLAG_PARSED;
  if (inUse) flags |= FLAG_IN_USE;
  if (directory) flags |= FLAG_DIRECTORY;
  if (attributes > 0) flags |= FLAG_HAS_ATTRIBUTES;
  if (extension) flags |= FLAG_EXTENSION;
  table.flags[recordNumber] = flags;
  table.sequence[recordNumber] = view.u16(start + SEQUENCE_OFFSET);
  if (extension || attributes === 0) return true;

  for (let index = 0; index < names; index += 1) {
    const content = nameOffsets[index]!;
    const name = decodeUtf16(view, content + FN_NAME, view.u8(content + FN_NAME_LENGTH) * 2);
    const parent = view.u16(content + 4) * TWO_32 + view.u32(content);
    table.addName(recordNumber, name, parent, view.u16(content + 6), view.u8(content + FN_NAMESPACE));
  }
  if (rows === undefined || recordNumber === ROOT_RECORD || (inUse && names === 0)) return true;

  let mode = inUse ? 0 : MODE_DELETED;
  if (directory) mode |= MODE_DIRECTORY;
  let uid = 0;
  if (si >= 0) {
    mode |= MODE_HAS_SI;
    const fileAttributes = view.u32(si + FILE_ATTRIBUTES);
    if ((fileAttributes & FILE_ATTRIBUTE_READONLY) !== 0) mode |= MODE_READONLY;
    if ((fileAttributes & FILE_ATTRIBUTE_HIDDEN) !== 0) mode |= MODE_HIDDEN;
    // TSK reads the owner id even past a 48-byte $STANDARD_INFORMATION (bodyfile.ts).
    if (si - start + OWNER_ID + 4 <= size) uid = view.u32(si + OWNER_ID);
  }
  // TSK keeps the lowest-id $FILE_NAME, ignoring DOS (8.3-only) names.
  let chosen = -1;
  for (let index = 0; index < names; index += 1) {
    if (view.u8(nameOffsets[index]! + FN_NAMESPACE) === NAMESPACE_DOS) continue;
    if (chosen < 0 || nameIds[index]! < nameIds[chosen]!) chosen = index;
  }
  if (chosen < 0 && names > 0) chosen = 0;
  if (chosen >= 0) {
    const times = nameOffsets[chosen]! + FN_TIMES;
    rows.add(
      recordNumber,
      KIND_FILE_NAME,
      ATTRIBUTE_FILE_NAME,
      nameIds[chosen]!,
      mode,
      uid,
      nameSizes[chosen]!,
      secondsAt(view, times + ACCESSED),
      secondsAt(view, times + MODIFIED),
      secondsAt(view, times + MFT_MODIFIED),
      secondsAt(view, times + CREATED),
    );
  }
  const accessed = si < 0 ? 0 : secondsAt(view, si + ACCESSED);
  const modified = si < 0 ? 0 : secondsAt(view, si + MODIFIED);
  const mftModified = si < 0 ? 0 : secondsAt(view, si + MFT_MODIFIED);
  const created = si < 0 ? 0 : secondsAt(view, si + CREATED);
  let printed = false;
  for (let index = 0; index < others; index += 1) {
    const type = otherTypes[index]!;
    if (type !== ATTRIBUTE_DATA && type !== ATTRIBUTE_INDEX_ROOT) continue;
    printed = true;
    const name = otherNames[index]!;
    rows.add(
      recordNumber,
      KIND_ATTRIBUTE,
      type,
      otherIds[index]!,
      mode,
      uid,
      otherSizes[index]!,
      accessed,
      modified,
      mftModified,
      created,
    );
    if (name !== '' && !(type === ATTRIBUTE_INDEX_ROOT && name === '$I30')) rows.nameLast(printable(name));
  }
  // Neither $DATA nor $INDEX_ROOT: one line with the bare inode (and size 0, there is no $DATA).
  if (!printed)
    rows.add(recordNumber, KIND_BARE, 0, 0, mode, uid, 0, accessed, modified, mftModified, created);
  return true;
}

/** TSK seconds of the FILETIME at `offset`. */
function secondsAt(view: ByteView, offset: number): number {
  return tskSecondsOf(view.u32(offset), view.u32(offset + 4));
}

export { BodyRows };
