import type { HiveCells } from './cell.js';
import { BIG_DATA_SEGMENT_SIZE, DB_SEGMENT_COUNT, DB_SEGMENT_LIST, SIG_DB } from './constants.js';

/** True when the cell data at absolute `data` is a big data (db) record. */
export function isBigData(cells: HiveCells, data: number): boolean {
  return cells.length >= 8 && cells.view.u16(data) === SIG_DB;
}

/**
 * Big data ([msuhanov] "Big data"): concatenates the segments of the db record at absolute
 * `data` up to `size` bytes. Each segment holds at most 16344 bytes; a short read throws.
 */
export function readBigData(cells: HiveCells, data: number, size: number): Uint8Array {
  const view = cells.view;
  const segmentCount = view.u16(data + DB_SEGMENT_COUNT);
  const listOffset = view.u32(data + DB_SEGMENT_LIST);
  const dbOffset = data - 4;
  const list = cells.cell(listOffset, 'db segment list');
  if (segmentCount * 4 > cells.length) {
    throw cells.error('db', dbOffset, `${segmentCount} segments do not fit in the segment list cell`);
  }
  const segments: number[] = [];
  for (let index = 0; index < segmentCount; index += 1) segments.push(view.u32(list + index * 4));
  const out = new Uint8Array(size);
  let filled = 0;
  for (const segment of segments) {
    if (filled >= size) break;
    const start = cells.cell(segment, 'db segment');
    const take = Math.min(size - filled, cells.length, BIG_DATA_SEGMENT_SIZE);
    out.set(view.subarray(start, take), filled);
    filled += take;
  }
  if (filled < size) {
    throw cells.error('db', dbOffset, `big data holds ${filled} of ${size} bytes`);
  }
  return out;
}
