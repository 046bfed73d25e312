/**
 * Data runs (mapping pairs) of a non-resident attribute: a header byte whose low nibble is the
 * size of the run length and high nibble the size of the signed, relative cluster offset; an
 * offset size of 0 is a sparse run. libfsntfs "Data runs" section.
 */
import type { ByteView } from '../io/index.js';

export interface DataRun {
  /** First virtual cluster of the run inside the attribute. */
  vcn: number;
  length: number;
  /** First logical cluster on the volume, or -1 for a sparse run. */
  lcn: number;
}

/** No real file needs more; a crafted list cannot make us allocate without bound. */
export const MAX_RUNS = 1 << 20;

/**
 * Decodes a run list starting at `firstVcn`. Throws FormatError (structure run-list) for a
 * malformed list, a run outside the volume or a list that does not cover [firstVcn, lastVcn].
 */
export function decodeRunList(
  view: ByteView,
  firstVcn: number,
  lastVcn: number,
  clusterCount: number,
  into: DataRun[] = [],
): DataRun[] {
  let offset = 0;
  let vcn = firstVcn;
  let lcn = 0;
  while (offset < view.length) {
    const header = view.u8(offset);
    if (header === 0) break;
    const lengthSize = header & 0x0f;
    const offsetSize = header >> 4;
    if (lengthSize === 0 || lengthSize > 8 || offsetSize > 8) {
      throw view.error(offset, `run header 0x${header.toString(16)} has invalid field sizes`);
    }
    view.check(offset + 1, lengthSize + offsetSize);
    let length = 0;
    for (let index = lengthSize - 1; index >= 0; index -= 1)
      length = length * 256 + view.u8(offset + 1 + index);
    if (length <= 0 || length > clusterCount) {
      throw view.error(offset, `run length ${length} is outside the volume (${clusterCount} clusters)`);
    }
    if (offsetSize === 0) {
      into.push({ vcn, length, lcn: -1 });
    } else {
      let delta = 0;
      for (let index = offsetSize - 1; index >= 0; index -= 1)
        delta = delta * 256 + view.u8(offset + 1 + lengthSize + index);
      // Sign-extend from the top bit of the last byte.
      if (view.u8(offset + lengthSize + offsetSize) >= 0x80) delta -= 2 ** (8 * offsetSize);
      lcn += delta;
      if (lcn < 0 || lcn + length > clusterCount) {
        throw view.error(
          offset,
          `run at cluster ${lcn} (+${length}) lies outside the volume (${clusterCount} clusters)`,
        );
      }
      into.push({ vcn, length, lcn });
    }
    if (into.length > MAX_RUNS) throw view.error(offset, `more than ${MAX_RUNS} runs`);
    vcn += length;
    offset += 1 + lengthSize + offsetSize;
  }
  if (lastVcn >= firstVcn && vcn !== lastVcn + 1) {
    throw view.error(
      0,
      `runs cover VCN ${firstVcn}..${vcn - 1} but the attribute says ${firstVcn}..${lastVcn}`,
    );
  }
  return into;
}
