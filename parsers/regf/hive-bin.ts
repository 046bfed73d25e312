import type { ByteView } from '../io/index.js';
import { FormatError } from '../io/index.js';
import {
  FORMAT,
  HBIN_ALIGNMENT,
  HBIN_HEADER_SIZE,
  HBIN_OFFSET,
  HBIN_SIGNATURE,
  HBIN_SIZE,
  HIVE_BINS_DATA_OFFSET,
} from './constants.js';

/** A hive bin ([msuhanov] "Hive bin"): absolute file offset and size of the bin. */
export interface HiveBin {
  offset: number;
  size: number;
}

/**
 * Walks the hive bins from the start of the hive bins data to `dataEnd` (absolute).
 * A bad header is reported and scanning resynchronises at the next 4096-byte boundary
 * carrying an `hbin` signature, so one damaged bin does not hide the rest.
 */
export function scanHiveBins(
  view: ByteView,
  dataEnd: number,
  report: (error: FormatError) => void,
): HiveBin[] {
  const bins: HiveBin[] = [];
  let offset = HIVE_BINS_DATA_OFFSET;
  while (offset + HBIN_HEADER_SIZE <= dataEnd) {
    const signature = view.u32(offset);
    const size = view.u32(offset + HBIN_SIZE);
    const relative = view.u32(offset + HBIN_OFFSET);
    if (signature !== HBIN_SIGNATURE || size < HBIN_ALIGNMENT || size % HBIN_ALIGNMENT !== 0) {
      report(
        new FormatError(
          FORMAT,
          'hbin',
          offset,
          signature !== HBIN_SIGNATURE ? 'missing hbin signature' : `bad hive bin size ${size}`,
        ),
      );
      offset = nextBinStart(view, offset + HBIN_ALIGNMENT, dataEnd);
      continue;
    }
    if (relative !== offset - HIVE_BINS_DATA_OFFSET) {
      report(new FormatError(FORMAT, 'hbin', offset, `hive bin offset field ${relative} does not match`));
    }
    const end = Math.min(offset + size, dataEnd);
    bins.push({ offset, size: end - offset });
    offset = end;
  }
  return bins;
}

function nextBinStart(view: ByteView, from: number, dataEnd: number): number {
  for (let offset = from; offset + HBIN_HEADER_SIZE <= dataEnd; offset += HBIN_ALIGNMENT) {
    if (view.u32(offset) === HBIN_SIGNATURE) return offset;
  }
  return dataEnd;
}
