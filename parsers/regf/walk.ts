import { microsToIso } from '../io/index.js';
import { HIVE_BINS_DATA_OFFSET, MAX_KEY_DEPTH } from './constants.js';
import type { Hive, RegistryKey, RegistryValue } from './hive.js';

/** One value inside a key row (plain JSON). */
export interface ValueRow {
  /** '' for the default value. */
  name: string;
  type: number;
  typeName: string;
  /** Data size recorded in the vk. */
  size: number;
  /**
   * REG_SZ/EXPAND_SZ/LINK: string; REG_MULTI_SZ: string[]; DWORD/DWORD_BIG_ENDIAN: number;
   * QWORD: decimal string; everything else (and short numbers): lowercase hex of the bytes.
   */
  data: string | string[] | number;
  /** True when `data` is hex of the raw bytes. */
  hex: boolean;
  /** Absolute file offset of the vk cell. */
  offset: number;
  deleted: boolean;
}

/** One row per key (plain JSON): the lead's `parse --type regf` JSONL line. */
export interface KeyRow {
  kind: 'key';
  /** '\\' for the root, '\\A\\B' below it; deleted keys with a broken parent chain: '?\\B'. */
  path: string;
  name: string;
  /** ISO 8601 UTC with microseconds, null when zero. */
  lastWrite: string | null;
  className: string | null;
  flags: number;
  subkeyCount: number;
  valueCount: number;
  /** Absolute file offset of the nk cell. */
  offset: number;
  deleted: boolean;
  values: ValueRow[];
}

/** Values recovered from free space that no recovered key claims. */
export interface OrphanValueRow extends ValueRow {
  kind: 'value';
  keyPath: string | null;
}

export interface InfoRow {
  kind: 'info';
  name: string;
  version: string;
  primarySequence: number;
  secondarySequence: number;
  lastWritten: string | null;
  dirty: boolean;
  checksumValid: boolean;
  logsApplied: { log: string; format: string; pages: number; entries: number }[];
}

export interface ErrorRow {
  kind: 'error';
  format: string;
  structure: string;
  offset: number;
  reason: string;
}

export interface ErrorSummaryRow {
  kind: 'errors';
  total: number;
  kept: number;
}

export type HiveRow = InfoRow | KeyRow | OrphanValueRow | ErrorRow | ErrorSummaryRow;

export interface WalkOptions {
  /** Include keys and values recovered from free cells (default true). */
  deleted?: boolean;
  /** Include the info row first and the error rows last (default true). */
  meta?: boolean;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array): string {
  let text = '';
  for (let index = 0; index < bytes.length; index += 1) text += HEX[bytes[index]!];
  return text;
}

export function valueRow(value: RegistryValue): ValueRow {
  const data = value.data;
  let out: string | string[] | number;
  let isHex = false;
  if (typeof data === 'bigint') out = data.toString();
  else if (data instanceof Uint8Array) {
    out = hex(data);
    isHex = true;
  } else out = data;
  return {
    name: value.name,
    type: value.type,
    typeName: value.typeName,
    size: value.size,
    data: out,
    hex: isHex,
    offset: value.offset,
    deleted: value.deleted,
  };
}

export function keyRow(key: RegistryKey): KeyRow {
  const lastWrite = key.lastWrite;
  return {
    kind: 'key',
    path: key.path,
    name: key.name,
    lastWrite: lastWrite === undefined ? null : microsToIso(lastWrite),
    className: key.className ?? null,
    flags: key.flags,
    subkeyCount: key.subkeyCount,
    valueCount: key.valueCount,
    offset: key.offset,
    deleted: key.deleted,
    values: key.values().map(valueRow),
  };
}

/**
 * Every key of the hive, depth first from the root, each visited once (a cell seen twice, as in
 * a cycle or a shared subkey list, is reported and not walked again), then the recovered
 * deleted keys and unclaimed deleted values, then errors. Synchronous: the hive is in memory.
 */
export function* walkHive(hive: Hive, options: WalkOptions = {}): Generator<HiveRow> {
  const meta = options.meta ?? true;
  if (meta) yield infoRow(hive);
  for (const key of walkKeys(hive)) yield keyRow(key);
  if (options.deleted ?? true) {
    const { keys, values } = hive.recoverDeleted();
    for (const key of keys) yield keyRow(key);
    const claimed = new Set<number>();
    for (const key of keys) for (const value of key.values()) claimed.add(value.offset);
    for (const value of values) {
      if (claimed.has(value.offset)) continue;
      yield { kind: 'value', keyPath: value.keyPath ?? null, ...valueRow(value) };
    }
  }
  if (meta) {
    for (const error of hive.errors) yield { kind: 'error', ...error.toJSON() };
    yield { kind: 'errors', total: hive.errorCount, kept: hive.errors.length };
  }
}

/** The allocated key tree, depth first, each key node once, depth bounded. */
export function* walkKeys(hive: Hive): Generator<RegistryKey> {
  const root = hive.root();
  if (root === undefined) return;
  const seen = new Uint8Array(Math.ceil(hive.cells.dataEnd / 64) + 1);
  const mark = (offset: number): boolean => {
    const slot = offset >>> 3;
    const bit = 1 << (slot & 7);
    const index = slot >>> 3;
    if (seen[index]! & bit) return false;
    seen[index] = seen[index]! | bit;
    return true;
  };
  mark(root.offset);
  const stack: { key: RegistryKey; depth: number }[] = [{ key: root, depth: 0 }];
  while (stack.length > 0) {
    const { key, depth } = stack.pop()!;
    yield key;
    if (depth >= MAX_KEY_DEPTH) {
      hive.report(hive.cells.error('nk', key.offset, `keys nested deeper than ${MAX_KEY_DEPTH}`));
      continue;
    }
    const children = key.subkeys();
    for (let index = children.length - 1; index >= 0; index -= 1) {
      const child = children[index]!;
      if (!mark(child.offset)) {
        hive.report(
          hive.cells.error(
            'nk',
            child.offset,
            `key node 0x${(child.offset - HIVE_BINS_DATA_OFFSET).toString(16)} reached twice (cycle or shared list)`,
          ),
        );
        continue;
      }
      stack.push({ key: child, depth: depth + 1 });
    }
  }
}

function infoRow(hive: Hive): InfoRow {
  const info = hive.info;
  return {
    kind: 'info',
    name: hive.name,
    version: `${info.majorVersion}.${info.minorVersion}`,
    primarySequence: info.primarySequence,
    secondarySequence: info.secondarySequence,
    lastWritten: info.lastWritten === undefined ? null : microsToIso(info.lastWritten),
    dirty: info.dirty,
    checksumValid: info.checksumValid,
    logsApplied: info.logsApplied.map(({ log, format, pages, entries }) => ({ log, format, pages, entries })),
  };
}
