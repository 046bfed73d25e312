import { FormatError } from './format-error.js';
import { checkRange, type RandomAccessReader } from './random-access-reader.js';

/**
 * Several readers presented end to end as one (split raw segments, VMDK extents).
 * Owns its parts: `close()` closes them all. A read spanning a boundary is stitched.
 */
export class ConcatReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  readonly parts: readonly RandomAccessReader[];
  /** starts[i] is the absolute offset of parts[i]; starts[parts.length] === size. */
  private readonly starts: number[];

  constructor(parts: readonly RandomAccessReader[], name = parts[0]?.name ?? 'concat') {
    this.parts = parts;
    this.name = name;
    this.starts = [0];
    let total = 0;
    for (const part of parts) {
      total += part.size;
      if (!Number.isSafeInteger(total)) {
        throw new FormatError('io', 'concat', total, 'total size is too large', name);
      }
      this.starts.push(total);
    }
    this.size = total;
  }

  /** Index of the part holding absolute offset `offset` (binary search). */
  private partAt(offset: number): number {
    let low = 0;
    let high = this.parts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    let index = this.partAt(offset);
    const start = this.starts[index]!;
    const first = this.parts[index]!;
    if (offset + length <= start + first.size) return first.read(offset - start, length);
    const out = new Uint8Array(length);
    let written = 0;
    while (written < length) {
      const part = this.parts[index]!;
      const inPart = offset + written - this.starts[index]!;
      const take = Math.min(part.size - inPart, length - written);
      if (take > 0) out.set(await part.read(inPart, take), written);
      written += take;
      index += 1;
    }
    return out;
  }

  async close(): Promise<void> {
    for (const part of this.parts) await part.close();
  }
}
