import type { FormatError } from '../io/index.js';
import type { HiveCells } from './cell.js';
import {
  LIST_COUNT,
  LIST_ELEMENTS,
  MAX_INDEX_ROOT_DEPTH,
  SIG_LF,
  SIG_LH,
  SIG_LI,
  SIG_RI,
} from './constants.js';

/**
 * Relative offsets gathered from a subkey list. The walk reuses one of these for every key:
 * `clear()` keeps the array's storage (emptying a JS array gives it up).
 */
export class OffsetList {
  items: number[] = [];
  count = 0;

  add(offset: number): void {
    if (this.count < this.items.length) this.items[this.count] = offset;
    else this.items.push(offset);
    this.count += 1;
  }

  clear(): void {
    this.count = 0;
  }

  toArray(): number[] {
    return this.items.slice(0, this.count);
  }
}

/**
 * Subkey lists ([msuhanov] "Index leaf", "Fast leaf", "Hash leaf", "Index root"): appends the
 * relative offsets of the key nodes to `out`. An index root points to leaves (never nested
 * in practice; depth is bounded anyway). A damaged sub-list is reported and skipped.
 */
export function readSubkeyList(
  cells: HiveCells,
  relative: number,
  out: OffsetList,
  report: (error: FormatError) => void,
  depth = 0,
  seen?: Set<number>,
): void {
  // Each list cell is read once per lookup: an index root naming itself (or a shared leaf)
  // would otherwise multiply the work at every level. Only index roots recurse, so the set is
  // made for them alone (most keys have one leaf).
  if (seen?.has(relative)) {
    report(cells.error('subkey list', relative + 4096, 'subkey list reached twice (cycle)'));
    return;
  }
  seen?.add(relative);
  const data = cells.cell(relative, 'subkey list');
  const length = cells.length;
  const view = cells.view;
  cells.need(data, LIST_ELEMENTS, 'subkey list');
  const signature = view.u16(data);
  const count = view.u16(data + LIST_COUNT);
  const stride = signature === SIG_LF || signature === SIG_LH ? 8 : 4;
  if (signature !== SIG_LF && signature !== SIG_LH && signature !== SIG_LI && signature !== SIG_RI) {
    throw cells.error('subkey list', data - 4, `unknown subkey list signature 0x${signature.toString(16)}`);
  }
  const name = signature === SIG_RI ? 'ri' : signature === SIG_LI ? 'li' : signature === SIG_LF ? 'lf' : 'lh';
  let usable = count;
  if (LIST_ELEMENTS + count * stride > length) {
    usable = Math.floor((length - LIST_ELEMENTS) / stride);
    report(cells.error(name, data - 4, `${count} elements do not fit in a ${length}-byte cell`));
  }
  if (signature !== SIG_RI) {
    for (let index = 0; index < usable; index += 1) out.add(view.u32(data + LIST_ELEMENTS + index * stride));
    return;
  }
  if (depth >= MAX_INDEX_ROOT_DEPTH) {
    report(cells.error('ri', data - 4, `index roots nested deeper than ${MAX_INDEX_ROOT_DEPTH}`));
    return;
  }
  const children = seen ?? new Set([relative]);
  for (let index = 0; index < usable; index += 1) {
    const child = view.u32(data + LIST_ELEMENTS + index * 4);
    try {
      readSubkeyList(cells, child, out, report, depth + 1, children);
    } catch (error) {
      report(error as FormatError);
    }
  }
}
