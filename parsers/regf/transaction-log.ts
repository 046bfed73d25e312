import { ByteView, FormatError, type RandomAccessReader } from '../io/index.js';
import { type BaseBlock, baseBlockChecksum, parseBaseBlock } from './base-block.js';
import {
  BASE_BLOCK_SIZE,
  BB_CHECKSUM,
  BB_FILE_TYPE,
  BB_HIVE_BINS_DATA_SIZE,
  BB_PRIMARY_SEQUENCE,
  BB_SECONDARY_SEQUENCE,
  DIRT_SIGNATURE,
  DIRTY_PAGE_SIZE,
  FILE_TYPE_LOG_NEW,
  FILE_TYPE_LOG_OLD,
  FILE_TYPE_LOG_WIN2000,
  FILE_TYPE_PRIMARY,
  FORMAT,
  HIVE_BINS_DATA_OFFSET,
  HVLE_DIRTY_PAGE_COUNT,
  HVLE_HASH1,
  HVLE_HASH2,
  HVLE_HIVE_BINS_DATA_SIZE,
  HVLE_REFERENCES,
  HVLE_SEQUENCE,
  HVLE_SIGNATURE,
  HVLE_SIZE,
  LOG_SECTOR,
  MARVIN32_LOG_SEED,
  MAX_HIVE_SIZE,
} from './constants.js';
import { marvin32 } from './marvin32.js';

/** What replay did with one log file. */
export interface LogReplay {
  log: string;
  format: 'old' | 'new';
  /** Old format: 512-byte dirty pages written; new format: dirty page references applied. */
  pages: number;
  /** New format: log entries applied (0 for the old format). */
  entries: number;
  firstSequence?: number;
  lastSequence?: number;
}

interface LogFile {
  name: string;
  view: ByteView;
  base: BaseBlock;
}

interface LogEntry {
  log: LogFile;
  offset: number;
  size: number;
  sequence: number;
  hiveBinsDataSize: number;
  pageCount: number;
}

/**
 * Replays transaction logs into a copy of the primary file, in memory ([msuhanov] "Format of
 * transaction log files", "Dirty state of a hive", "Multiple transaction log files"). Nothing
 * is written to disk. A log that cannot be used is reported and skipped.
 */
export async function replayTransactionLogs(
  primary: Uint8Array,
  base: BaseBlock,
  readers: RandomAccessReader[],
  report: (error: FormatError) => void,
  /** True when `primary` is ours to change (read fresh from a file): replay then works in place. */
  owned = false,
): Promise<{ bytes: Uint8Array; logs: LogReplay[] }> {
  const logs: LogFile[] = [];
  for (const reader of readers) {
    try {
      if (reader.size > MAX_HIVE_SIZE) throw new FormatError(FORMAT, 'log', 0, 'log exceeds the 2 GiB limit');
      const view = new ByteView(await reader.read(0, reader.size), 0, FORMAT, 'log');
      logs.push({ name: reader.name, view, base: parseBaseBlock(view) });
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      report(error.withFile(reader.name));
    }
  }
  const work = new Growable(primary, owned);
  const applied: LogReplay[] = [];
  const newLogs = logs.filter((log) => log.base.fileType === FILE_TYPE_LOG_NEW);
  const oldLogs = logs.filter(
    (log) => log.base.fileType === FILE_TYPE_LOG_OLD || log.base.fileType === FILE_TYPE_LOG_WIN2000,
  );
  for (const log of logs) {
    if (!newLogs.includes(log) && !oldLogs.includes(log)) {
      report(
        new FormatError(FORMAT, 'log base block', 28, `not a log file (type ${log.base.fileType})`, log.name),
      );
    }
  }
  if (newLogs.length > 0) applied.push(...replayNewFormat(work, base, newLogs, report));
  if (applied.length === 0) {
    for (const log of oldLogs) {
      const result = replayOldFormat(work, base, log, report);
      if (result !== undefined) {
        applied.push(result);
        break;
      }
    }
  }
  return { bytes: work.bytes, logs: applied };
}

