/**
 * Event record (libevtx section 4): 0 signature 0x2a 0x2a 0 0, 4 size, 8 record identifier,
 * 16 written time (FILETIME), 24 binary XML, size - 4 copy of the size.
 */
import type { ByteView } from '../io/index.js';
import { RECORD_HEADER_SIZE, RECORD_MIN_SIZE, RECORD_SIGNATURE } from './constants.js';

export interface EventRecordHeader {
  /** Chunk-relative offset. */
  offset: number;
  size: number;
  /** A number, or a bigint beyond 2^53. */
  recordId: number | bigint;
  /** Written time (FILETIME) as its two 32-bit halves: converted once, without bigint arithmetic. */
  writtenLow: number;
  writtenHigh: number;
  /** Chunk-relative start and end of the binary XML. */
  dataStart: number;
  dataEnd: number;
  /** False when the trailing size copy differs (a record cut short by a crash or overwrite). */
  sizeCopyValid: boolean;
}

/**
 * The record header at `offset`, or a reason why there is no valid record there
 * (bad signature, impossible size, and unless `requireSizeCopy` is false, size copy mismatch).
 */
export function parseRecordHeader(
  chunk: ByteView,
  offset: number,
  limit: number,
  requireSizeCopy = true,
): EventRecordHeader | string {
  if (!chunk.has(offset, RECORD_HEADER_SIZE) || offset + RECORD_HEADER_SIZE > limit)
    return 'record header runs past the chunk data';
  if (!chunk.matches(offset, RECORD_SIGNATURE)) return 'record signature is not 0x2a2a0000';
  const size = chunk.u32(offset + 4);
  if (size < RECORD_MIN_SIZE || offset + size > limit) return `record size ${size} is impossible here`;
  const copy = chunk.u32(offset + size - 4);
  if (copy !== size && requireSizeCopy) return `record size ${size} differs from its trailing copy ${copy}`;
  return {
    offset,
    size,
    recordId: chunk.u32(offset + 12) < 0x200000 ? chunk.u64n(offset + 8) : chunk.u64(offset + 8),
    writtenLow: chunk.u32(offset + 16),
    writtenHigh: chunk.u32(offset + 20),
    dataStart: offset + RECORD_HEADER_SIZE,
    dataEnd: offset + size - 4,
    sizeCopyValid: copy === size,
  };
}
