/**
 * An MFT entry (FILE record) and the attribute headers inside it.
 * libfsntfs "MFT entry" and "MFT attribute" sections.
 */
import { type ByteView, FormatError } from '../io/index.js';
import { applyFixups } from './fixups.js';

export const SIGNATURE_FILE = 0x454c4946; // "FILE"
const SIGNATURE_BAAD = 0x44414142; // "BAAD": a record the file system itself marked as bad
export const SEQUENCE_OFFSET = 16;
export const LINK_COUNT_OFFSET = 18;
export const FIRST_ATTRIBUTE_OFFSET = 20;
export const FLAGS_OFFSET = 22;
export const USED_SIZE_OFFSET = 24;
export const BASE_REFERENCE_OFFSET = 32;
const RECORD_NUMBER_OFFSET = 44; // NTFS 3.1 only, when the update sequence array starts at 48

/** Well-known records: the root directory, and TSK's virtual directory for orphans. */
export const ROOT_RECORD = 5;
export const ORPHAN_DIRECTORY = '$OrphanFiles';

export const RECORD_FLAG_IN_USE = 0x0001;
export const RECORD_FLAG_DIRECTORY = 0x0002;

export const ATTRIBUTE_STANDARD_INFORMATION = 0x10;
export const ATTRIBUTE_ATTRIBUTE_LIST = 0x20;
export const ATTRIBUTE_FILE_NAME = 0x30;
export const ATTRIBUTE_DATA = 0x80;
export const ATTRIBUTE_INDEX_ROOT = 0x90;
export const ATTRIBUTE_INDEX_ALLOCATION = 0xa0;
export const ATTRIBUTE_END = 0xffffffff;

// Attribute header (common part).
export const ATTR_TYPE = 0;
export const ATTR_SIZE = 4;
export const ATTR_NON_RESIDENT = 8;
export const ATTR_NAME_LENGTH = 9;
export const ATTR_NAME_OFFSET = 10;
export const ATTR_FLAGS = 12;
export const ATTR_ID = 14;
// Resident part.
export const ATTR_CONTENT_SIZE = 16;
export const ATTR_CONTENT_OFFSET = 20;
// Non-resident part.
export const ATTR_FIRST_VCN = 16;
export const ATTR_LAST_VCN = 24;
export const ATTR_RUN_LIST_OFFSET = 32;
export const ATTR_COMPRESSION_UNIT = 34;
export const ATTR_ALLOCATED_SIZE = 40;
export const ATTR_DATA_SIZE = 48;
export const ATTR_VALID_SIZE = 56;
export const RESIDENT_HEADER_SIZE = 24;
export const NON_RESIDENT_HEADER_SIZE = 64;

export const ATTRIBUTE_FLAG_COMPRESSED = 0x0001;
export const ATTRIBUTE_FLAG_ENCRYPTED = 0x4000;
export const ATTRIBUTE_FLAG_SPARSE = 0x8000;

/** A file reference: 48-bit record number and 16-bit sequence number. */
export interface FileReference {
  record: number;
  sequence: number;
}

export function readReference(view: ByteView, offset: number): FileReference {
  const low = view.u32(offset);
  const high = view.u16(offset + 4);
  return { record: high * 0x100000000 + low, sequence: view.u16(offset + 6) };
}

/**
 * One attribute header as found in a record. Content and run list views are made on first use:
 * the scan touches most attributes only for their header, and views cost allocations.
 */
export class RawAttribute {
  type = 0;
  name = '';
  id = 0;
  flags = 0;
  /** Record the attribute was found in (differs from the base record for extension records). */
  record = 0;
  resident = true;
  /** Offset of the resident content inside the record (TSK owner-id quirk, see bodyfile.ts). */
  contentOffset: number | undefined = undefined;
  firstVcn = 0;
  lastVcn = -1;
  compressionUnit = 0;
  allocatedSize = 0;
  dataSize = 0;
  validSize = 0;
  private readonly recordView: ByteView;
  private readonly start: number;
  private readonly end: number;
  private runListOffset = 0;
  private contentView: ByteView | undefined;

  constructor(recordView: ByteView, start: number, end: number) {
    this.recordView = recordView;
    this.start = start;
    this.end = end;
  }

  setRunListOffset(offset: number): void {
    this.runListOffset = offset;
  }

  /** Resident content (a view into the record's bytes). */
  get content(): ByteView | undefined {
    if (!this.resident || this.contentOffset === undefined) return undefined;
    this.contentView ??= this.recordView.view(this.contentOffset, this.dataSize, 'attribute-content');
    return this.contentView;
  }

  /** Raw run list bytes (non-resident only), decoded on demand. */
  get runList(): ByteView | undefined {
    if (this.resident) return undefined;
    const from = this.start + this.runListOffset;
    return this.recordView.view(from, this.end - from, 'run-list');
  }
}

export interface MftRecord {
  recordNumber: number;
  sequence: number;
  linkCount: number;
  flags: number;
  inUse: boolean;
  isDirectory: boolean;
  baseReference: FileReference;
  usedSize: number;
  attributes: RawAttribute[];
  /** The record's bytes after fixups (owned copy). */
  view: ByteView;
  /** Problems that did not make the record unusable. */
  warnings: FormatError[];
}

export function hasFileSignature(view: ByteView): boolean {
  return view.has(0, 4) && view.u32(0) === SIGNATURE_FILE;
}

/** Returns true when the record area is empty (never written): all zero signature. */
export function isEmptyRecord(view: ByteView): boolean {
  return view.has(0, 4) && view.u32(0) === 0;
}

