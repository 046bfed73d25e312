import { ByteView, FileReader, FormatError, filetimeToMicros, type RandomAccessReader } from '../io/index.js';
import { utf16Text as decodeUtf16 } from '../io/short-text.js';
import { type BaseBlock, parseBaseBlock } from './base-block.js';
import { isBigData, readBigData } from './big-data.js';
import { HiveCells } from './cell.js';
import {
  BIG_DATA_SEGMENT_SIZE,
  CELL_HEADER_SIZE,
  FORMAT,
  HIVE_BINS_DATA_OFFSET,
  KEY_HIVE_ENTRY,
  MAX_ERRORS_KEPT,
  MAX_HIVE_SIZE,
  MAX_KEY_DEPTH,
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
  NO_OFFSET,
  SIG_NK,
  VK_DATA_INLINE,
  VK_DATA_OFFSET,
  VK_DATA_SIZE,
  VK_DATA_TYPE,
} from './constants.js';
import { recoverDeletedRecords } from './deleted.js';
import { filetimePartsToIso, filetimePartsToMicros } from './filetime.js';
import { type HiveBin, scanHiveBins } from './hive-bin.js';
import { type KeyNode, keyNodeName, parseKeyNode, readKeyNode } from './key-node.js';
import { type KeySecurity, parseKeySecurity } from './key-security.js';
import { checkKeyValue, type KeyValue, keyValueName, readKeyValue } from './key-value.js';
import { OffsetList, readSubkeyList } from './subkey-list.js';
import { type LogReplay, replayTransactionLogs } from './transaction-log.js';
import { decodeValueData, type ValueData, valueTypeName } from './value-data.js';
import { readValueList } from './value-list.js';

export interface OpenHiveOptions {
  /** Transaction logs (.LOG, or .LOG1 and .LOG2) applied in memory when the hive is dirty. */
  logs?: RandomAccessReader[];
  /** Name for messages; defaults to the reader's name. */
  name?: string;
  /** Replay logs of a dirty hive (default true); false reads the primary file as it is. */
  replay?: boolean;
}

export interface HiveInfo {
  /** Base block fields as stored in the primary file (before any replay). */
  primarySequence: number;
  secondarySequence: number;
  /** Last written time, microseconds UTC (undefined when zero). */
  lastWritten: bigint | undefined;
  majorVersion: number;
  minorVersion: number;
  fileType: number;
  fileName: string;
  rootCellOffset: number;
  hiveBinsDataSize: number;
  checksumValid: boolean;
  /** Sequence numbers differ or the checksum is wrong: the hive needs its logs. */
  dirty: boolean;
  /** What replay did (empty when nothing was applied). */
  logsApplied: LogReplay[];
  /** File size of the primary file and size of the hive as read (after replay). */
  fileSize: number;
  size: number;
}

/** Opens a hive: reads it (and its logs) into memory, replays logs if dirty; parsing stays lazy. */
export async function openHive(reader: RandomAccessReader, options: OpenHiveOptions = {}): Promise<Hive> {
  const name = options.name ?? reader.name;
  if (reader.size > MAX_HIVE_SIZE) {
    throw new FormatError(FORMAT, 'hive', 0, `hive of ${reader.size} bytes exceeds the 2 GiB limit`, name);
  }
  let bytes = await reader.read(0, reader.size);
  let base: BaseBlock;
  try {
    base = parseBaseBlock(new ByteView(bytes, 0, FORMAT, 'base block'));
  } catch (error) {
    if (error instanceof FormatError) error.withFile(name);
    throw error;
  }
  const dirty = !base.checksumValid || base.primarySequence !== base.secondarySequence;
  const errors: FormatError[] = [];
  let logsApplied: LogReplay[] = [];
  if (dirty && options.replay !== false && options.logs !== undefined && options.logs.length > 0) {
    // A FileReader returns a fresh buffer for every read: nobody else sees it, so replay may
    // change it in place instead of holding a second copy of the hive.
    const owned = reader instanceof FileReader;
    const replay = await replayTransactionLogs(
      bytes,
      base,
      options.logs,
      (error) => errors.push(error),
      owned,
    );
    bytes = replay.bytes;
    logsApplied = replay.logs;
  }
  const info: HiveInfo = {
    primarySequence: base.primarySequence,
    secondarySequence: base.secondarySequence,
    lastWritten: filetimeToMicros(base.lastWrittenFiletime),
    majorVersion: base.majorVersion,
    minorVersion: base.minorVersion,
    fileType: base.fileType,
    fileName: base.fileName,
    rootCellOffset: base.rootCellOffset,
    hiveBinsDataSize: base.hiveBinsDataSize,
    checksumValid: base.checksumValid,
    dirty,
    logsApplied,
    fileSize: reader.size,
    size: bytes.length,
  };
  const hive = new Hive(name, bytes, info);
  for (const error of errors) hive.report(error);
  return hive;
}

