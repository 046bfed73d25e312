import type { ByteView } from '../io/index.js';
import { latin1Text as decodeLatin1, utf16Text as decodeUtf16 } from '../io/short-text.js';
import type { HiveCells } from './cell.js';
import {
  KEY_COMP_NAME,
  NK_CLASS_NAME,
  NK_CLASS_NAME_LENGTH,
  NK_FLAGS,
  NK_LAST_WRITTEN,
  NK_NAME,
  NK_NAME_LENGTH,
  NK_PARENT,
  NK_SECURITY,
  NK_SUBKEY_COUNT,
  NK_SUBKEY_LIST,
  NK_VALUE_COUNT,
  NK_VALUE_LIST,
  SIG_NK,
} from './constants.js';

/** A key node (nk) record ([msuhanov] "Key node"). Offsets are relative to the hive bins data. */
export interface KeyNode {
  /** Absolute file offset of the cell (its size field). */
  offset: number;
  flags: number;
  lastWrittenFiletime: bigint;
  parent: number;
  subkeyCount: number;
  subkeyList: number;
  valueCount: number;
  valueList: number;
  security: number;
  classNameOffset: number;
  classNameLength: number;
  name: string;
}

/**
 * Checks the nk record whose cell data starts at absolute `data` (cell length in
 * `cells.length`: signature, fixed part and name inside the cell) and returns its name. The
 * other fields sit at fixed offsets inside the checked part, so they can be read later
 * straight from the view without another check (the hive bytes never change once open).
 */
export function keyNodeName(cells: HiveCells, data: number): string {
  const view = cells.view;
  if (cells.length < 2 || view.u16(data) !== SIG_NK) {
    throw cells.error('nk', data - 4, 'missing nk signature');
  }
  if (cells.length < NK_NAME) cells.need(data, NK_NAME, 'nk');
  const nameLength = view.u16(data + NK_NAME_LENGTH);
  if (cells.length < NK_NAME + nameLength) cells.need(data, NK_NAME + nameLength, 'nk');
  return view.u16(data + NK_FLAGS) & KEY_COMP_NAME
    ? decodeLatin1(view, data + NK_NAME, nameLength)
    : decodeUtf16(view, data + NK_NAME, nameLength);
}

/** All fields of an nk already checked by `keyNodeName`. */
export function readKeyNode(view: ByteView, data: number, name: string): KeyNode {
  return {
    offset: data - 4,
    flags: view.u16(data + NK_FLAGS),
    lastWrittenFiletime: view.u64(data + NK_LAST_WRITTEN),
    parent: view.u32(data + NK_PARENT),
    subkeyCount: view.u32(data + NK_SUBKEY_COUNT),
    subkeyList: view.u32(data + NK_SUBKEY_LIST),
    valueCount: view.u32(data + NK_VALUE_COUNT),
    valueList: view.u32(data + NK_VALUE_LIST),
    security: view.u32(data + NK_SECURITY),
    classNameOffset: view.u32(data + NK_CLASS_NAME),
    classNameLength: view.u16(data + NK_CLASS_NAME_LENGTH),
    name,
  };
}

/** Parses the nk record whose cell data starts at absolute `data` (cell length in `cells.length`). */
export function parseKeyNode(cells: HiveCells, data: number): KeyNode {
  return readKeyNode(cells.view, data, keyNodeName(cells, data));
}
