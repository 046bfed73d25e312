/**
 * An MFT entry (FILE record) and the attribute headers inside it.
 * libfsntfs "MFT entry" and "MFT attribute" sections.
 */
import { type ByteView, FormatError } from '../io/index.js';
import { applyFixups } from './fixups.js';

const SIGNATURE_FILE = 0x454c4946; // "FILE"
const SIGNATURE_BAAD = 0x44414142; // "BAAD": a record the file system itself marked as bad
const SEQUENCE_OFFSET = 16;
const LINK_COUNT_OFFSET = 18;
const FIRST_ATTRIBUTE_OFFSET = 20;
const FLAGS_OFFSET = 22;
const USED_SIZE_OFFSET = 24;
const BASE_REFERENCE_OFFSET = 32;
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
const ATTRIBUTE_END = 0xffffffff;

// Attribute header (common part).
const ATTR_TYPE = 0;
const ATTR_SIZE = 4;
const ATTR_NON_RESIDENT = 8;
const ATTR_NAME_LENGTH = 9;
const ATTR_NAME_OFFSET = 10;
const ATTR_FLAGS = 12;
const ATTR_ID = 14;
// Resident part.
const ATTR_CONTENT_SIZE = 16;
const ATTR_CONTENT_OFFSET = 20;
// Non-resident part.
const ATTR_FIRST_VCN = 16;
const ATTR_LAST_VCN = 24;
const ATTR_RUN_LIST_OFFSET = 32;
const ATTR_COMPRESSION_UNIT = 34;
const ATTR_ALLOCATED_SIZE = 40;
const ATTR_DATA_SIZE = 48;
const ATTR_VALID_SIZE = 56;
const RESIDENT_HEADER_SIZE = 24;
const NON_RESIDENT_HEADER_SIZE = 64;

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

export interface RawAttribute {
  type: number;
  name: string;
  id: number;
  flags: number;
  /** Record the attribute was found in (differs from the base record for extension records). */
  record: number;
  resident: boolean;
  /** Resident content (a view into the record's bytes). */
  content?: ByteView;
  /** Offset of the content inside the record, for TSK's owner-id quirk (see bodyfile.ts). */
  contentOffset?: number;
  firstVcn: number;
  lastVcn: number;
  compressionUnit: number;
  allocatedSize: number;
  dataSize: number;
  validSize: number;
  /** Raw run list bytes (non-resident only), decoded on demand. */
  runList?: ByteView;
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
      record.attributes.push(parseAttribute(view.view(offset, size, 'attribute'), recordNumber, offset));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      warnings.push(error);
    }
    offset += size;
  }
  return record;
}

function parseAttribute(view: ByteView, recordNumber: number, offsetInRecord: number): RawAttribute {
  const type = view.u32(ATTR_TYPE);
  const nonResident = view.u8(ATTR_NON_RESIDENT);
  const nameLength = view.u8(ATTR_NAME_LENGTH);
  const nameOffset = view.u16(ATTR_NAME_OFFSET);
  const name = nameLength === 0 ? '' : view.utf16(nameOffset, nameLength * 2);
  const base = {
    type,
    name,
    id: view.u16(ATTR_ID),
    flags: view.u16(ATTR_FLAGS),
    record: recordNumber,
  };
  if (nonResident === 0) {
    view.check(0, RESIDENT_HEADER_SIZE);
    const contentSize = view.u32(ATTR_CONTENT_SIZE);
    const contentOffset = view.u16(ATTR_CONTENT_OFFSET);
    if (!view.has(contentOffset, contentSize)) {
      throw view.error(
        ATTR_CONTENT_SIZE,
        `resident content (${contentSize} bytes at ${contentOffset}) overruns the attribute`,
      );
    }
    return {
      ...base,
      resident: true,
      content: view.view(contentOffset, contentSize, 'attribute-content'),
      contentOffset: offsetInRecord + contentOffset,
      firstVcn: 0,
      lastVcn: -1,
      compressionUnit: 0,
      allocatedSize: contentSize,
      dataSize: contentSize,
      validSize: contentSize,
    };
  }
  view.check(0, ATTR_VALID_SIZE + 8);
  const firstVcn = view.u64n(ATTR_FIRST_VCN);
  const lastVcnRaw = view.i64(ATTR_LAST_VCN);
  const lastVcn = lastVcnRaw < 0n ? -1 : Number(lastVcnRaw);
  const runListOffset = view.u16(ATTR_RUN_LIST_OFFSET);
  if (runListOffset < NON_RESIDENT_HEADER_SIZE - 8 || runListOffset > view.length) {
    throw view.error(ATTR_RUN_LIST_OFFSET, `run list offset ${runListOffset} is invalid`);
  }
  return {
    ...base,
    resident: false,
    firstVcn,
    lastVcn,
    compressionUnit: view.u8(ATTR_COMPRESSION_UNIT),
    allocatedSize: view.u64n(ATTR_ALLOCATED_SIZE),
    dataSize: view.u64n(ATTR_DATA_SIZE),
    validSize: view.u64n(ATTR_VALID_SIZE),
    runList: view.view(runListOffset, view.length - runListOffset, 'run-list'),
  };
}

/** The MFT entry number stored in NTFS 3.1 records (undefined in older ones). */
export function storedRecordNumber(view: ByteView): number | undefined {
  if (view.u16(4) < 48) return undefined;
  return view.u32(RECORD_NUMBER_OFFSET);
}
