/**
 * Chunk (libevtx section 3): 64 KiB holding a 512-byte header, then event records.
 * Header: 0 signature "ElfChnk\0", 8 first / 16 last event record number, 24 first / 32 last
 * event record identifier, 40 header size (128), 44 last event record offset, 48 free space
 * offset, 52 CRC-32 of the event records (512 to free space), 56 unknown (64), 120 flags,
 * 124 CRC-32 of bytes 0-119 and 128-511; 128 common string offsets (64 x 4), 384 template
 * definition offsets (32 x 4).
 */
import { type ByteView, FormatError } from '../io/index.js';
import {
  CHUNK_COMMON_STRING_BUCKETS,
  CHUNK_COMMON_STRING_TABLE_OFFSET,
  CHUNK_HEADER_CHECKSUMMED_SIZE,
  CHUNK_HEADER_SIZE,
  CHUNK_SIGNATURE,
  CHUNK_SIZE,
  CHUNK_TEMPLATE_BUCKETS,
  CHUNK_TEMPLATE_TABLE_OFFSET,
  FORMAT,
  RECORD_SIGNATURE,
} from './constants.js';
import { crc32 } from './crc32.js';
import { plausibleName, readNameAt } from './name.js';
import { type EventRecordHeader, parseRecordHeader } from './record.js';
import type { TemplateDefinitionInfo } from './template.js';

export interface ChunkHeader {
  signatureValid: boolean;
  firstRecordNumber: bigint;
  lastRecordNumber: bigint;
  firstRecordId: bigint;
  lastRecordId: bigint;
  headerSize: number;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  recordsChecksum: number;
  recordsChecksumValid: boolean;
  flags: number;
  headerChecksum: number;
  headerChecksumValid: boolean;
}

/** True when the block is all zero bytes (an unused chunk slot). */
export function isZeroBlock(view: ByteView): boolean {
  for (let offset = 0; offset + 4 <= view.length; offset += 4) if (view.u32(offset) !== 0) return false;
  return true;
}

export function hasChunkSignature(view: ByteView): boolean {
  return view.matches(0, CHUNK_SIGNATURE);
}

/**
 * Parses a chunk header. Bad checksums and a bad signature are reported through `report`
 * (not thrown): the records may still be readable.
 */
export function parseChunkHeader(chunk: ByteView, report: (error: FormatError) => void): ChunkHeader {
  const problem = (offset: number, reason: string) =>
    report(new FormatError(FORMAT, 'chunk header', chunk.base + offset, reason));
  const signatureValid = hasChunkSignature(chunk);
  if (!signatureValid) problem(0, 'signature is not "ElfChnk\\0"');
  const headerChecksum = chunk.u32(124);
  const computedHeader = crc32(
    chunk.subarray(CHUNK_COMMON_STRING_TABLE_OFFSET, CHUNK_HEADER_SIZE - CHUNK_COMMON_STRING_TABLE_OFFSET),
    crc32(chunk.subarray(0, CHUNK_HEADER_CHECKSUMMED_SIZE)),
  );
  const headerChecksumValid = headerChecksum === computedHeader;
  if (!headerChecksumValid)
    problem(
      124,
      `header CRC-32 0x${headerChecksum.toString(16)} does not match 0x${computedHeader.toString(16)}`,
    );
  const freeSpaceOffset = chunk.u32(48);
  const recordsChecksum = chunk.u32(52);
  let recordsChecksumValid = false;
  if (freeSpaceOffset >= CHUNK_HEADER_SIZE && freeSpaceOffset <= chunk.length) {
    const computed = crc32(chunk.subarray(CHUNK_HEADER_SIZE, freeSpaceOffset - CHUNK_HEADER_SIZE));
    recordsChecksumValid = computed === recordsChecksum;
    if (!recordsChecksumValid)
      problem(
        52,
        `event records CRC-32 0x${recordsChecksum.toString(16)} does not match 0x${computed.toString(16)}`,
      );
  } else {
    problem(48, `free space offset ${freeSpaceOffset} lies outside the chunk`);
  }
  return {
    signatureValid,
    firstRecordNumber: chunk.u64(8),
    lastRecordNumber: chunk.u64(16),
    firstRecordId: chunk.u64(24),
    lastRecordId: chunk.u64(32),
    headerSize: chunk.u32(40),
    lastRecordOffset: chunk.u32(44),
    freeSpaceOffset,
    recordsChecksum,
    recordsChecksumValid,
    flags: chunk.u32(120),
    headerChecksum,
    headerChecksumValid,
  };
}

