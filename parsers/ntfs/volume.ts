/**
 * An NTFS volume read straight from bytes: boot sector, the $MFT (itself fragmented, mapped by
 * its own runs), a sequential scan of every record in big blocks, paths rebuilt from $FILE_NAME
 * parent references (TSK-style orphans), streams opened as RandomAccessReaders.
 */
import {
  ByteView,
  FormatError,
  type FormatErrorRecord,
  type RandomAccessReader,
  readView,
} from '../io/index.js';
import { BodyRows } from './body-rows.js';
import { bodyTemplate, listedByTsk, orphanDirectoryLine } from './bodyfile.js';
import { BOOT_SECTOR_SIZE, type BootSector, parseBootSector } from './boot-sector.js';
import { type FileName, type NameSpace, parseFileName } from './file-name.js';
import {
  assembleBase,
  assembleFile,
  type FileRecord,
  hasAttributeList,
  layoutOf,
  type MergedAttribute,
} from './file-record.js';
import {
  ATTRIBUTE_DATA,
  ATTRIBUTE_FLAG_COMPRESSED,
  ATTRIBUTE_FLAG_SPARSE,
  ATTRIBUTE_INDEX_ROOT,
  type FileReference,
  isEmptyRecord,
  type MftRecord,
  parseMftRecord,
  ROOT_RECORD,
} from './mft-record.js';
import {
  FLAG_DIRECTORY,
  FLAG_EXTENSION,
  FLAG_HAS_ATTRIBUTES,
  FLAG_IN_USE,
  FLAG_PARSED,
  NAMESPACES,
  NameTable,
} from './name-table.js';
import { SCAN_FALLBACK, scanRecord } from './record-scan.js';
import { type NtfsTimes, timesOf } from './standard-information.js';
import { NtfsStreamReader } from './stream-reader.js';

const MFT_RECORD = 0;
/** Records read per block during a scan (4 MiB with 1 KiB records). */
const SCAN_BLOCK_RECORDS = 4096;
/** Bodyfile text rendered per chunk. */
const RENDER_CHUNK_BYTES = 1024 * 1024;

export interface NtfsOptions {
  /** Errors kept in `errors` (all are counted in `errorCount`). Default 1000. */
  maxErrors?: number;
}

export interface NtfsInfo extends BootSector {
  mftRecordCount: number;
  mftSize: number;
}

export interface NtfsName {
  name: string;
  namespace: NameSpace;
  parent: FileReference;
  times: NtfsTimes;
  size: number;
  allocatedSize: number;
}

export interface NtfsStream {
  /** '' for the unnamed (default) $DATA stream. */
  name: string;
  /** Attribute id (TSK-style unique across extension records): `icat image record-128-id`. */
  attributeId: number;
  size: number;
  allocatedSize: number;
  resident: boolean;
  compressed: boolean;
  sparse: boolean;
}

export interface NtfsEntry {
  recordNumber: number;
  sequence: number;
  inUse: boolean;
  deleted: boolean;
  isDirectory: boolean;
  /** Primary path ('\'-free, '/'-separated from the volume root); orphans under /$OrphanFiles. */
  path: string;
  /** Every path of the record (hard links), the primary one first. */
  paths: string[];
  names: NtfsName[];
  si?: NtfsTimes;
  fileAttributes: number;
  attributeFlags: string[];
  linkCount: number;
  size: number;
  allocatedSize: number;
  streams: NtfsStream[];
  warnings: FormatErrorRecord[];
}

interface RecordBlock {
  start: number;
  count: number;
  bytes: Uint8Array | undefined;
}