/** A hive in memory. Everything after `openHive` is synchronous and decoded on demand. */
export class Hive {
  readonly name: string;
  readonly info: HiveInfo;
  /** The first 1000 errors met so far (they accumulate as the hive is read). */
  readonly errors: FormatError[] = [];
  /** All errors met so far, including those not kept in `errors`. */
  errorCount = 0;
  /** Cell access, for advanced use (deleted-record recovery, tests). */
  readonly cells: HiveCells;
  readonly bins: HiveBin[];
  /** Relative offset of the root key node (after replay). */
  readonly rootCellOffset: number;
  /** The hive bytes as parsed (after any log replay); never written anywhere. */
  readonly bytes: Uint8Array;
  /** Scratch list of subkey offsets reused across a walk (one array, not one per key). */
  readonly scratchOffsets = new OffsetList();
  private rootKey: RegistryKey | undefined | null = null;
  private deleted: { keys: RegistryKey[]; values: RegistryValue[] } | undefined;
  readonly reportBound: (error: FormatError) => void;

  constructor(name: string, bytes: Uint8Array, info: HiveInfo) {
    this.name = name;
    this.info = info;
    this.reportBound = (error) => this.report(error);
    // A plain Uint8Array over the same memory: subarrays of a Node Buffer cost more to make.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const view = new ByteView(this.bytes, 0, FORMAT, 'hive');
    const current = parseBaseBlock(view);
    this.rootCellOffset = current.rootCellOffset;
    let dataEnd = HIVE_BINS_DATA_OFFSET + current.hiveBinsDataSize;
    if (current.hiveBinsDataSize === 0 || current.hiveBinsDataSize % 4096 !== 0 || dataEnd > bytes.length) {
      this.report(
        new FormatError(
          FORMAT,
          'base block',
          40,
          `hive bins data size ${current.hiveBinsDataSize} does not fit a ${bytes.length}-byte file`,
        ),
      );
      dataEnd = bytes.length;
    }
    this.cells = new HiveCells(view, dataEnd, current.minorVersion);
    this.bins = scanHiveBins(view, dataEnd, this.reportBound);
  }

  report(error: unknown): void {
    if (!(error instanceof FormatError)) throw error;
    this.errorCount += 1;
    if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push(error.withFile(this.name));
  }

  /** The root key, or undefined (with an error recorded) when it cannot be read. */
  root(): RegistryKey | undefined {
    if (this.rootKey === null) {
      this.rootKey = this.keyAt(this.rootCellOffset, '\\', false);
    }
    return this.rootKey;
  }

  /** The key node at relative offset `relative`, or undefined with an error recorded. */
  keyAt(relative: number, path: string, deleted: boolean): RegistryKey | undefined {
    try {
      const data = this.cells.cell(relative, 'nk');
      return new RegistryKey(this, data, path, deleted, keyNodeName(this.cells, data));
    } catch (error) {
      this.report(error);
      return undefined;
    }
  }

  /**
   * Case-insensitive lookup of a backslash-separated path below the root; the root key's own
   * name may be given as the first component. '' or '\\' is the root.
   */
  getKey(path: string): RegistryKey | undefined {
    const root = this.root();
    if (root === undefined) return undefined;
    const parts = path.split('\\').filter((part) => part !== '');
    let key: RegistryKey | undefined = root;
    if (parts.length > 0 && parts[0]!.toLowerCase() === root.name.toLowerCase() && !root.subkey(parts[0]!)) {
      parts.shift();
    }
    for (const part of parts) {
      key = key.subkey(part);
      if (key === undefined) return undefined;
    }
    return key;
  }