/** The primary file's bytes (a copy unless owned) that grow as logs extend the hive bins data. */
class Growable {
  bytes: Uint8Array;
  view: ByteView;
  constructor(primary: Uint8Array, owned: boolean) {
    // A buffer the caller may still see (a BufferReader's) is copied; a fresh one is not, so
    // replaying a large hive does not hold it twice.
    this.bytes = owned ? primary : Uint8Array.prototype.slice.call(primary);
    this.view = new ByteView(this.bytes, 0, FORMAT, 'hive');
  }
  ensure(size: number): void {
    if (size <= this.bytes.length) return;
    if (size > MAX_HIVE_SIZE) throw new FormatError(FORMAT, 'log', 0, `replayed hive would exceed 2 GiB`);
    const grown = new Uint8Array(size);
    grown.set(this.bytes);
    this.bytes = grown;
    this.view = new ByteView(grown, 0, FORMAT, 'hive');
  }
  setU32(offset: number, value: number): void {
    new DataView(this.bytes.buffer, this.bytes.byteOffset).setUint32(offset, value >>> 0, true);
  }
  /** After replay the in-memory base block is consistent: equal sequences, valid checksum. */
  finish(sequence: number, hiveBinsDataSize: number): void {
    this.setU32(BB_PRIMARY_SEQUENCE, sequence);
    this.setU32(BB_SECONDARY_SEQUENCE, sequence);
    this.setU32(BB_HIVE_BINS_DATA_SIZE, hiveBinsDataSize);
    this.setU32(BB_FILE_TYPE, FILE_TYPE_PRIMARY);
    this.setU32(BB_CHECKSUM, baseBlockChecksum(this.view));
  }
  /** A primary file with a bad checksum takes the base block copy from the log. */
  restoreBaseBlock(log: LogFile): void {
    this.ensure(BASE_BLOCK_SIZE);
    this.bytes.set(log.view.subarray(0, LOG_SECTOR), 0);
  }
}

function logValid(log: LogFile): boolean {
  return log.base.checksumValid && log.base.primarySequence === log.base.secondarySequence;
}

/** Old format (.LOG of Windows 2000/XP/2003): base block copy, DIRT bitmap, 512-byte dirty pages. */
function replayOldFormat(
  work: Growable,
  base: BaseBlock,
  log: LogFile,
  report: (error: FormatError) => void,
): LogReplay | undefined {
  const fail = (offset: number, reason: string): undefined => {
    report(new FormatError(FORMAT, 'dirty vector', offset, reason, log.name));
    return undefined;
  };
  if (!logValid(log)) return fail(0, 'log base block is invalid (checksum or sequence numbers)');
  if (base.checksumValid && log.base.lastWrittenFiletime !== base.lastWrittenFiletime) {
    return fail(12, 'log does not belong to this hive state (last written timestamps differ)');
  }
  const sector = LOG_SECTOR * Math.min(Math.max(log.base.clusteringFactor, 1), 8);
  const view = log.view;
  if (!view.has(sector, 4) || view.u32(sector) !== DIRT_SIGNATURE)
    return fail(sector, 'missing DIRT signature');
  const hiveBinsDataSize = log.base.hiveBinsDataSize;
  if (hiveBinsDataSize % 4096 !== 0) return fail(40, `bad hive bins data size ${hiveBinsDataSize}`);
  const bitCount = hiveBinsDataSize / DIRTY_PAGE_SIZE;
  const bitmapBytes = Math.ceil(bitCount / 8);
  if (!view.has(sector + 4, bitmapBytes)) return fail(sector, 'dirty vector bitmap is truncated');
  let pageOffset = Math.ceil((sector + 4 + bitmapBytes) / LOG_SECTOR) * LOG_SECTOR;
  if (!base.checksumValid) work.restoreBaseBlock(log);
  work.ensure(HIVE_BINS_DATA_OFFSET + hiveBinsDataSize);
  let pages = 0;
  for (let bit = 0; bit < bitCount; bit += 1) {
    if ((view.u8(sector + 4 + (bit >>> 3)) & (1 << (bit & 7))) === 0) continue;
    if (!view.has(pageOffset, DIRTY_PAGE_SIZE)) {
      report(
        new FormatError(FORMAT, 'dirty page', pageOffset, 'dirty page past the end of the log', log.name),
      );
      break;
    }
    work.bytes.set(view.subarray(pageOffset, DIRTY_PAGE_SIZE), HIVE_BINS_DATA_OFFSET + bit * DIRTY_PAGE_SIZE);
    pageOffset += DIRTY_PAGE_SIZE;
    pages += 1;
  }
  work.finish(log.base.primarySequence, hiveBinsDataSize);
  return { log: log.name, format: 'old', pages, entries: 0 };
}

