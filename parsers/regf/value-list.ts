import type { FormatError } from '../io/index.js';
import type { HiveCells } from './cell.js';

/**
 * The key values list ([msuhanov] "Key values list"): `count` relative offsets of vk cells.
 * The count comes from the key node; a list cell too small for it is reported and truncated.
 */
export function readValueList(
  cells: HiveCells,
  relative: number,
  count: number,
  report: (error: FormatError) => void,
): number[] {
  const data = cells.cell(relative, 'value list');
  let usable = count;
  if (count * 4 > cells.length) {
    usable = cells.length >>> 2;
    report(cells.error('value list', data - 4, `${count} values do not fit in a ${cells.length}-byte cell`));
  }
  const offsets = new Array<number>(usable);
  for (let index = 0; index < usable; index += 1) offsets[index] = cells.view.u32(data + index * 4);
  return offsets;
}