  /** Keys recovered from unallocated cells (scanned once, on first call). */
  deletedKeys(): RegistryKey[] {
    return this.recoverDeleted().keys;
  }

  /** Values recovered from unallocated cells. */
  deletedValues(): RegistryValue[] {
    return this.recoverDeleted().values;
  }

  recoverDeleted(): { keys: RegistryKey[]; values: RegistryValue[] } {
    this.deleted ??= recoverDeletedRecords(this);
    return this.deleted;
  }

  /**
   * Path of the key node at `relative` from its parent chain (for recovered keys): '\\A\\B', or
   * '?\\B' when the chain breaks before reaching the root.
   */
  pathFromParents(relative: number): string {
    const names: string[] = [];
    let current = relative;
    const seen = new Set<number>();
    for (let depth = 0; depth < MAX_KEY_DEPTH; depth += 1) {
      if (current === this.rootCellOffset) return `\\${names.reverse().join('\\')}`;
      if (seen.has(current)) break;
      seen.add(current);
      const data = this.cells.probe(current);
      if (data < 0 || this.cells.length < NK_NAME || this.cells.view.u16(data) !== SIG_NK) break;
      if (NK_NAME + this.cells.view.u16(data + NK_NAME_LENGTH) > this.cells.length) break;
      const node = parseKeyNode(this.cells, data);
      if (node.flags & KEY_HIVE_ENTRY) return `\\${names.reverse().join('\\')}`;
      names.push(node.name);
      current = node.parent;
    }
    return `?\\${names.reverse().join('\\')}`;
  }
}

function joinPath(parent: string, name: string): string {
  return parent === '\\' ? `\\${name}` : `${parent}\\${name}`;
}

const EMPTY = new Uint8Array(0);
/** Set by RegistryKey.valueListData (read at once by its caller). */
let valueListUsable = 0;

/**
 * A registry key (lazy: subkeys and values are read when asked for). Only the name is decoded
 * when the key is made; every other field is read from the hive bytes when asked for, so a
 * walk allocates one small object per key.
 */
export class RegistryKey {
  // Fields are declared (not defined) and all set by the constructor in one order: one
  // object shape from the start, no class-field initializer step per key.
  declare readonly hive: Hive;
  /** '\\' for the root, '\\Software\\Microsoft' below it; recovered keys may start with '?'. */
  declare readonly path: string;
  declare readonly deleted: boolean;
  declare readonly name: string;
  /** Absolute offset of the nk record (the cell data, after the size field). */
  private declare readonly at: number;
  private declare nodeCache: KeyNode | undefined;

  /**
   * From a parsed `KeyNode`, or (internal) from the absolute data offset of an nk record
   * already checked by `keyNodeName`, with its name.
   */
  constructor(hive: Hive, node: KeyNode | number, path: string, deleted: boolean, name = '') {
    this.hive = hive;
    this.path = path;
    this.deleted = deleted;
    if (typeof node === 'number') {
      this.at = node;
      this.name = name;
      this.nodeCache = undefined;
    } else {
      this.at = node.offset + CELL_HEADER_SIZE;
      this.name = node.name;
      this.nodeCache = node;
    }
  }