const FILE_ATTRIBUTE_NAMES: Array<[number, string]> = [
  [0x1, 'READONLY'],
  [0x2, 'HIDDEN'],
  [0x4, 'SYSTEM'],
  [0x10, 'DIRECTORY'],
  [0x20, 'ARCHIVE'],
  [0x40, 'DEVICE'],
  [0x80, 'NORMAL'],
  [0x100, 'TEMPORARY'],
  [0x200, 'SPARSE_FILE'],
  [0x400, 'REPARSE_POINT'],
  [0x800, 'COMPRESSED'],
  [0x1000, 'OFFLINE'],
  [0x2000, 'NOT_CONTENT_INDEXED'],
  [0x4000, 'ENCRYPTED'],
];

export function fileAttributeNames(value: number): string[] {
  return FILE_ATTRIBUTE_NAMES.filter(([bit]) => (value & bit) !== 0).map(([, name]) => name);
}

export class NtfsVolume {
  readonly info: NtfsInfo;
  readonly errors: FormatErrorRecord[] = [];
  errorCount = 0;
  private readonly reader: RandomAccessReader;
  private readonly mft: NtfsStreamReader;
  private readonly maxErrors: number;
  private readonly seenErrors = new Set<string>();
  private table: NameTable | undefined;

  private constructor(reader: RandomAccessReader, info: NtfsInfo, mft: NtfsStreamReader, maxErrors: number) {
    this.reader = reader;
    this.info = info;
    this.mft = mft;
    this.maxErrors = maxErrors;
  }

  static async load(reader: RandomAccessReader, options: NtfsOptions = {}): Promise<NtfsVolume> {
    const boot = parseBootSector(await readView(reader, 0, BOOT_SECTOR_SIZE, 'ntfs', 'boot-sector'));
    const recordSize = boot.mftRecordSize;
    const mftOffset = boot.mftCluster * boot.clusterSize;
    const first = await readView(reader, mftOffset, recordSize, 'ntfs', 'mft-record');
    const own = new ByteView(first.copy(0, recordSize), mftOffset, 'ntfs', 'mft-record');
    const record = parseMftRecord(own, MFT_RECORD);
    // The $MFT's own $DATA may continue in extension records that live in the MFT itself;
    // they are found through the runs of the base record (bootstrap).
    const bootstrap = async (): Promise<NtfsStreamReader> => {
      const file = await assembleFile(
        record,
        async () => undefined,
        async () => new Uint8Array(0),
      );
      return streamOf(file, '');
    };
    const streamOf = (file: FileRecord, label: string): NtfsStreamReader => {
      const data = file.attributes.find(
        (attribute) => attribute.type === ATTRIBUTE_DATA && attribute.name === '',
      );
      if (data === undefined || data.resident) {
        throw new FormatError(
          'ntfs',
          'mft-record',
          mftOffset,
          '$MFT has no non-resident $DATA attribute',
          reader.name,
        );
      }
      const layout = layoutOf(data, `${reader.name}:$MFT${label}`, boot.clusterCount, boot.clusterSize);
      return new NtfsStreamReader(reader, boot.clusterSize, layout);
    };
    let mft = await bootstrap();
    const loadFromBootstrap = async (recordNumber: number): Promise<MftRecord | undefined> => {
      const offset = recordNumber * recordSize;
      if (offset + recordSize > mft.size) return undefined;
      const bytes = await mft.read(offset, recordSize);
      try {
        return parseMftRecord(new ByteView(bytes, offset, 'ntfs', 'mft-record'), recordNumber);
      } catch (error) {
        if (error instanceof FormatError) return undefined;
        throw error;
      }
    };
    const full = await assembleFile(record, loadFromBootstrap, async (attribute) =>
      readAll(reader, boot, attribute),
    );
    mft = streamOf(full, '');
    // Never more records than the evidence can hold (a crafted $MFT size cannot size our tables).
    const mftRecordCount = Math.floor(Math.min(mft.size, reader.size) / recordSize);
    const info: NtfsInfo = { ...boot, mftRecordCount, mftSize: mft.size };
    const volume = new NtfsVolume(reader, info, mft, options.maxErrors ?? 1000);
    for (const error of full.errors) volume.note(error);
    return volume;
  }

