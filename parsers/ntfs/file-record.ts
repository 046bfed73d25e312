/**
 * A file as a whole: its base MFT record plus the extension records its $ATTRIBUTE_LIST names,
 * with attributes split over several records (VCN ranges) merged into one per (type, name).
 */
import { ByteView, FormatError } from '../io/index.js';
import { type AttributeListEntry, parseAttributeList } from './attribute-list.js';
import { type FileName, parseFileName } from './file-name.js';
import {
  ATTRIBUTE_ATTRIBUTE_LIST,
  ATTRIBUTE_FILE_NAME,
  ATTRIBUTE_FLAG_COMPRESSED,
  ATTRIBUTE_STANDARD_INFORMATION,
  type MftRecord,
  type RawAttribute,
} from './mft-record.js';
import { type DataRun, decodeRunList } from './run-list.js';
import { parseStandardInformation, type StandardInformation } from './standard-information.js';
import type { StreamLayout } from './stream-reader.js';

/** A file's attributes are spread over at most this many extension records (bounded work). */
export const MAX_EXTENSION_RECORDS = 4096;
const MAX_COMPRESSION_UNIT_BYTES = 1024 * 1024;
/** A resident attribute list above this size is refused (the record is 1-4 KiB anyway). */
const MAX_ATTRIBUTE_LIST_SIZE = 16 * 1024 * 1024;

export interface MergedAttribute {
  type: number;
  name: string;
  /** Id of the piece holding VCN 0 (the id TSK prints in `inode-type-id`). */
  id: number;
  flags: number;
  resident: boolean;
  content?: ByteView;
  pieces: RawAttribute[];
  dataSize: number;
  allocatedSize: number;
  validSize: number;
  compressionUnit: number;
}

export interface FileNameAttribute {
  id: number;
  contentSize: number;
  value: FileName;
}

export interface FileRecord {
  base: MftRecord;
  standardInformation?: StandardInformation;
  /** Offset of $STANDARD_INFORMATION's content in the base record (TSK owner-id quirk). */
  standardInformationOffset?: number;
  fileNames: FileNameAttribute[];
  attributes: MergedAttribute[];
  errors: FormatError[];
}

/** Loads a record by number; undefined when it cannot be read or parsed. */
export type RecordLoader = (recordNumber: number) => Promise<MftRecord | undefined>;

/** The $ATTRIBUTE_LIST content: resident bytes or a non-resident stream read through `readStream`. */
export type StreamOpener = (attribute: MergedAttribute) => Promise<Uint8Array>;

