import type { ByteView } from '../io/index.js';
import { latin1Text as decodeLatin1, utf16Text as decodeUtf16 } from '../io/short-text.js';
import type { HiveCells } from './cell.js';
import {
  SIG_VK,
  VALUE_COMP_NAME,
  VK_DATA_OFFSET,
  VK_DATA_SIZE,
  VK_DATA_TYPE,
  VK_FLAGS,
  VK_NAME,
  VK_NAME_LENGTH,
} from './constants.js';

/** A key value (vk) record ([msuhanov] "Key value"). */
export interface KeyValue {
  /** Absolute file offset of the cell (its size field). */
  offset: number;
  /** Absolute file offset of the vk data offset field (inline data lives there). */
  dataOffsetField: number;
  name: string;
  /** Raw data size field, including the inline flag (high bit). */
  dataSize: number;
  dataOffset: number;
  type: number;
  flags: number;
}

/**
 * Checks the vk record whose cell data starts at absolute `data` (cell length in
 * `cells.length`): signature, fixed part and name inside the cell. Fields and name can then
 * be read later from the view (the hive bytes never change once open).
 */
export function checkKeyValue(cells: HiveCells, data: number): void {
  const view = cells.view;
  if (cells.length < 2 || view.u16(data) !== SIG_VK) {
    throw cells.error('vk', data - 4, 'missing vk signature');
  }
  if (cells.length < VK_NAME) cells.need(data, VK_NAME, 'vk');
  const nameLength = view.u16(data + VK_NAME_LENGTH);
  if (cells.length < VK_NAME + nameLength) cells.need(data, VK_NAME + nameLength, 'vk');
}

/** The name of a vk checked by `checkKeyValue` ('' for the default value). */
export function keyValueName(view: ByteView, data: number): string {
  const nameLength = view.u16(data + VK_NAME_LENGTH);
  return view.u16(data + VK_FLAGS) & VALUE_COMP_NAME
    ? decodeLatin1(view, data + VK_NAME, nameLength)
    : decodeUtf16(view, data + VK_NAME, nameLength);
}

/** All fields of a vk checked by `checkKeyValue`. */
export function readKeyValue(view: ByteView, data: number, name: string): KeyValue {
  return {
    offset: data - 4,
    dataOffsetField: data + VK_DATA_OFFSET,
    name,
    dataSize: view.u32(data + VK_DATA_SIZE),
    dataOffset: view.u32(data + VK_DATA_OFFSET),
    type: view.u32(data + VK_DATA_TYPE),
    flags: view.u16(data + VK_FLAGS),
  };
}

export function parseKeyValue(cells: HiveCells, data: number): KeyValue {
  checkKeyValue(cells, data);
  return readKeyValue(cells.view, data, keyValueName(cells.view, data));
}