  /** The nk record's fields. */
  get node(): KeyNode {
    this.nodeCache ??= readKeyNode(this.hive.cells.view, this.at, this.name);
    return this.nodeCache;
  }
  /** Absolute file offset of the nk cell. */
  get offset(): number {
    return this.at - CELL_HEADER_SIZE;
  }
  get flags(): number {
    return this.hive.cells.view.u16(this.at + NK_FLAGS);
  }
  /** Last written time, bigint microseconds UTC (undefined when zero). */
  get lastWrite(): bigint | undefined {
    const view = this.hive.cells.view;
    return filetimePartsToMicros(
      view.u32(this.at + NK_LAST_WRITTEN),
      view.u32(this.at + NK_LAST_WRITTEN + 4),
    );
  }
  /** Last written time as ISO 8601 UTC with microseconds (`microsToIso(lastWrite)`), undefined when zero. */
  lastWriteIso(): string | undefined {
    const view = this.hive.cells.view;
    return filetimePartsToIso(view.u32(this.at + NK_LAST_WRITTEN), view.u32(this.at + NK_LAST_WRITTEN + 4));
  }
  get subkeyCount(): number {
    return this.hive.cells.view.u32(this.at + NK_SUBKEY_COUNT);
  }
  get valueCount(): number {
    return this.hive.cells.view.u32(this.at + NK_VALUE_COUNT);
  }

  /** Class name (UTF-16LE), undefined when absent or unreadable. */
  get className(): string | undefined {
    const cells = this.hive.cells;
    const classNameOffset = cells.view.u32(this.at + NK_CLASS_NAME);
    const classNameLength = cells.view.u16(this.at + NK_CLASS_NAME_LENGTH);
    if (classNameOffset === NO_OFFSET || classNameLength === 0) return undefined;
    try {
      const data = cells.cell(classNameOffset, 'class name');
      cells.need(data, classNameLength, 'class name');
      return decodeUtf16(cells.view, data, classNameLength);
    } catch (error) {
      this.hive.report(error);
      return undefined;
    }
  }

  /** The key's security record, undefined when absent or unreadable. */
  security(): KeySecurity | undefined {
    const security = this.hive.cells.view.u32(this.at + NK_SECURITY);
    if (security === NO_OFFSET) return undefined;
    try {
      return parseKeySecurity(this.hive.cells, security);
    } catch (error) {
      this.hive.report(error);
      return undefined;
    }
  }

  /** Relative offsets of the subkey nodes (damaged lists reported and skipped). */
  subkeyOffsets(): number[] {
    const out = new OffsetList();
    this.collectSubkeyOffsets(out);
    return out.toArray();
  }

  private collectSubkeyOffsets(out: OffsetList): void {
    const view = this.hive.cells.view;
    if (view.u32(this.at + NK_SUBKEY_COUNT) === 0) return;
    const list = view.u32(this.at + NK_SUBKEY_LIST);
    if (list === NO_OFFSET) return;
    try {
      readSubkeyList(this.hive.cells, list, out, this.hive.reportBound);
    } catch (error) {
      this.hive.report(error);
    }
  }

  subkeys(): RegistryKey[] {
    const keys: RegistryKey[] = [];
    this.appendSubkeys(keys);
    return keys;
  }

  /** Appends the readable subkeys to `keys` (the walk reuses one array). */
  appendSubkeys(keys: RegistryKey[]): void {
    const hive = this.hive;
    const cells = hive.cells;
    const offsets = hive.scratchOffsets;
    offsets.clear();
    this.collectSubkeyOffsets(offsets);
    const items = offsets.items;
    for (let index = 0; index < offsets.count; index += 1) {
      try {
        const data = cells.cell(items[index]!, 'nk');
        const name = keyNodeName(cells, data);
        keys.push(new RegistryKey(hive, data, joinPath(this.path, name), this.deleted, name));
      } catch (error) {
        hive.report(error);
      }
    }
    offsets.clear();
  }

  /** A copy with another path (subkeys learn their name only once parsed). */
  withPath(path: string): RegistryKey {
    return new RegistryKey(this.hive, this.at, path, this.deleted, this.name);
  }

  subkey(name: string): RegistryKey | undefined {
    const wanted = name.toLowerCase();
    const hive = this.hive;
    const cells = hive.cells;
    for (const relative of this.subkeyOffsets()) {
      try {
        const data = cells.cell(relative, 'nk');
        const childName = keyNodeName(cells, data);
        if (childName.toLowerCase() === wanted) {
          return new RegistryKey(hive, data, joinPath(this.path, childName), this.deleted, childName);
        }
      } catch (error) {
        hive.report(error);
      }
    }
    return undefined;
  }