export async function assembleFile(
  base: MftRecord,
  loadRecord: RecordLoader,
  readAttributeContent: StreamOpener,
): Promise<FileRecord> {
  const errors: FormatError[] = [...base.warnings];
  const raw: RawAttribute[] = [...base.attributes];
  const list = base.attributes.find((attribute) => attribute.type === ATTRIBUTE_ATTRIBUTE_LIST);
  if (list !== undefined) {
    try {
      const entries = await readAttributeList(list, readAttributeContent);
      const wanted = new Set<number>();
      for (const entry of entries) {
        if (entry.reference.record !== base.recordNumber) wanted.add(entry.reference.record);
      }
      let loaded = 0;
      for (const recordNumber of wanted) {
        if (loaded >= MAX_EXTENSION_RECORDS) {
          errors.push(
            new FormatError(
              'ntfs',
              'attribute-list',
              base.view.base,
              `more than ${MAX_EXTENSION_RECORDS} extension records`,
            ),
          );
          break;
        }
        loaded += 1;
        const extension = await loadRecord(recordNumber);
        if (extension === undefined) continue;
        if (extension.baseReference.record !== base.recordNumber) {
          errors.push(
            new FormatError(
              'ntfs',
              'attribute-list',
              extension.view.base,
              `extension record ${recordNumber} belongs to record ${extension.baseReference.record}`,
            ),
          );
          continue;
        }
        errors.push(...extension.warnings);
        raw.push(...extension.attributes);
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      errors.push(error);
    }
  }
  return mergeAttributes(base, raw, errors);
}

/** True when the record's attributes continue in extension records. */
export function hasAttributeList(record: MftRecord): boolean {
  for (const attribute of record.attributes) if (attribute.type === ATTRIBUTE_ATTRIBUTE_LIST) return true;
  return false;
}

/** A record without an attribute list as a file (synchronous: the scan's fast path). */
export function assembleBase(base: MftRecord): FileRecord {
  return mergeAttributes(base, base.attributes, base.warnings.length === 0 ? [] : [...base.warnings]);
}

function findMerged(list: MergedAttribute[], type: number, name: string): MergedAttribute | undefined {
  for (const entry of list) if (entry.type === type && entry.name === name) return entry;
  return undefined;
}

function mergeAttributes(base: MftRecord, raw: RawAttribute[], errors: FormatError[]): FileRecord {
  const file: FileRecord = { base, fileNames: [], attributes: [], errors };
  // Attribute ids are only unique within one record; like TSK, an attribute from an extension
  // record whose id is already taken gets the next free id above the largest one (so that
  // `inode-type-id` names it uniquely).
  let usedIds: Set<number> | undefined;
  let maxId = 0;
  for (const attribute of base.attributes) if (attribute.id > maxId) maxId = attribute.id;
  for (const attribute of raw) {
    const continued = attribute.resident
      ? undefined
      : findMerged(file.attributes, attribute.type, attribute.name);
    let id = attribute.id;
    if (continued !== undefined) {
      id = continued.id;
    } else if (attribute.record !== base.recordNumber) {
      usedIds ??= new Set(base.attributes.map((item) => item.id));
      if (usedIds.has(id)) {
        maxId += 1;
        id = maxId;
      } else if (id > maxId) {
        maxId = id;
      }
      usedIds.add(id);
    }
    if (attribute.type === ATTRIBUTE_STANDARD_INFORMATION && attribute.content !== undefined) {
      if (file.standardInformation !== undefined) continue;
      try {
        file.standardInformation = parseStandardInformation(attribute.content);
        if (attribute.record === base.recordNumber && attribute.contentOffset !== undefined) {
          file.standardInformationOffset = attribute.contentOffset;
        }
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        errors.push(error);
      }
      continue;
    }
    if (attribute.type === ATTRIBUTE_FILE_NAME && attribute.content !== undefined) {
      try {
        file.fileNames.push({
          id: attribute.id,
          contentSize: attribute.content.length,
          value: parseFileName(attribute.content),
        });
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        errors.push(error);
      }
      continue;
    }
    const existing = continued ?? findMerged(file.attributes, attribute.type, attribute.name);
    if (existing === undefined) {
      const entry: MergedAttribute = {
        type: attribute.type,
        name: attribute.name,
        id,
        flags: attribute.flags,
        resident: attribute.resident,
        pieces: [attribute],
        dataSize: attribute.dataSize,
        allocatedSize: attribute.allocatedSize,
        validSize: attribute.validSize,
        compressionUnit: attribute.compressionUnit,
      };
      if (attribute.content !== undefined) entry.content = attribute.content;
      file.attributes.push(entry);
    } else if (!existing.resident && !attribute.resident) {
      existing.pieces.push(attribute);
      // Sizes are only valid in the piece starting at VCN 0.
      if (attribute.firstVcn === 0) {
        existing.flags = attribute.flags;
        existing.dataSize = attribute.dataSize;
        existing.allocatedSize = attribute.allocatedSize;
        existing.validSize = attribute.validSize;
        existing.compressionUnit = attribute.compressionUnit;
      }
    }
  }
  for (const attribute of file.attributes) {
    if (attribute.pieces.length > 1) attribute.pieces.sort(byFirstVcn);
  }
  return file;
}

async function readAttributeList(
  list: RawAttribute,
  readAttributeContent: StreamOpener,
): Promise<AttributeListEntry[]> {
  if (list.content !== undefined) return parseAttributeList(list.content.as('attribute-list'));
  if (list.dataSize > MAX_ATTRIBUTE_LIST_SIZE) {
    throw new FormatError(
      'ntfs',
      'attribute-list',
      list.runList?.base ?? 0,
      `non-resident attribute list of ${list.dataSize} bytes is too large`,
    );
  }
  const merged: MergedAttribute = {
    type: list.type,
    name: list.name,
    id: list.id,
    flags: list.flags,
    resident: false,
    pieces: [list],
    dataSize: list.dataSize,
    allocatedSize: list.allocatedSize,
    validSize: list.validSize,
    compressionUnit: 0,
  };
  const bytes = await readAttributeContent(merged);
  return parseAttributeList(new ByteView(bytes, 0, 'ntfs', 'attribute-list'));
}

/** Decodes the runs of all pieces into one list; errors in a piece stop the mapping there. */
export function layoutOf(
  attribute: MergedAttribute,
  name: string,
  clusterCount: number,
  clusterSize: number,
): StreamLayout {
  if (attribute.resident) {
    return {
      name,
      dataSize: attribute.dataSize,
      validSize: attribute.dataSize,
      resident: attribute.content?.bytes ?? new Uint8Array(0),
      runs: [],
      compressionUnit: 0,
    };
  }
  const runs: DataRun[] = [];
  let nextVcn = 0;
  for (const piece of attribute.pieces) {
    if (piece.runList === undefined) continue;
    if (piece.firstVcn !== nextVcn) {
      throw new FormatError(
        'ntfs',
        'run-list',
        piece.runList.base,
        `attribute piece starts at VCN ${piece.firstVcn}, expected ${nextVcn}`,
      );
    }
    decodeRunList(piece.runList, piece.firstVcn, piece.lastVcn, clusterCount, runs);
    nextVcn = piece.lastVcn + 1;
  }
  // Sizes beyond the mapped clusters are refused (a crafted size cannot make us read garbage).
  const mapped = nextVcn * clusterSize;
  const compressed = (attribute.flags & ATTRIBUTE_FLAG_COMPRESSED) !== 0 && attribute.compressionUnit > 0;
  const dataSize = attribute.dataSize;
  if (dataSize > mapped + clusterSize * 16 && dataSize > attribute.allocatedSize) {
    throw new FormatError(
      'ntfs',
      'attribute',
      attribute.pieces[0]?.runList?.base ?? 0,
      `data size ${dataSize} exceeds the ${mapped} mapped bytes`,
    );
  }
  // Windows only writes 16-cluster units (4); anything making a unit above 1 MiB is refused
  // so that a crafted header cannot make us allocate a huge decompression buffer.
  if (
    compressed &&
    (attribute.compressionUnit > 8 ||
      clusterSize * 2 ** attribute.compressionUnit > MAX_COMPRESSION_UNIT_BYTES)
  ) {
    throw new FormatError(
      'ntfs',
      'attribute',
      attribute.pieces[0]?.runList?.base ?? 0,
      `compression unit 2^${attribute.compressionUnit} clusters is too large`,
    );
  }
  return {
    name,
    dataSize,
    validSize: Math.min(attribute.validSize, dataSize),
    runs,
    compressionUnit: compressed ? attribute.compressionUnit : 0,
  };
}

function byFirstVcn(a: RawAttribute, b: RawAttribute): number {
  return a.firstVcn - b.firstVcn;
}
