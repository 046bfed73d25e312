/**
 * File header (libevtx section 2.1): 128 bytes used of a 4096-byte block.
 * 0 signature "ElfFile\0", 8 first chunk number, 16 last chunk number, 24 next record
 * identifier, 32 header size (128), 36 minor version, 38 major version, 40 header block size
 * (4096), 42 number of chunks, 44 unknown (76), 120 file flags, 124 CRC-32 of bytes 0-119.
 */
import { type ByteView, FormatError } from '../io/index.js';
import {
  FILE_FLAG_DIRTY,
  FILE_FLAG_FULL,
  FILE_HEADER_BLOCK_SIZE,
  FILE_HEADER_CHECKSUMMED_SIZE,
  FILE_HEADER_SIZE,
  FILE_SIGNATURE,
  FORMAT,
} from './constants.js';
import { crc32 } from './crc32.js';

export interface EvtxFileHeader {
  firstChunkNumber: bigint;
  lastChunkNumber: bigint;
  nextRecordId: bigint;
  headerSize: number;
  majorVersion: number;
  minorVersion: number;
  headerBlockSize: number;
  chunkCount: number;
  flags: number;
  dirty: boolean;
  full: boolean;
  checksum: number;
  checksumValid: boolean;
}

/**
 * Parses the header; throws FormatError when the signature is wrong (not an EVTX file).
 * Other oddities (checksum, sizes, version) go to `problems` and parsing continues.
 */
export function parseFileHeader(view: ByteView, problems: FormatError[]): EvtxFileHeader {
  if (!view.matches(0, FILE_SIGNATURE)) {
    throw new FormatError(FORMAT, 'file header', view.base, 'signature is not "ElfFile\\0"');
  }
  const checksum = view.u32(124);
  const computed = crc32(view.subarray(0, FILE_HEADER_CHECKSUMMED_SIZE));
  const header: EvtxFileHeader = {
    firstChunkNumber: view.u64(8),
    lastChunkNumber: view.u64(16),
    nextRecordId: view.u64(24),
    headerSize: view.u32(32),
    minorVersion: view.u16(36),
    majorVersion: view.u16(38),
    headerBlockSize: view.u16(40),
    chunkCount: view.u16(42),
    flags: view.u32(120),
    dirty: (view.u32(120) & FILE_FLAG_DIRTY) !== 0,
    full: (view.u32(120) & FILE_FLAG_FULL) !== 0,
    checksum,
    checksumValid: checksum === computed,
  };
  const problem = (offset: number, reason: string) =>
    problems.push(new FormatError(FORMAT, 'file header', view.base + offset, reason));
  if (!header.checksumValid)
    problem(124, `CRC-32 0x${checksum.toString(16)} does not match 0x${computed.toString(16)}`);
  if (header.headerSize !== FILE_HEADER_SIZE) problem(32, `header size ${header.headerSize} is not 128`);
  if (header.majorVersion !== 3 || (header.minorVersion !== 1 && header.minorVersion !== 2))
    problem(36, `version ${header.majorVersion}.${header.minorVersion} is not 3.1 or 3.2`);
  if (header.headerBlockSize !== FILE_HEADER_BLOCK_SIZE)
    problem(40, `header block size ${header.headerBlockSize} is not 4096`);
  return header;
}
