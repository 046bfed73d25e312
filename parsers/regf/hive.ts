import { decodeUtf16 } from '../io/fast-text.js';
import { ByteView, FormatError, filetimeToMicros, type RandomAccessReader } from '../io/index.js';
import { type BaseBlock, parseBaseBlock } from './base-block.js';
import { isBigData, readBigData } from './big-data.js';
import { HiveCells } from './cell.js';
import {
  BIG_DATA_SEGMENT_SIZE,
  FORMAT,
  HIVE_BINS_DATA_OFFSET,
  KEY_HIVE_ENTRY,
  MAX_ERRORS_KEPT,
  MAX_HIVE_SIZE,
  MAX_KEY_DEPTH,
  NK_NAME,
  NK_NAME_LENGTH,
  NO_OFFSET,
  SIG_NK,
  VK_DATA_INLINE,
} from './constants.js';
import { recoverDeletedRecords } from './deleted.js';
import { type HiveBin, scanHiveBins } from './hive-bin.js';
import { type KeyNode, parseKeyNode } from './key-node.js';
import { type KeySecurity, parseKeySecurity } from './key-security.js';
import { type KeyValue, parseKeyValue } from './key-value.js';
import { readSubkeyList } from './subkey-list.js';
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
    const replay = await replayTransactionLogs(bytes, base, options.logs, (error) => errors.push(error));
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
  private rootKey: RegistryKey | undefined | null = null;
  private deleted: { keys: RegistryKey[]; values: RegistryValue[] } | undefined;
  readonly reportBound: (error: FormatError) => void;

  constructor(name: string, bytes: Uint8Array, info: HiveInfo) {
    this.name = name;
    this.info = info;
    this.reportBound = (error) => this.report(error);
    this.bytes = bytes;
    const view = new ByteView(bytes, 0, FORMAT, 'hive');
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
      return new RegistryKey(this, parseKeyNode(this.cells, data), path, deleted);
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

/** A registry key (lazy: subkeys and values are read when asked for). */
export class RegistryKey {
  readonly hive: Hive;
  readonly node: KeyNode;
  /** '\\' for the root, '\\Software\\Microsoft' below it; recovered keys may start with '?'. */
  readonly path: string;
  readonly deleted: boolean;

  constructor(hive: Hive, node: KeyNode, path: string, deleted: boolean) {
    this.hive = hive;
    this.node = node;
    this.path = path;
    this.deleted = deleted;
  }

  get name(): string {
    return this.node.name;
  }
  /** Absolute file offset of the nk cell. */
  get offset(): number {
    return this.node.offset;
  }
  get flags(): number {
    return this.node.flags;
  }
  /** Last written time, bigint microseconds UTC (undefined when zero). */
  get lastWrite(): bigint | undefined {
    return filetimeToMicros(this.node.lastWrittenFiletime);
  }
  get subkeyCount(): number {
    return this.node.subkeyCount;
  }
  get valueCount(): number {
    return this.node.valueCount;
  }

  /** Class name (UTF-16LE), undefined when absent or unreadable. */
  get className(): string | undefined {
    const { classNameOffset, classNameLength } = this.node;
    if (classNameOffset === NO_OFFSET || classNameLength === 0) return undefined;
    const cells = this.hive.cells;
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
    if (this.node.security === NO_OFFSET) return undefined;
    try {
      return parseKeySecurity(this.hive.cells, this.node.security);
    } catch (error) {
      this.hive.report(error);
      return undefined;
    }
  }

  /** Relative offsets of the subkey nodes (damaged lists reported and skipped). */
  subkeyOffsets(): number[] {
    const out: number[] = [];
    if (this.node.subkeyCount === 0 || this.node.subkeyList === NO_OFFSET) return out;
    try {
      readSubkeyList(this.hive.cells, this.node.subkeyList, out, this.hive.reportBound);
    } catch (error) {
      this.hive.report(error);
    }
    return out;
  }

  subkeys(): RegistryKey[] {
    const keys: RegistryKey[] = [];
    const cells = this.hive.cells;
    for (const relative of this.subkeyOffsets()) {
      try {
        const node = parseKeyNode(cells, cells.cell(relative, 'nk'));
        keys.push(new RegistryKey(this.hive, node, joinPath(this.path, node.name), this.deleted));
      } catch (error) {
        this.hive.report(error);
      }
    }
    return keys;
  }

  /** A copy with another path (subkeys learn their name only once parsed). */
  withPath(path: string): RegistryKey {
    return new RegistryKey(this.hive, this.node, path, this.deleted);
  }

  subkey(name: string): RegistryKey | undefined {
    const wanted = name.toLowerCase();
    const cells = this.hive.cells;
    for (const relative of this.subkeyOffsets()) {
      try {
        const node = parseKeyNode(cells, cells.cell(relative, 'nk'));
        if (node.name.toLowerCase() === wanted) {
          return new RegistryKey(this.hive, node, joinPath(this.path, node.name), this.deleted);
        }
      } catch (error) {
        this.hive.report(error);
      }
    }
    return undefined;
  }

  /** Relative offsets of the value records. */
  valueOffsets(): number[] {
    if (this.node.valueCount === 0 || this.node.valueList === NO_OFFSET) return [];
    try {
      return readValueList(this.hive.cells, this.node.valueList, this.node.valueCount, this.hive.reportBound);
    } catch (error) {
      this.hive.report(error);
      return [];
    }
  }

  values(): RegistryValue[] {
    const values: RegistryValue[] = [];
    const cells = this.hive.cells;
    for (const relative of this.valueOffsets()) {
      try {
        const record = parseKeyValue(cells, cells.cell(relative, 'vk'));
        values.push(new RegistryValue(this.hive, record, this.deleted, this.path));
      } catch (error) {
        this.hive.report(error);
      }
    }
    return values;
  }

  /** Case-insensitive value lookup; '' is the default value. */
  value(name: string): RegistryValue | undefined {
    const wanted = name.toLowerCase();
    return this.values().find((value) => value.name.toLowerCase() === wanted);
  }

  /** The parent key (by the nk parent field), undefined at the root or when unreadable. */
  parent(): RegistryKey | undefined {
    if (
      this.node.flags & KEY_HIVE_ENTRY ||
      this.node.offset - HIVE_BINS_DATA_OFFSET === this.hive.rootCellOffset
    )
      return undefined;
    const parentPath = this.path.includes('\\')
      ? this.path.slice(0, this.path.lastIndexOf('\\')) || '\\'
      : '?';
    return this.hive.keyAt(this.node.parent, parentPath, false);
  }
}

/** A registry value; data is decoded when first asked for. */
export class RegistryValue {
  readonly hive: Hive;
  readonly record: KeyValue;
  readonly deleted: boolean;
  /** Path of the key holding the value (undefined for recovered values with no known key). */
  readonly keyPath: string | undefined;
  private rawBytes: Uint8Array | undefined;
  /** Where single-cell or inline data sits in the hive view (-1: use rawBytes). */
  private dataAt = -1;

  constructor(hive: Hive, record: KeyValue, deleted: boolean, keyPath: string | undefined) {
    this.hive = hive;
    this.record = record;
    this.deleted = deleted;
    this.keyPath = keyPath;
  }

  /** '' for the default value. */
  get name(): string {
    return this.record.name;
  }
  get type(): number {
    return this.record.type;
  }
  get typeName(): string {
    return valueTypeName(this.record.type);
  }
  /** Absolute file offset of the vk cell. */
  get offset(): number {
    return this.record.offset;
  }
  /** Data size as recorded in the vk (without the inline flag). */
  get size(): number {
    return (this.record.dataSize & ~VK_DATA_INLINE) >>> 0;
  }

  /**
   * The data bytes (inline, one cell or big data segments). A view over the hive memory for
   * single-cell data: copy it before changing it. Unreadable data reports an error and gives
   * the bytes that could be read (possibly none).
   */
  get raw(): Uint8Array {
    this.rawBytes ??= this.readRaw();
    return this.rawBytes;
  }

  get data(): ValueData {
    const raw = this.raw;
    if (this.dataAt >= 0)
      return decodeValueData(this.record.type, this.hive.cells.view, this.dataAt, raw.length);
    return decodeValueData(this.record.type, new ByteView(raw, 0, FORMAT, 'value data'), 0, raw.length);
  }

  private readRaw(): Uint8Array {
    const { dataSize, dataOffset, dataOffsetField } = this.record;
    const cells = this.hive.cells;
    if (dataSize & VK_DATA_INLINE) {
      let length = (dataSize & ~VK_DATA_INLINE) >>> 0;
      if (length > 4) {
        this.hive.report(cells.error('vk', this.record.offset, `inline data size ${length} exceeds 4 bytes`));
        length = 4;
      }
      this.dataAt = dataOffsetField;
      return cells.view.subarray(dataOffsetField, length);
    }
    if (dataSize === 0) return new Uint8Array(0);
    try {
      const data = cells.cell(dataOffset, 'value data');
      if (dataSize > BIG_DATA_SEGMENT_SIZE && cells.minorVersion >= 4 && isBigData(cells, data)) {
        return readBigData(cells, data, dataSize);
      }
      if (dataSize > cells.length) {
        this.hive.report(
          cells.error('value data', data - 4, `data size ${dataSize} exceeds the ${cells.length}-byte cell`),
        );
        this.dataAt = data;
        return cells.view.subarray(data, cells.length);
      }
      this.dataAt = data;
      return cells.view.subarray(data, dataSize);
    } catch (error) {
      this.hive.report(error);
      return new Uint8Array(0);
    }
  }
}
