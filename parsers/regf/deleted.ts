import {
  CELL_ALIGNMENT,
  HBIN_HEADER_SIZE,
  HIVE_BINS_DATA_OFFSET,
  NK_NAME,
  NK_NAME_LENGTH,
  SIG_NK,
  SIG_VK,
  VK_NAME,
  VK_NAME_LENGTH,
} from './constants.js';
import { type Hive, RegistryKey, RegistryValue } from './hive.js';
import { parseKeyNode } from './key-node.js';
import { type KeyValue, parseKeyValue } from './key-value.js';
import { readValueList } from './value-list.js';

const SIG_N = SIG_NK & 0xff;
const SIG_V = SIG_VK & 0xff;
const SIG_K = SIG_NK >>> 8;

/**
 * Deleted keys and values: nk and vk records left inside unallocated cells. Freed neighbours
 * are coalesced into one free cell, so each 8-byte boundary inside a free cell is tried as the
 * start of a remnant cell (its old size field, then the record signature). A candidate must
 * parse cleanly within the free cell; paths come from the parent chain where it still resolves.
 */
export function recoverDeletedRecords(hive: Hive): { keys: RegistryKey[]; values: RegistryValue[] } {
  const cells = hive.cells;
  const view = cells.view;
  const keys: RegistryKey[] = [];
  const valueRecords: { record: KeyValue; relative: number }[] = [];
  const ignore = (): void => {};
  const bytes = view.bytes;
  for (const bin of hive.bins) {
    const binEnd = bin.offset + bin.size;
    // One bounds check per bin; the scan then reads the bytes directly (every 8-byte slot of
    // free space is a candidate, so this loop is the whole cost of the scan).
    view.check(bin.offset, bin.size);
    let cell = bin.offset + HBIN_HEADER_SIZE;
    while (cell + 8 <= binEnd) {
      const size =
        bytes[cell]! | (bytes[cell + 1]! << 8) | (bytes[cell + 2]! << 16) | (bytes[cell + 3]! << 24);
      const magnitude = size < 0 ? -size : size;
      if (magnitude < 8 || magnitude % CELL_ALIGNMENT !== 0 || cell + magnitude > binEnd) {
        hive.report(cells.error('cell', cell, `bad cell size ${size}; rest of the hive bin skipped`));
        break;
      }
      if (size > 0) {
        const freeEnd = cell + magnitude;
        for (let remnant = cell; remnant + 4 + 2 <= freeEnd; remnant += CELL_ALIGNMENT) {
          // 'nk' or 'vk' (SIG_NK / SIG_VK, little-endian) after the remnant's old size field.
          if (bytes[remnant + 5] !== SIG_K || (bytes[remnant + 4] !== SIG_N && bytes[remnant + 4] !== SIG_V))
            continue;
          const signature = view.u16(remnant + 4);
          // The candidate sees the rest of the free cell as its cell.
          cells.length = freeEnd - remnant - 4;
          cells.allocated = false;
          const data = remnant + 4;
          try {
            if (signature === SIG_NK) {
              if (cells.length < NK_NAME || NK_NAME + view.u16(data + NK_NAME_LENGTH) > cells.length)
                continue;
              const node = parseKeyNode(cells, data);
              if (node.name.length === 0) continue;
              const relative = remnant - HIVE_BINS_DATA_OFFSET;
              keys.push(new RegistryKey(hive, node, hive.pathFromParents(relative), true));
            } else if (signature === SIG_VK) {
              if (cells.length < VK_NAME || VK_NAME + view.u16(data + VK_NAME_LENGTH) > cells.length)
                continue;
              const record = parseKeyValue(cells, data);
              valueRecords.push({ record, relative: remnant - HIVE_BINS_DATA_OFFSET });
            }
          } catch {
            // Not a record after all: remnants are often partly overwritten.
          }
        }
      }
      cell += magnitude;
    }
  }
  // Values of recovered keys keep their key's path when its value list still resolves.
  const owner = new Map<number, string>();
  for (const key of keys) {
    if (key.valueCount === 0 || key.valueCount > 65536) continue;
    try {
      for (const relative of readValueList(cells, key.node.valueList, key.valueCount, ignore)) {
        if (!owner.has(relative)) owner.set(relative, key.path);
      }
    } catch {
      // The list cell was reused.
    }
  }
  const values: RegistryValue[] = [];
  for (const { record, relative } of valueRecords) {
    values.push(new RegistryValue(hive, record, true, owner.get(relative)));
  }
  return { keys, values };
}
