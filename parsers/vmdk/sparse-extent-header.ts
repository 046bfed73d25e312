import { asciiBytes, type ByteView } from '../io/byte-view.js';
import { FormatError } from '../io/format-error.js';

/** VMware "Virtual Disk Format 5.0", hosted sparse extent header (512 bytes, little-endian). */
export const SPARSE_HEADER_SIZE = 512;
export const KDMV = asciiBytes('KDMV');
/** ESX "COWD" sparse extents (VMFSSPARSE) use another layout. */
export const COWD = asciiBytes('COWD');
const VERSION = 4;
const FLAGS = 8;
const CAPACITY = 12;
const GRAIN_SIZE = 20;
const DESCRIPTOR_OFFSET = 28;
const DESCRIPTOR_SIZE = 36;
const NUM_GTES_PER_GT = 44;
const RGD_OFFSET = 48;
const GD_OFFSET = 56;
const OVERHEAD = 64;
const COMPRESS_ALGORITHM = 77;

export const FLAG_REDUNDANT_GT = 0x2;
export const FLAG_ZEROED_GTE = 0x4;
export const FLAG_COMPRESSED = 0x10000;
export const FLAG_MARKERS = 0x20000;
/** gdOffset of streamOptimized files whose directory is found through the footer. */
export const GD_AT_END = 0xffffffffffffffffn;
export const COMPRESSION_DEFLATE = 1;

export interface SparseExtentHeader {
  version: number;
  flags: number;
  /** In sectors. */
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  numGTEsPerGT: number;
  rgdOffset: number;
  /** Undefined for GD_AT_END (read the footer). */
  gdOffset: number | undefined;
  overhead: number;
  compressAlgorithm: number;
}

function sectors(view: ByteView, offset: number, what: string): number {
  const value = view.u64(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) / 512n) {
    throw view.error(offset, `${what} ${value} sectors is too large`);
  }
  return Number(value);
}

export function parseSparseExtentHeader(view: ByteView, file: string): SparseExtentHeader {
  if (!view.matches(0, KDMV)) {
    throw new FormatError('vmdk', 'sparse extent header', view.base, 'no "KDMV" magic', file);
  }
  const gd = view.u64(GD_OFFSET);
  return {
    version: view.u32(VERSION),
    flags: view.u32(FLAGS),
    capacity: sectors(view, CAPACITY, 'capacity'),
    grainSize: sectors(view, GRAIN_SIZE, 'grain size'),
    descriptorOffset: sectors(view, DESCRIPTOR_OFFSET, 'descriptor offset'),
    descriptorSize: sectors(view, DESCRIPTOR_SIZE, 'descriptor size'),
    numGTEsPerGT: view.u32(NUM_GTES_PER_GT),
    rgdOffset: sectors(view, RGD_OFFSET, 'redundant grain directory offset'),
    gdOffset: gd === GD_AT_END ? undefined : sectors(view, GD_OFFSET, 'grain directory offset'),
    overhead: sectors(view, OVERHEAD, 'overhead'),
    compressAlgorithm: view.u16(COMPRESS_ALGORITHM),
  };
}
