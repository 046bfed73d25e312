import { type ByteView, FormatError } from '../io/index.js';
import { utf16Text as decodeUtf16 } from '../io/short-text.js';
import {
  BASE_BLOCK_CHECKSUMMED_SIZE,
  BASE_BLOCK_SIGNATURE,
  BB_CHECKSUM,
  BB_CLUSTERING_FACTOR,
  BB_FILE_FORMAT,
  BB_FILE_NAME,
  BB_FILE_NAME_SIZE,
  BB_FILE_TYPE,
  BB_FLAGS,
  BB_HIVE_BINS_DATA_SIZE,
  BB_LAST_WRITTEN,
  BB_MAJOR_VERSION,
  BB_MINOR_VERSION,
  BB_PRIMARY_SEQUENCE,
  BB_ROOT_CELL_OFFSET,
  BB_SECONDARY_SEQUENCE,
  FORMAT,
} from './constants.js';

/** The base block (file header) of a primary file or a transaction log ([msuhanov] "Base block"). */
export interface BaseBlock {
  primarySequence: number;
  secondarySequence: number;
  /** Raw FILETIME of the last write. */
  lastWrittenFiletime: bigint;
  majorVersion: number;
  minorVersion: number;
  fileType: number;
  fileFormat: number;
  rootCellOffset: number;
  hiveBinsDataSize: number;
  clusteringFactor: number;
  fileName: string;
  flags: number;
  checksum: number;
  /** True when the stored checksum matches the XOR-32 of the first 508 bytes. */
  checksumValid: boolean;
}

/** XOR-32 of the first 508 bytes, with the two reserved results remapped ([msuhanov] note 2). */
export function baseBlockChecksum(view: ByteView, offset = 0): number {
  let checksum = 0;
  for (let cursor = 0; cursor < BASE_BLOCK_CHECKSUMMED_SIZE; cursor += 4) {
    checksum = (checksum ^ view.u32(offset + cursor)) >>> 0;
  }
  if (checksum === 0xffffffff) return 0xfffffffe;
  if (checksum === 0) return 1;
  return checksum;
}

export function hasBaseBlockSignature(view: ByteView, offset = 0): boolean {
  return view.has(offset, 4) && view.u32(offset) === BASE_BLOCK_SIGNATURE;
}

/** Parses the first 512 bytes of a base block; throws a FormatError when the signature is wrong. */
export function parseBaseBlock(view: ByteView, offset = 0): BaseBlock {
  if (!view.has(offset, 512)) {
    throw new FormatError(FORMAT, 'base block', view.base + offset, `file too small (${view.length} bytes)`);
  }
  if (!hasBaseBlockSignature(view, offset)) {
    throw new FormatError(FORMAT, 'base block', view.base + offset, 'missing regf signature');
  }
  const checksum = view.u32(offset + BB_CHECKSUM);
  return {
    primarySequence: view.u32(offset + BB_PRIMARY_SEQUENCE),
    secondarySequence: view.u32(offset + BB_SECONDARY_SEQUENCE),
    lastWrittenFiletime: view.u64(offset + BB_LAST_WRITTEN),
    majorVersion: view.u32(offset + BB_MAJOR_VERSION),
    minorVersion: view.u32(offset + BB_MINOR_VERSION),
    fileType: view.u32(offset + BB_FILE_TYPE),
    fileFormat: view.u32(offset + BB_FILE_FORMAT),
    rootCellOffset: view.u32(offset + BB_ROOT_CELL_OFFSET),
    hiveBinsDataSize: view.u32(offset + BB_HIVE_BINS_DATA_SIZE),
    clusteringFactor: view.u32(offset + BB_CLUSTERING_FACTOR),
    fileName: decodeUtf16(view, offset + BB_FILE_NAME, BB_FILE_NAME_SIZE, true),
    flags: view.u32(offset + BB_FLAGS),
    checksum,
    checksumValid: checksum === baseBlockChecksum(view, offset),
  };
}
