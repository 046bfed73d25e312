/**
 * Builds transaction logs for tests: the new format (HvLE entries with Marvin32 hashes) and the
 * old format (DIRT bitmap and 512-byte dirty pages), carrying the pages in which `after`
 * differs from `before` (two hives built by the hive writer).
 */
import { marvin32 } from '../marvin32.js';

const SEED = 0x82ef4d887a4e55c5n;

function logBaseBlock(after: Uint8Array, fileType: number, sequence: number): Uint8Array {
  const block = after.slice(0, 512);
  const view = new DataView(block.buffer);
  view.setUint32(4, sequence, true);
  view.setUint32(8, sequence, true);
  view.setUint32(28, fileType, true);
  let checksum = 0;
  for (let at = 0; at < 508; at += 4) checksum = (checksum ^ view.getUint32(at, true)) >>> 0;
  view.setUint32(508, checksum, true);
  return block;
}

function dirtyPages(before: Uint8Array, after: Uint8Array, pageSize: number): number[] {
  const pages: number[] = [];
  for (let offset = 4096; offset < after.length; offset += pageSize) {
    const a = after.subarray(offset, offset + pageSize);
    const b = before.subarray(offset, offset + pageSize);
    if (a.length !== b.length || a.some((byte, index) => byte !== b[index])) pages.push(offset - 4096);
  }
  return pages;
}

/** One HvLE entry per call of `entries` (sequence numbers from `firstSequence`). */
export function buildNewLog(
  before: Uint8Array,
  steps: Uint8Array[],
  firstSequence: number,
  options: { corruptEntry?: number } = {},
): Uint8Array {
  const parts: Uint8Array[] = [logBaseBlock(steps[0] ?? before, 6, firstSequence)];
  let previous = before;
  steps.forEach((after, index) => {
    const pages = dirtyPages(previous, after, 4096);
    const headerSize = 40 + pages.length * 8;
    const size = Math.ceil((headerSize + pages.length * 4096) / 512) * 512;
    const entry = new Uint8Array(size);
    const view = new DataView(entry.buffer);
    entry.set([0x48, 0x76, 0x4c, 0x45], 0);
    view.setUint32(4, size, true);
    view.setUint32(12, firstSequence + index, true);
    view.setUint32(16, after.length - 4096, true);
    view.setUint32(20, pages.length, true);
    pages.forEach((page, pageIndex) => {
      view.setUint32(40 + pageIndex * 8, page, true);
      view.setUint32(44 + pageIndex * 8, 4096, true);
      entry.set(after.subarray(4096 + page, 4096 + page + 4096), headerSize + pageIndex * 4096);
    });
    view.setBigUint64(24, marvin32(entry, 40, size - 40, SEED), true);
    view.setBigUint64(32, marvin32(entry, 0, 32, SEED), true);
    if (options.corruptEntry === index) entry[size - 1] = entry[size - 1]! ^ 0xff;
    parts.push(entry);
    previous = after;
  });
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Old format: base block copy (512 bytes), DIRT + bitmap in the second sector, then pages. */
export function buildOldLog(before: Uint8Array, after: Uint8Array, sequence: number): Uint8Array {
  const pages = dirtyPages(before, after, 512);
  const bits = (after.length - 4096) / 512;
  const bitmapBytes = Math.ceil(bits / 8);
  const pagesStart = Math.ceil((512 + 4 + bitmapBytes) / 512) * 512;
  const out = new Uint8Array(pagesStart + pages.length * 512);
  out.set(logBaseBlock(after, 1, sequence), 0);
  out.set([0x44, 0x49, 0x52, 0x54], 512);
  pages.forEach((page, index) => {
    const bit = page / 512;
    out[516 + (bit >> 3)] = out[516 + (bit >> 3)]! | (1 << (bit & 7));
    out.set(after.subarray(4096 + page, 4096 + page + 512), pagesStart + index * 512);
  });
  return out;
}
