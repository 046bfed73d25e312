import { microsToIso } from '../io/index.js';
import { hexText } from '../io/short-text.js';
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

export function valueRow(value: RegistryValue): ValueRow {
  const data = value.data;
  let out: string | string[] | number;
  let isHex = false;
  if (typeof data === 'bigint') out = data.toString();
  else if (data instanceof Uint8Array) {
    out = hexText(data);
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
  return {
    kind: 'key',
    path: key.path,
    name: key.name,
    lastWrite: key.lastWriteIso() ?? null,
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
 * The deleted-record scan runs only when `deleted` is on (it is the hive's lazy
 * `recoverDeleted()`).
 */
export function* walkHive(hive: Hive, options: WalkOptions = {}): Generator<HiveRow> {
  const meta = options.meta ?? true;
  if (meta) yield infoRow(hive);
  const walker = new KeyWalker(hive);
  for (let key = walker.next(); key !== undefined; key = walker.next()) yield keyRow(key);
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
  const walker = new KeyWalker(hive);
  for (let key = walker.next(); key !== undefined; key = walker.next()) yield key;
}

/**
 * Calls `visit` for every key of the allocated tree, in the order and with the guarantees of
 * `walkKeys`, without a generator step per key (the fastest way to walk a whole hive).
 */
export function visitKeys(hive: Hive, visit: (key: RegistryKey) => void): void {
  const walker = new KeyWalker(hive);
  for (let key = walker.next(); key !== undefined; key = walker.next()) visit(key);
}

/**
 * Depth-first walk state: pending keys and their depths in two parallel stacks, key nodes
 * already reached in a bitset over 8-byte cell slots (1 bit per 8 bytes of hive: 3 MiB for a
 * 200 MB hive, no per-key entry). A key's subkeys are read when the next key is asked for,
 * so errors stay in the order the caller met them.
 */
class KeyWalker {
  private readonly hive: Hive;
  private readonly seen: Uint8Array;
  private readonly keys: RegistryKey[] = [];
  private readonly depths: number[] = [];
  private last: RegistryKey | undefined;
  private lastDepth = 0;

  constructor(hive: Hive) {
    this.hive = hive;
    const root = hive.root();
    this.seen = new Uint8Array(root === undefined ? 0 : Math.ceil(hive.cells.dataEnd / 64) + 1);
    if (root === undefined) return;
    this.mark(root.offset);
    this.keys.push(root);
    this.depths.push(0);
  }

  private mark(offset: number): boolean {
    const slot = offset >>> 3;
    const bit = 1 << (slot & 7);
    const index = slot >>> 3;
    const seen = this.seen;
    if (seen[index]! & bit) return false;
    seen[index] = seen[index]! | bit;
    return true;
  }

  next(): RegistryKey | undefined {
    if (this.last !== undefined) this.expand(this.last, this.lastDepth);
    const key = this.keys.pop();
    this.last = key;
    if (key !== undefined) this.lastDepth = this.depths.pop()!;
    return key;
  }

  private expand(key: RegistryKey, depth: number): void {
    const hive = this.hive;
    if (depth >= MAX_KEY_DEPTH) {
      hive.report(hive.cells.error('nk', key.offset, `keys nested deeper than ${MAX_KEY_DEPTH}`));
      return;
    }
    // The children go straight onto the stack, then are reversed in place (the first child
    // is walked first) and marked last to first, dropping any reached before.
    const keys = this.keys;
    const start = keys.length;
    key.appendSubkeys(keys);
    const end = keys.length;
    for (let low = start, high = end - 1; low < high; low += 1, high -= 1) {
      const swap = keys[low]!;
      keys[low] = keys[high]!;
      keys[high] = swap;
    }
    let kept = start;
    for (let index = start; index < end; index += 1) {
      const child = keys[index]!;
      if (!this.mark(child.offset)) {
        hive.report(
          hive.cells.error(
            'nk',
            child.offset,
            `key node 0x${(child.offset - HIVE_BINS_DATA_OFFSET).toString(16)} reached twice (cycle or shared list)`,
          ),
        );
        continue;
      }
      keys[kept] = child;
      kept += 1;
      this.depths.push(depth + 1);
    }
    if (kept < end) keys.length = kept;
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