  /** Records an error once (dedupe by place and reason), keeping at most maxErrors of them. */
  private note(error: FormatError): void {
    const key = `${error.structure}@${error.offset}:${error.reason}`;
    if (this.seenErrors.has(key)) return;
    this.seenErrors.add(key);
    this.errorCount += 1;
    if (this.errors.length < this.maxErrors) this.errors.push(error.withFile(this.reader.name).toJSON());
  }

  /** One record by number, fixups applied; undefined (error noted) when unreadable. */
  async readRecord(recordNumber: number): Promise<MftRecord | undefined> {
    const size = this.info.mftRecordSize;
    if (!Number.isSafeInteger(recordNumber) || recordNumber < 0 || recordNumber >= this.info.mftRecordCount)
      return undefined;
    const bytes = await this.mft.read(recordNumber * size, size);
    return this.parse(bytes, recordNumber);
  }

  private parse(bytes: Uint8Array, recordNumber: number): MftRecord | undefined {
    const view = new ByteView(bytes, recordNumber * this.info.mftRecordSize, 'ntfs', 'mft-record');
    if (isEmptyRecord(view)) return undefined;
    try {
      return parseMftRecord(view, recordNumber);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      this.note(error);
      return undefined;
    }
  }

  /** Every record in order, read in big sequential blocks and parsed synchronously. */
  async *records(): AsyncGenerator<MftRecord> {
    for await (const block of this.blocks()) {
      for (let index = 0; index < block.count; index += 1) {
        const record = await this.recordOf(block, index);
        if (record !== undefined) yield record;
      }
    }
  }