  /** Relative offsets of the value records. */
  valueOffsets(): number[] {
    const view = this.hive.cells.view;
    const count = view.u32(this.at + NK_VALUE_COUNT);
    const list = view.u32(this.at + NK_VALUE_LIST);
    if (count === 0 || list === NO_OFFSET) return [];
    try {
      return readValueList(this.hive.cells, list, count, this.hive.reportBound);
    } catch (error) {
      this.hive.report(error);
      return [];
    }
  }

  values(): RegistryValue[] {
    const listData = this.valueListData();
    if (listData < 0) return [];
    const usable = valueListUsable;
    const hive = this.hive;
    const cells = hive.cells;
    const view = cells.view;
    // Sized once (a growing array reallocates; most keys have a handful of values).
    const values = new Array<RegistryValue>(usable);
    let filled = 0;
    for (let index = 0; index < usable; index += 1) {
      try {
        const data = cells.cell(view.u32(listData + index * 4), 'vk');
        checkKeyValue(cells, data);
        values[filled] = new RegistryValue(hive, data, this.deleted, this.path);
        filled += 1;
      } catch (error) {
        hive.report(error);
      }
    }
    if (filled < usable) values.length = filled;
    return values;
  }

  /** Case-insensitive value lookup; '' is the default value. */
  value(name: string): RegistryValue | undefined {
    const listData = this.valueListData();
    if (listData < 0) return undefined;
    const usable = valueListUsable;
    const wanted = name.toLowerCase();
    const hive = this.hive;
    const cells = hive.cells;
    const view = cells.view;
    let match: RegistryValue | undefined;
    // Every record is checked as values() does (same errors); only the match becomes an object.
    for (let index = 0; index < usable; index += 1) {
      try {
        const data = cells.cell(view.u32(listData + index * 4), 'vk');
        checkKeyValue(cells, data);
        if (match === undefined && keyValueName(view, data).toLowerCase() === wanted) {
          match = new RegistryValue(hive, data, this.deleted, this.path);
        }
      } catch (error) {
        hive.report(error);
      }
    }
    return match;
  }

  /**
   * The value list read in place (as readValueList does, without an offsets array): absolute
   * offset of its data, or -1; the number of usable slots is left in `valueListUsable`.
   */
  private valueListData(): number {
    const hive = this.hive;
    const cells = hive.cells;
    const view = cells.view;
    const count = view.u32(this.at + NK_VALUE_COUNT);
    const list = view.u32(this.at + NK_VALUE_LIST);
    if (count === 0 || list === NO_OFFSET) return -1;
    try {
      const listData = cells.cell(list, 'value list');
      valueListUsable = count;
      if (count * 4 > cells.length) {
        valueListUsable = cells.length >>> 2;
        hive.report(
          cells.error(
            'value list',
            listData - 4,
            `${count} values do not fit in a ${cells.length}-byte cell`,
          ),
        );
      }
      return listData;
    } catch (error) {
      hive.report(error);
      return -1;
    }
  }

  /** The parent key (by the nk parent field), undefined at the root or when unreadable. */
  parent(): RegistryKey | undefined {
    if (this.flags & KEY_HIVE_ENTRY || this.offset - HIVE_BINS_DATA_OFFSET === this.hive.rootCellOffset)
      return undefined;
    const parentPath = this.path.includes('\\')
      ? this.path.slice(0, this.path.lastIndexOf('\\')) || '\\'
      : '?';
    return this.hive.keyAt(this.hive.cells.view.u32(this.at + NK_PARENT), parentPath, false);
  }
}

/**
 * A registry value; its name and data are decoded when first asked for (fields are read from
 * the hive bytes), so a walk allocates one small object per value.
 */
export class RegistryValue {
  // Declared, set by the constructor (see RegistryKey).
  declare readonly hive: Hive;
  declare readonly deleted: boolean;
  /** Path of the key holding the value (undefined for recovered values with no known key). */
  declare readonly keyPath: string | undefined;
  /** Absolute offset of the vk record (the cell data, after the size field). */
  private declare readonly at: number;
  private declare nameCache: string | undefined;
  private declare recordCache: KeyValue | undefined;
  /** Where single-cell or inline data sits in the hive view; -1: in `rawBytes`; -2: not read yet. */
  private declare dataAt: number;
  private declare dataLength: number;
  private declare rawBytes: Uint8Array | undefined;