/** Valid HvLE entries of one log, in file order, stopping at the first bad one. */
function readLogEntries(log: LogFile, report: (error: FormatError) => void): LogEntry[] {
  const entries: LogEntry[] = [];
  const view = log.view;
  let offset = LOG_SECTOR;
  while (view.has(offset, HVLE_REFERENCES) && view.u32(offset) === HVLE_SIGNATURE) {
    const bad = (reason: string): void => {
      report(new FormatError(FORMAT, 'HvLE', offset, reason, log.name));
    };
    const size = view.u32(offset + HVLE_SIZE);
    const hiveBinsDataSize = view.u32(offset + HVLE_HIVE_BINS_DATA_SIZE);
    const pageCount = view.u32(offset + HVLE_DIRTY_PAGE_COUNT);
    if (size < HVLE_REFERENCES || size % LOG_SECTOR !== 0 || !view.has(offset, size)) {
      bad(`bad log entry size ${size}`);
      break;
    }
    if (hiveBinsDataSize === 0 || hiveBinsDataSize % 4096 !== 0) {
      bad(`bad hive bins data size ${hiveBinsDataSize}`);
      break;
    }
    if (HVLE_REFERENCES + pageCount * 8 > size) {
      bad(`${pageCount} dirty page references do not fit`);
      break;
    }
    const hash1 = marvin32(view.bytes, offset + HVLE_REFERENCES, size - HVLE_REFERENCES, MARVIN32_LOG_SEED);
    const hash2 = marvin32(view.bytes, offset, 32, MARVIN32_LOG_SEED);
    if (hash1 !== view.u64(offset + HVLE_HASH1) || hash2 !== view.u64(offset + HVLE_HASH2)) {
      bad('log entry hash mismatch');
      break;
    }
    entries.push({
      log,
      offset,
      size,
      sequence: view.u32(offset + HVLE_SEQUENCE),
      hiveBinsDataSize,
      pageCount,
    });
    offset += size;
  }
  return entries;
}

/**
 * New format (.LOG1/.LOG2, Windows 8.1+): entries from both logs are applied in sequence order,
 * starting at the first entry not yet in the primary file and stopping when the next sequence
 * number is missing. With a bad primary base block, only the log with the latest entries is used.
 */
function replayNewFormat(
  work: Growable,
  base: BaseBlock,
  logs: LogFile[],
  report: (error: FormatError) => void,
): LogReplay[] {
  let usable = logs;
  let minimum = base.secondarySequence;
  if (!base.checksumValid) {
    const valid = logs.filter(logValid).sort((a, b) => b.base.primarySequence - a.base.primarySequence);
    const latest = valid[0];
    if (latest === undefined) {
      report(
        new FormatError(FORMAT, 'log base block', 0, 'no valid log base block to recover the hive from'),
      );
      return [];
    }
    usable = [latest];
    minimum = latest.base.primarySequence;
    work.restoreBaseBlock(latest);
  }
  const bySequence = new Map<number, LogEntry>();
  for (const log of usable) {
    for (const entry of readLogEntries(log, report)) {
      if (entry.sequence >= minimum && !bySequence.has(entry.sequence)) bySequence.set(entry.sequence, entry);
    }
  }
  if (bySequence.size === 0) return [];
  let sequence = Math.min(...bySequence.keys());
  const results = new Map<LogFile, LogReplay>();
  let last: LogEntry | undefined;
  for (let entry = bySequence.get(sequence); entry !== undefined; entry = bySequence.get(sequence)) {
    if (!applyEntry(work, entry, report)) break;
    let result = results.get(entry.log);
    if (result === undefined) {
      result = { log: entry.log.name, format: 'new', pages: 0, entries: 0, firstSequence: entry.sequence };
      results.set(entry.log, result);
    }
    result.entries += 1;
    result.pages += entry.pageCount;
    result.lastSequence = entry.sequence;
    last = entry;
    sequence += 1;
  }
  if (last !== undefined) work.finish(last.sequence, last.hiveBinsDataSize);
  return [...results.values()];
}

function applyEntry(work: Growable, entry: LogEntry, report: (error: FormatError) => void): boolean {
  const view = entry.log.view;
  work.ensure(HIVE_BINS_DATA_OFFSET + entry.hiveBinsDataSize);
  let data = entry.offset + HVLE_REFERENCES + entry.pageCount * 8;
  const end = entry.offset + entry.size;
  for (let index = 0; index < entry.pageCount; index += 1) {
    const reference = entry.offset + HVLE_REFERENCES + index * 8;
    const pageOffset = view.u32(reference);
    const pageSize = view.u32(reference + 4);
    if (data + pageSize > end || pageOffset + pageSize > entry.hiveBinsDataSize) {
      report(
        new FormatError(FORMAT, 'HvLE', reference, 'dirty page reference out of bounds', entry.log.name),
      );
      return false;
    }
    work.bytes.set(view.subarray(data, pageSize), HIVE_BINS_DATA_OFFSET + pageOffset);
    data += pageSize;
  }
  return true;
}
