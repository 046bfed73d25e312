/**
 * The content of one attribute ($DATA stream, $MFT, index allocation) as a RandomAccessReader:
 * resident bytes, or clusters mapped through data runs with sparse runs and the tail past the
 * valid (initialized) size reading as zeros, and LZNT1 compression units decompressed on demand
 * with a small LRU cache.
 */
import { ByteView, checkRange, FormatError, type RandomAccessReader, readPastEnd } from '../io/index.js';
import { decompressLznt1 } from './lznt1.js';
import type { DataRun } from './run-list.js';

export interface StreamLayout {
  name: string;
  dataSize: number;
  validSize: number;
  /** Resident content, or undefined for a non-resident attribute. */
  resident?: Uint8Array;
  runs: DataRun[];
  /** log2 of clusters per compression unit, 0 when the stream is not compressed. */
  compressionUnit: number;
}

const CACHED_UNITS = 16;
/** Reads of the volume are split so that one request never asks for more than this. */
const MAX_READ = 16 * 1024 * 1024;

export class NtfsStreamReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly volume: RandomAccessReader;
  private readonly clusterSize: number;
  private readonly layout: StreamLayout;
  private readonly units = new Map<number, Uint8Array>();
  /** The cluster runs (empty for resident data), e.g. to see fragmentation. */
  readonly runs: readonly DataRun[];
  readonly compressed: boolean;

  constructor(volume: RandomAccessReader, clusterSize: number, layout: StreamLayout) {
    this.volume = volume;
    this.clusterSize = clusterSize;
    this.layout = layout;
    this.name = layout.name;
    this.size = layout.dataSize;
    this.runs = layout.runs;
    this.compressed = layout.compressionUnit > 0;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    await this.fill(out, offset);
    return out;
  }

  /**
   * Reads `out.length` bytes at `offset` into `out` (a buffer the caller reuses, e.g. the MFT
   * scan's block: one allocation for the whole scan instead of one per block).
   */
  async readInto(out: Uint8Array, offset: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + out.length > this.size) {
      throw readPastEnd(this, offset, out.length);
    }
    out.fill(0);
    await this.fill(out, offset);
  }

  /** Fills a zeroed `out` with the bytes at `offset` (range already checked). */
  private async fill(out: Uint8Array, offset: number): Promise<void> {
    const length = out.length;
    if (length === 0) return;
    const { resident, validSize, compressionUnit } = this.layout;
    if (resident !== undefined) {
      out.set(resident.subarray(offset, Math.min(offset + length, resident.length)));
      return;
    }
    // Bytes at or past the valid data length read as zeros (already zero in `out`).
    const end = Math.min(offset + length, validSize);
    if (end <= offset) return;
    if (compressionUnit > 0) await this.readCompressed(out, offset, end);
    else await this.readPlain(out, offset, end);
  }

  private findRun(vcn: number): number {
    const runs = this.layout.runs;
    let low = 0;
    let high = runs.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const run = runs[middle]!;
      if (vcn < run.vcn) high = middle - 1;
      else if (vcn >= run.vcn + run.length) low = middle + 1;
      else return middle;
    }
    return -1;
  }

  private async readPlain(out: Uint8Array, start: number, end: number): Promise<void> {
    const cs = this.clusterSize;
    let position = start;
    while (position < end) {
      const vcn = Math.floor(position / cs);
      const index = this.findRun(vcn);
      if (index < 0) {
        // Not mapped (a run list shorter than the data size): zeros, as TSK does for a gap.
        const next = this.layout.runs.find((run) => run.vcn > vcn);
        position = Math.min(end, next === undefined ? end : next.vcn * cs);
        continue;
      }
      const run = this.layout.runs[index]!;
      const runEnd = Math.min(end, (run.vcn + run.length) * cs, position + MAX_READ);
      if (run.lcn >= 0) {
        const volumeOffset = run.lcn * cs + (position - run.vcn * cs);
        const take = Math.min(runEnd - position, Math.max(0, this.volume.size - volumeOffset));
        if (take < runEnd - position) {
          throw new FormatError(
            'ntfs',
            'data-run',
            volumeOffset,
            'run reaches past the end of the volume',
            this.volume.name,
          );
        }
        out.set(await this.volume.read(volumeOffset, take), position - start);
      }
      position = runEnd;
    }
  }

  private async readCompressed(out: Uint8Array, start: number, end: number): Promise<void> {
    const unitBytes = this.clusterSize * 2 ** this.layout.compressionUnit;
    let position = start;
    while (position < end) {
      const unit = Math.floor(position / unitBytes);
      const unitStart = unit * unitBytes;
      const bytes = await this.unit(unit, unitBytes);
      const take = Math.min(end, unitStart + unitBytes) - position;
      out.set(bytes.subarray(position - unitStart, position - unitStart + take), position - start);
      position += take;
    }
  }

  /**
   * One compression unit: all sparse -> zeros; all clusters allocated -> stored uncompressed;
   * otherwise the allocated clusters hold LZNT1 data and the sparse tail marks the saving.
   */
  private async unit(unit: number, unitBytes: number): Promise<Uint8Array> {
    const cached = this.units.get(unit);
    if (cached !== undefined) {
      this.units.delete(unit);
      this.units.set(unit, cached);
      return cached;
    }
    const cs = this.clusterSize;
    const clusters = unitBytes / cs;
    const firstVcn = unit * clusters;
    const pieces: Array<{ lcn: number; count: number }> = [];
    let allocated = 0;
    for (let vcn = firstVcn; vcn < firstVcn + clusters; ) {
      const index = this.findRun(vcn);
      if (index < 0) {
        vcn += 1;
        continue;
      }
      const run = this.layout.runs[index]!;
      const count = Math.min(run.vcn + run.length, firstVcn + clusters) - vcn;
      if (run.lcn >= 0) {
        pieces.push({ lcn: run.lcn + (vcn - run.vcn), count });
        allocated += count;
      }
      vcn += count;
    }
    const result = new Uint8Array(unitBytes);
    if (allocated > 0) {
      const raw = new Uint8Array(allocated * cs);
      let filled = 0;
      for (const piece of pieces) {
        raw.set(await this.volume.read(piece.lcn * cs, piece.count * cs), filled);
        filled += piece.count * cs;
      }
      if (allocated === clusters) result.set(raw);
      else decompressLznt1(new ByteView(raw, pieces[0]!.lcn * cs, 'ntfs', 'lznt1'), result);
    }
    this.units.set(unit, result);
    if (this.units.size > CACHED_UNITS) {
      const oldest = this.units.keys().next().value;
      if (oldest !== undefined) this.units.delete(oldest);
    }
    return result;
  }

  async close(): Promise<void> {
    this.units.clear();
  }
}
