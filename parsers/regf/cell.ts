import type { ByteView } from '../io/index.js';
import { FormatError } from '../io/index.js';
import { CELL_HEADER_SIZE, FORMAT, HIVE_BINS_DATA_OFFSET, NO_OFFSET } from './constants.js';

/**
 * Cell access over the in-memory hive ([msuhanov] "Cell"): a cell is a signed 32-bit size
 * (negative when allocated) followed by its data. Offsets in records are relative to the
 * hive bins data; everything this class returns is an absolute file offset.
 *
 * To keep the walk free of per-cell allocations, `cell()` returns the data offset and leaves
 * the data length and allocation state in `length` / `allocated` until the next call.
 */
export class HiveCells {
  readonly view: ByteView;
  /** Absolute end of the usable hive bins data. */
  readonly dataEnd: number;
  readonly minorVersion: number;
  length = 0;
  allocated = false;

  constructor(view: ByteView, dataEnd: number, minorVersion: number) {
    this.view = view;
    this.dataEnd = dataEnd;
    this.minorVersion = minorVersion;
  }

  /** Absolute offset of the data of the cell at relative offset `relative`; throws a FormatError. */
  cell(relative: number, structure: string): number {
    const absolute = HIVE_BINS_DATA_OFFSET + relative;
    if (relative === NO_OFFSET || absolute + CELL_HEADER_SIZE > this.dataEnd) {
      throw new FormatError(
        FORMAT,
        structure,
        absolute,
        `cell offset 0x${relative.toString(16)} is outside the hive bins data`,
      );
    }
    const size = this.view.i32(absolute);
    const magnitude = size < 0 ? -size : size;
    if (magnitude < 8 || absolute + magnitude > this.dataEnd) {
      throw new FormatError(FORMAT, structure, absolute, `bad cell size ${size}`);
    }
    this.length = magnitude - CELL_HEADER_SIZE;
    this.allocated = size < 0;
    return absolute + CELL_HEADER_SIZE;
  }

  /** Like `cell()` but returns -1 instead of throwing (for probing remnants and chains). */
  probe(relative: number): number {
    const absolute = HIVE_BINS_DATA_OFFSET + relative;
    if (relative === NO_OFFSET || absolute + CELL_HEADER_SIZE > this.dataEnd) return -1;
    const size = this.view.i32(absolute);
    const magnitude = size < 0 ? -size : size;
    if (magnitude < 8 || absolute + magnitude > this.dataEnd) return -1;
    this.length = magnitude - CELL_HEADER_SIZE;
    this.allocated = size < 0;
    return absolute + CELL_HEADER_SIZE;
  }

  /** Throws unless the current cell holds `needed` bytes. */
  need(dataOffset: number, needed: number, structure: string): void {
    if (needed > this.length) {
      throw new FormatError(
        FORMAT,
        structure,
        dataOffset,
        `${structure} needs ${needed} bytes, cell holds ${this.length}`,
      );
    }
  }

  error(structure: string, offset: number, reason: string): FormatError {
    return new FormatError(FORMAT, structure, offset, reason);
  }
}