  /**
   * From a parsed `KeyValue`, or (internal) from the absolute data offset of a vk record
   * already checked by `checkKeyValue`.
   */
  constructor(hive: Hive, record: KeyValue | number, deleted: boolean, keyPath: string | undefined) {
    this.hive = hive;
    this.deleted = deleted;
    this.keyPath = keyPath;
    if (typeof record === 'number') {
      this.at = record;
      this.nameCache = undefined;
      this.recordCache = undefined;
    } else {
      this.at = record.offset + CELL_HEADER_SIZE;
      this.nameCache = record.name;
      this.recordCache = record;
    }
    this.dataAt = -2;
    this.dataLength = 0;
    this.rawBytes = undefined;
  }

  /** The vk record's fields. */
  get record(): KeyValue {
    this.recordCache ??= readKeyValue(this.hive.cells.view, this.at, this.name);
    return this.recordCache;
  }
  /** '' for the default value. */
  get name(): string {
    this.nameCache ??= keyValueName(this.hive.cells.view, this.at);
    return this.nameCache;
  }
  get type(): number {
    return this.hive.cells.view.u32(this.at + VK_DATA_TYPE);
  }
  get typeName(): string {
    return valueTypeName(this.type);
  }
  /** Absolute file offset of the vk cell. */
  get offset(): number {
    return this.at - CELL_HEADER_SIZE;
  }
  /** Data size as recorded in the vk (without the inline flag). */
  get size(): number {
    return (this.hive.cells.view.u32(this.at + VK_DATA_SIZE) & ~VK_DATA_INLINE) >>> 0;
  }

  /**
   * The data bytes (inline, one cell or big data segments). A view over the hive memory for
   * single-cell data: copy it before changing it. Unreadable data reports an error and gives
   * the bytes that could be read (possibly none).
   */
  get raw(): Uint8Array {
    if (this.dataAt === -2) this.locateData();
    this.rawBytes ??= this.hive.cells.view.subarray(this.dataAt, this.dataLength);
    return this.rawBytes;
  }

  get data(): ValueData {
    if (this.dataAt === -2) this.locateData();
    if (this.dataAt >= 0)
      return decodeValueData(this.type, this.hive.cells.view, this.dataAt, this.dataLength);
    const raw = this.rawBytes ?? EMPTY;
    return decodeValueData(this.type, new ByteView(raw, 0, FORMAT, 'value data'), 0, raw.length);
  }

  /** Finds the data once (errors reported once): in place in the hive, or assembled big data. */
  private locateData(): void {
    const cells = this.hive.cells;
    const view = cells.view;
    const dataSize = view.u32(this.at + VK_DATA_SIZE);
    const dataOffsetField = this.at + VK_DATA_OFFSET;
    this.dataAt = -1;
    if (dataSize & VK_DATA_INLINE) {
      let length = (dataSize & ~VK_DATA_INLINE) >>> 0;
      if (length > 4) {
        this.hive.report(cells.error('vk', this.offset, `inline data size ${length} exceeds 4 bytes`));
        length = 4;
      }
      this.dataAt = dataOffsetField;
      this.dataLength = length;
      return;
    }
    if (dataSize === 0) {
      this.rawBytes = EMPTY;
      return;
    }
    try {
      const data = cells.cell(view.u32(dataOffsetField), 'value data');
      if (dataSize > BIG_DATA_SEGMENT_SIZE && cells.minorVersion >= 4 && isBigData(cells, data)) {
        this.rawBytes = readBigData(cells, data, dataSize);
        return;
      }
      this.dataAt = data;
      if (dataSize > cells.length) {
        this.hive.report(
          cells.error('value data', data - 4, `data size ${dataSize} exceeds the ${cells.length}-byte cell`),
        );
        this.dataLength = cells.length;
      } else {
        this.dataLength = dataSize;
      }
    } catch (error) {
      this.hive.report(error);
      this.rawBytes = EMPTY;
    }
  }
}