/**
 * Parses one MFT record. `view` must be a private copy: fixups are applied in place.
 * Throws FormatError for a record that cannot be used at all (bad signature, bad header);
 * a fixup mismatch or a damaged attribute becomes a warning and parsing stops at that point.
 */
export function parseMftRecord(view: ByteView, recordNumber: number): MftRecord {
  const signature = view.u32(0);
  if (signature === SIGNATURE_BAAD) throw view.error(0, 'record marked BAAD by the file system');
  if (signature !== SIGNATURE_FILE) throw view.error(0, `signature 0x${signature.toString(16)} is not FILE`);
  const warnings: FormatError[] = [];
  const fixup = applyFixups(view);
  if (fixup !== undefined) warnings.push(view.error(4, `bad fixup: ${fixup}`));
  const flags = view.u16(FLAGS_OFFSET);
  const firstAttribute = view.u16(FIRST_ATTRIBUTE_OFFSET);
  const usedSize = view.u32(USED_SIZE_OFFSET);
  if (firstAttribute < 24 || firstAttribute >= view.length || (firstAttribute & 7) !== 0) {
    throw view.error(FIRST_ATTRIBUTE_OFFSET, `first attribute offset ${firstAttribute} is invalid`);
  }
  const record: MftRecord = {
    recordNumber,
    sequence: view.u16(SEQUENCE_OFFSET),
    linkCount: view.u16(LINK_COUNT_OFFSET),
    flags,
    inUse: (flags & RECORD_FLAG_IN_USE) !== 0,
    isDirectory: (flags & RECORD_FLAG_DIRECTORY) !== 0,
    baseReference: readReference(view, BASE_REFERENCE_OFFSET),
    usedSize,
    attributes: [],
    view,
    warnings,
  };
  const limit = Math.min(view.length, usedSize >= firstAttribute ? usedSize : view.length);
  let offset = firstAttribute;
  // Each attribute is at least 16 bytes, so the loop is bounded by the record size.
  while (offset + 8 <= limit) {
    const type = view.u32(offset + ATTR_TYPE);
    if (type === ATTRIBUTE_END) break;
    const size = view.u32(offset + ATTR_SIZE);
    if (size < 16 || offset + size > view.length || (size & 7) !== 0) {
      warnings.push(
        view.error(offset + ATTR_SIZE, `attribute of type 0x${type.toString(16)} has invalid size ${size}`),
      );
      break;
    }
    try {
      record.attributes.push(parseAttribute(view, offset, size, recordNumber));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      warnings.push(error);
    }
    offset += size;
  }
  return record;
}

function parseAttribute(view: ByteView, start: number, size: number, recordNumber: number): RawAttribute {
  const attribute = new RawAttribute(view, start, start + size);
  attribute.type = view.u32(start + ATTR_TYPE);
  attribute.record = recordNumber;
  const nameLength = view.u8(start + ATTR_NAME_LENGTH);
  if (nameLength > 0) {
    const nameOffset = view.u16(start + ATTR_NAME_OFFSET);
    if (nameOffset + nameLength * 2 > size)
      throw view.error(start + ATTR_NAME_OFFSET, 'attribute name overruns the attribute');
    attribute.name = view.utf16(start + nameOffset, nameLength * 2);
  }
  attribute.id = view.u16(start + ATTR_ID);
  attribute.flags = view.u16(start + ATTR_FLAGS);
  if (view.u8(start + ATTR_NON_RESIDENT) === 0) {
    if (size < RESIDENT_HEADER_SIZE)
      throw view.error(start, `resident attribute of ${size} bytes is too short`);
    const contentSize = view.u32(start + ATTR_CONTENT_SIZE);
    const contentOffset = view.u16(start + ATTR_CONTENT_OFFSET);
    if (contentOffset + contentSize > size) {
      throw view.error(
        start + ATTR_CONTENT_SIZE,
        `resident content (${contentSize} bytes at ${contentOffset}) overruns the attribute`,
      );
    }
    attribute.contentOffset = start + contentOffset;
    attribute.allocatedSize = contentSize;
    attribute.dataSize = contentSize;
    attribute.validSize = contentSize;
    return attribute;
  }
  if (size < ATTR_VALID_SIZE + 8)
    throw view.error(start, `non-resident attribute of ${size} bytes is too short`);
  attribute.resident = false;
  attribute.firstVcn = view.u64n(start + ATTR_FIRST_VCN);
  // Last VCN is -1 (all ones) for an empty attribute.
  attribute.lastVcn =
    view.u32(start + ATTR_LAST_VCN + 4) >= 0x80000000 ? -1 : view.u64n(start + ATTR_LAST_VCN);
  const runListOffset = view.u16(start + ATTR_RUN_LIST_OFFSET);
  if (runListOffset < NON_RESIDENT_HEADER_SIZE - 8 || runListOffset > size) {
    throw view.error(start + ATTR_RUN_LIST_OFFSET, `run list offset ${runListOffset} is invalid`);
  }
  attribute.setRunListOffset(runListOffset);
  attribute.compressionUnit = view.u8(start + ATTR_COMPRESSION_UNIT);
  attribute.allocatedSize = view.u64n(start + ATTR_ALLOCATED_SIZE);
  attribute.dataSize = view.u64n(start + ATTR_DATA_SIZE);
  attribute.validSize = view.u64n(start + ATTR_VALID_SIZE);
  return attribute;
}

/** The MFT entry number stored in NTFS 3.1 records (undefined in older ones). */
export function storedRecordNumber(view: ByteView): number | undefined {
  if (view.u16(4) < 48) return undefined;
  return view.u32(RECORD_NUMBER_OFFSET);
}