/** End of the record area: the free space offset when it is sane, else the chunk's end. */
export function recordsLimit(chunk: ByteView, header: ChunkHeader): number {
  const free = header.freeSpaceOffset;
  return free >= CHUNK_HEADER_SIZE && free <= chunk.length ? free : Math.min(chunk.length, CHUNK_SIZE);
}

/**
 * The event record headers of a chunk, in order. A damaged record is reported and the scan
 * resumes at the next offset holding a record signature with a consistent size copy.
 */
export function* chunkRecordHeaders(
  chunk: ByteView,
  limit: number,
  report: (error: FormatError) => void,
): Generator<EventRecordHeader> {
  let offset = CHUNK_HEADER_SIZE;
  while (offset + 4 <= limit) {
    // In sequence, a record whose trailing size copy is damaged is still read (reported):
    // python-evtx renders those too. When resynchronising, the copy must match.
    const record = parseRecordHeader(chunk, offset, limit, false);
    if (typeof record !== 'string') {
      if (!record.sizeCopyValid) {
        const copy = chunk.u32(offset + record.size - 4);
        report(
          new FormatError(
            FORMAT,
            'event record',
            chunk.base + offset,
            `record size ${record.size} differs from its trailing copy ${copy}`,
          ),
        );
      }
      yield record;
      offset += record.size;
      continue;
    }
    // Zero fill after the last record is normal slack, not damage.
    if (chunk.u32(offset) === 0 && isZeroTail(chunk, offset, limit)) return;
    report(new FormatError(FORMAT, 'event record', chunk.base + offset, record));
    const next = findNextRecord(chunk, offset + 1, limit);
    if (next < 0) return;
    offset = next;
  }
}

function isZeroTail(chunk: ByteView, offset: number, limit: number): boolean {
  for (let cursor = offset; cursor + 4 <= limit; cursor += 4) if (chunk.u32(cursor) !== 0) return false;
  return true;
}

function findNextRecord(chunk: ByteView, from: number, limit: number): number {
  for (let offset = from; offset + 4 <= limit; offset += 1) {
    if (
      chunk.matches(offset, RECORD_SIGNATURE) &&
      typeof parseRecordHeader(chunk, offset, limit) !== 'string'
    )
      return offset;
  }
  return -1;
}

/**
 * Names of the common string table (64 buckets of chained names), read on demand. The chains are
 * followed forward only and at most 64 KiB / 10 links deep, so a cyclic chain cannot hang.
 */
export function commonStrings(chunk: ByteView, cache: Map<number, string> = new Map()): Map<number, string> {
  const out = new Map<number, string>();
  for (let bucket = 0; bucket < CHUNK_COMMON_STRING_BUCKETS; bucket += 1) {
    let offset = chunk.u32(CHUNK_COMMON_STRING_TABLE_OFFSET + bucket * 4);
    let steps = 0;
    while (offset !== 0 && steps < CHUNK_SIZE / 10 && !out.has(offset) && plausibleName(chunk, offset)) {
      out.set(offset, readNameAt(chunk, offset, cache));
      const next = chunk.u32(offset);
      if (next !== 0 && next <= offset) break;
      offset = next;
      steps += 1;
    }
  }
  return out;
}

/** Template definition headers listed in the chunk's template table (32 buckets), read on demand. */
export function templateTable(chunk: ByteView): TemplateDefinitionInfo[] {
  const out: TemplateDefinitionInfo[] = [];
  const seen = new Set<number>();
  for (let bucket = 0; bucket < CHUNK_TEMPLATE_BUCKETS; bucket += 1) {
    let offset = chunk.u32(CHUNK_TEMPLATE_TABLE_OFFSET + bucket * 4);
    while (offset !== 0 && !seen.has(offset) && chunk.has(offset, 24)) {
      seen.add(offset);
      const nextOffset = chunk.u32(offset);
      out.push({ offset, nextOffset, guid: chunk.guid(offset + 4), dataSize: chunk.u32(offset + 20) });
      if (nextOffset !== 0 && nextOffset <= offset) break;
      offset = nextOffset;
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}