  /**
   * Raw 4 MiB blocks of the MFT; `bytes` is undefined when the block cannot be read whole.
   * With `reuse`, every block is read into the same buffer: only for a caller that keeps
   * nothing that views a block's bytes once it asks for the next block.
   */
  private async *blocks(reuse = false): AsyncGenerator<RecordBlock> {
    const size = this.info.mftRecordSize;
    const count = this.info.mftRecordCount;
    let buffer: Uint8Array | undefined;
    for (let start = 0; start < count; start += SCAN_BLOCK_RECORDS) {
      const take = Math.min(SCAN_BLOCK_RECORDS, count - start);
      let bytes: Uint8Array | undefined;
      try {
        if (reuse) {
          if (buffer === undefined || buffer.length !== take * size) buffer = new Uint8Array(take * size);
          await this.mft.readInto(buffer, start * size);
          bytes = buffer;
        } else {
          bytes = await this.mft.read(start * size, take * size);
        }
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
      yield { start, count: take, bytes };
    }
  }

  /**
   * Record `index` of a block, parsed synchronously from the block's bytes (records are
   * processed one at a time so that they die young: the scan allocates little that survives).
   */
  private recordOf(
    block: RecordBlock,
    index: number,
  ): MftRecord | undefined | Promise<MftRecord | undefined> {
    const size = this.info.mftRecordSize;
    if (block.bytes !== undefined)
      return this.parse(block.bytes.subarray(index * size, (index + 1) * size), block.start + index);
    // A block that cannot be read whole (e.g. a truncated image): record by record.
    return this.readRecord(block.start + index).catch((error: unknown) => {
      if (!(error instanceof FormatError)) throw error;
      this.note(error);
      return undefined;
    });
  }

  /** A record with its extension records and merged attributes. */
  async assemble(record: MftRecord): Promise<FileRecord> {
    const file = await assembleFile(
      record,
      (recordNumber) => this.readRecord(recordNumber),
      (attribute) => readAll(this.reader, this.info, attribute),
    );
    for (const error of file.errors) this.note(error);
    return file;
  }

  private async buildTable(): Promise<NameTable> {
    this.table ??= await this.scanTable(undefined);
    return this.table;
  }

  /**
   * One pass over the MFT building the path table; with `rows`, the bodyfile lines too (so the
   * bodyfile reads the MFT once). Clean records are read straight from the block's bytes
   * (record-scan.ts); the others, and blocks that cannot be read whole, take the object path.
   */
  private async scanTable(rows: BodyRows | undefined): Promise<NameTable> {
    const size = this.info.mftRecordSize;
    const table = new NameTable(this.info.mftRecordCount);
    // Nothing kept from a block views its bytes (names, rows and templates are strings and
    // numbers), so one buffer serves every block.
    for await (const block of this.blocks(true)) {
      const view =
        block.bytes === undefined
          ? undefined
          : new ByteView(block.bytes, block.start * size, 'ntfs', 'mft-record');
      for (let index = 0; index < block.count; index += 1) {
        if (
          view !== undefined &&
          scanRecord(view, index * size, size, block.start + index, table, rows) !== SCAN_FALLBACK
        )
          continue;
        const parsed = this.recordOf(block, index);
        const record = parsed instanceof Promise ? await parsed : parsed;
        if (record !== undefined) await this.addRecord(table, record, rows);
      }
    }
    return table;
  }

  /** The object path of the scan: one parsed record into the table (and its lines into rows). */
  private async addRecord(table: NameTable, record: MftRecord, rows: BodyRows | undefined): Promise<void> {
    const n = record.recordNumber;
    let flags = FLAG_PARSED;
    if (record.inUse) flags |= FLAG_IN_USE;
    if (record.isDirectory) flags |= FLAG_DIRECTORY;
    if (record.attributes.length > 0) flags |= FLAG_HAS_ATTRIBUTES;
    if (record.baseReference.record !== 0) flags |= FLAG_EXTENSION;
    for (const warning of record.warnings) this.note(warning);
    table.flags[n] = flags;
    table.sequence[n] = record.sequence;
    if ((flags & FLAG_EXTENSION) !== 0 || record.attributes.length === 0) return;
    let names: FileName[];
    if (rows !== undefined) {
      // Only records with an attribute list need other records (and so an await).
      const file = hasAttributeList(record) ? await this.assemble(record) : assembleBase(record);
      if (listedByTsk(file)) rows.addTemplate(bodyTemplate(file));
      names = file.fileNames.map(({ value }) => value);
    } else {
      names = await this.assembleForNames(record);
    }
    for (const name of names) {
      table.addName(
        n,
        name.name,
        name.parent.record,
        name.parent.sequence,
        NAMESPACES.indexOf(name.namespace),
      );
    }
  }

  private async assembleForNames(record: MftRecord): Promise<FileName[]> {
    const hasList = record.attributes.some((attribute) => attribute.type === 0x20);
    return hasList
      ? (await this.assemble(record)).fileNames.map((entry) => entry.value)
      : quickFileNames(record, (error) => this.note(error));
  }

  /** Every file record (base records that hold attributes), in record order, as plain data. */
  async *entries(): AsyncGenerator<NtfsEntry> {
    const table = await this.buildTable();
    for await (const record of this.records()) {
      if (record.baseReference.record !== 0 || record.attributes.length === 0) continue;
      const file = await this.assemble(record);
      yield this.entryOf(table, file);
    }
  }

  private entryOf(table: NameTable, file: FileRecord): NtfsEntry {
    const record = file.base;
    const paths = table.pathsOf(record.recordNumber);
    const data = file.attributes.find(
      (attribute) => attribute.type === ATTRIBUTE_DATA && attribute.name === '',
    );
    const streams: NtfsStream[] = file.attributes
      .filter((attribute) => attribute.type === ATTRIBUTE_DATA)
      .map((attribute) => ({
        name: attribute.name,
        attributeId: attribute.id,
        size: attribute.dataSize,
        allocatedSize: attribute.resident ? 0 : attribute.allocatedSize,
        resident: attribute.resident,
        compressed: (attribute.flags & ATTRIBUTE_FLAG_COMPRESSED) !== 0,
        sparse: (attribute.flags & ATTRIBUTE_FLAG_SPARSE) !== 0,
      }));
    const fileAttributes = file.standardInformation?.fileAttributes ?? 0;
    const entry: NtfsEntry = {
      recordNumber: record.recordNumber,
      sequence: record.sequence,
      inUse: record.inUse,
      deleted: !record.inUse,
      isDirectory: record.isDirectory,
      path: paths[0]!,
      paths,
      names: file.fileNames.map(({ value }) => ({
        name: value.name,
        namespace: value.namespace,
        parent: value.parent,
        times: timesOf(value.raw),
        size: value.size,
        allocatedSize: value.allocatedSize,
      })),
      fileAttributes,
      attributeFlags: fileAttributeNames(fileAttributes),
      linkCount: record.linkCount,
      size: data?.dataSize ?? 0,
      allocatedSize: data === undefined || data.resident ? 0 : data.allocatedSize,
      streams,
      warnings: file.errors.map((error) => error.toJSON()),
    };
    if (file.standardInformation !== undefined) entry.si = timesOf(file.standardInformation.raw);
    return entry;
  }

  /** Internal: the scan used by the bodyfile writer (record, assembled file, paths). */
  async *files(): AsyncGenerator<{ file: FileRecord; paths: string[]; reachable: boolean }> {
    const table = await this.buildTable();
    for await (const record of this.records()) {
      if (record.baseReference.record !== 0 || record.attributes.length === 0) continue;
      const file = await this.assemble(record);
      const paths = table.pathsOf(record.recordNumber);
      yield { file, paths, reachable: true };
    }
  }

  /**
   * The listing as TSK `fls -r -m /` bodyfile text: UTF-8 bytes, each line ending in '\n', in MFT
   * order, ending with the /$OrphanFiles line; chunks of about 1 MiB (each a fresh buffer).
   * The fastest form (nothing but the bytes is made per line): write the chunks as they come.
   */
  async *bodyfileChunks(): AsyncGenerator<Uint8Array> {
    // One pass over the MFT: lines are kept as compact rows until the path table is complete,
    // then rendered chunk by chunk.
    const rows = new BodyRows();
    const table = await this.scanTable(rows);
    this.table ??= table;
    for (let row = 0; row < rows.length; ) {
      const chunk = rows.render(table, row, RENDER_CHUNK_BYTES);
      row = chunk.next;
      yield chunk.bytes;
    }
    yield new TextEncoder().encode(`${orphanDirectoryLine(this.info.mftRecordCount)}\n`);
  }

  /**
   * The listing as TSK `fls -r -m /` bodyfile lines (no trailing newline), in MFT order,
   * ending with the /$OrphanFiles line, in arrays of lines (one per chunk of `bodyfileChunks`).
   */
  async *bodyfileBatches(): AsyncGenerator<string[]> {
    const decoder = new TextDecoder();
    for await (const chunk of this.bodyfileChunks()) {
      const lines = decoder.decode(chunk).split('\n');
      lines.pop(); // after the last '\n'
      yield lines;
    }
  }

  /** The listing as TSK `fls -r -m /` bodyfile lines, one at a time. */
  async *bodyfile(): AsyncGenerator<string> {
    for await (const lines of this.bodyfileBatches()) yield* lines;
  }

  /**
   * Case-insensitive lookup of a path ('\\WINDOWS\\system32\\config\\SYSTEM' or with '/'),
   * through the names of the MFT scan (long and 8.3 names). An allocated file wins over a
   * deleted one of the same name. Returns the record number, or undefined.
   */
  async lookup(path: string): Promise<number | undefined> {
    const children = await this.childIndex();
    const parts = path.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
    let current = ROOT_RECORD;
    for (const part of parts) {
      const candidates = children.get(current)?.get(foldCase(part));
      if (candidates === undefined || candidates.length === 0) return undefined;
      const table = this.table!;
      current =
        candidates.find((candidate) => (table.flags[candidate]! & FLAG_IN_USE) !== 0) ?? candidates[0]!;
    }
    return current;
  }

  private children: Map<number, Map<string, number[]>> | undefined;

  private async childIndex(): Promise<Map<number, Map<string, number[]>>> {
    if (this.children !== undefined) return this.children;
    const table = await this.buildTable();
    const children = new Map<number, Map<string, number[]>>();
    table.forEachValidLink((n, name, parent) => {
      let names = children.get(parent);
      if (names === undefined) {
        names = new Map();
        children.set(parent, names);
      }
      const key = foldCase(name);
      const list = names.get(key);
      if (list === undefined) names.set(key, [n]);
      else if (!list.includes(n)) list.push(n);
    });
    this.children = children;
    return children;
  }

  /** Opens a stream of a record ('' = the unnamed $DATA) as a RandomAccessReader. */
  async openFile(recordNumber: number, streamName = ''): Promise<NtfsStreamReader> {
    const record = await this.readRecord(recordNumber);
    if (record === undefined) {
      throw new FormatError(
        'ntfs',
        'mft-record',
        recordNumber * this.info.mftRecordSize,
        `record ${recordNumber} is unreadable`,
        this.reader.name,
      );
    }
    const file = await this.assemble(record);
    const data = file.attributes.find(
      (attribute) => attribute.type === ATTRIBUTE_DATA && attribute.name === streamName,
    );
    if (data === undefined) {
      throw new FormatError(
        'ntfs',
        'mft-record',
        record.view.base,
        `record ${recordNumber} has no $DATA stream "${streamName}"`,
        this.reader.name,
      );
    }
    const label = `${this.reader.name}:${recordNumber}${streamName === '' ? '' : `:${streamName}`}`;
    return new NtfsStreamReader(
      this.reader,
      this.info.clusterSize,
      layoutOf(data, label, this.info.clusterCount, this.info.clusterSize),
    );
  }

  /** Opens `path` or `path:stream`; undefined when no such file. */
  async open(path: string): Promise<NtfsStreamReader | undefined> {
    const colon = path.lastIndexOf(':');
    const slash = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
    const hasStream = colon > slash && colon > 1;
    const recordNumber = await this.lookup(hasStream ? path.slice(0, colon) : path);
    if (recordNumber === undefined) return undefined;
    return this.openFile(recordNumber, hasStream ? path.slice(colon + 1) : '');
  }
}

/** NTFS compares names through $UpCase; Unicode simple upper-casing matches it for real names. */
function foldCase(name: string): string {
  return name.toUpperCase();
}

/** $FILE_NAME values of a record without an attribute list (the fast path of the first scan). */
function quickFileNames(record: MftRecord, note: (error: FormatError) => void) {
  const names = [];
  for (const attribute of record.attributes) {
    if (attribute.type !== 0x30 || attribute.content === undefined) continue;
    try {
      names.push(parseFileName(attribute.content));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      note(error);
    }
  }
  return names;
}

/** Whole content of a (small) non-resident attribute, e.g. an $ATTRIBUTE_LIST. */
async function readAll(
  reader: RandomAccessReader,
  boot: BootSector,
  attribute: MergedAttribute,
): Promise<Uint8Array> {
  const layout = layoutOf(attribute, `${reader.name}:attribute`, boot.clusterCount, boot.clusterSize);
  const stream = new NtfsStreamReader(reader, boot.clusterSize, layout);
  return stream.read(0, stream.size);
}

export function isIndexRoot(attribute: MergedAttribute): boolean {
  return attribute.type === ATTRIBUTE_INDEX_ROOT;
}

export async function openNtfs(reader: RandomAccessReader, options: NtfsOptions = {}): Promise<NtfsVolume> {
  return NtfsVolume.load(reader, options);
}
