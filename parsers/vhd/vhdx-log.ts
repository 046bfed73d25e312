import { asciiBytes, ByteView } from '../io/byte-view.js';
import { FormatError } from '../io/format-error.js';
import { checkRange, type RandomAccessReader, readView } from '../io/random-access-reader.js';
import { crc32cWithZeroField } from './crc32c.js';

/**
 * MS-VHDX 2.3 log: finding the active sequence and replaying it IN MEMORY. The evidence file
 * is never written; replayed pages are laid over it by `LogOverlayReader`.
 */
const FORMAT = 'vhdx';
const LOG_SECTOR = 4096;
const ENTRY_SIGNATURE = asciiBytes('loge');
const ZERO_SIGNATURE = asciiBytes('zero');
const DESC_SIGNATURE = asciiBytes('desc');
const DATA_SIGNATURE = asciiBytes('data');
/** Entry header: signature, checksum, entry length, tail, sequence number, descriptor count, reserved, log GUID, flushed/last file offsets. */
const ENTRY_CHECKSUM = 4;
const ENTRY_LENGTH = 8;
const ENTRY_TAIL = 12;
const ENTRY_SEQUENCE = 16;
const ENTRY_DESCRIPTOR_COUNT = 24;
const ENTRY_LOG_GUID = 32;
const ENTRY_LAST_FILE_OFFSET = 56;
const ENTRY_HEADER_SIZE = 64;
const DESCRIPTOR_SIZE = 32;
/** Data descriptor: trailing bytes (4) at 4, leading bytes (8) at 8, file offset at 16, sequence at 24. */
const DESC_TRAILING = 4;
const DESC_LEADING = 8;
const DESC_FILE_OFFSET = 16;
const DESC_SEQUENCE = 24;
/** Zero descriptor: zero length at 8, file offset at 16, sequence at 24. */
const ZERO_LENGTH = 8;
/** Data sector: signature (4), sequence high (4), 4084 bytes of data, sequence low (4). */
const DATA_SEQUENCE_HIGH = 4;
const DATA_BYTES = 8;
const DATA_BYTES_SIZE = 4084;
const DATA_SEQUENCE_LOW = 4092;
/** Largest log read whole (Hyper-V and qemu write 1 MiB logs). */
const MAX_LOG_BYTES = 256 * 1024 * 1024;
/** Work bound of the active sequence search (a 1 MiB log needs at most 256 x 256 steps). */
const MAX_WALK_STEPS = 4_000_000;

interface LogEntry {
  offset: number;
  length: number;
  tail: number;
  sequence: bigint;
  view: ByteView;
}

export interface LogReplay {
  /** 4 KiB pages written by data descriptors, by file offset. */
  pages: Map<number, Uint8Array>;
  /** Ranges zeroed by zero descriptors (before any later page written over them). */
  zeroRanges: [number, number][];
  /** The file size the log requires (it may extend the file). */
  lastFileOffset: number;
  entries: number;
  headSequence: string;
}

/** Reads the log entry at `offset` (relative to the log), or undefined when it is not valid. */
function readEntry(log: ByteView, offset: number, logGuid: string): LogEntry | undefined {
  if (!log.has(offset, ENTRY_HEADER_SIZE) || !log.matches(offset, ENTRY_SIGNATURE)) return undefined;
  const length = log.u32(offset + ENTRY_LENGTH);
  if (length < LOG_SECTOR || length % LOG_SECTOR !== 0 || length > log.length) return undefined;
  // Entries do not wrap in this reader's view: a wrapped entry is copied contiguous first.
  let bytes: Uint8Array;
  if (offset + length <= log.length) {
    bytes = log.subarray(offset, length);
  } else {
    bytes = new Uint8Array(length);
    const first = log.length - offset;
    bytes.set(log.subarray(offset, first), 0);
    bytes.set(log.subarray(0, length - first), first);
  }
  const view = new ByteView(bytes, log.base + offset, FORMAT, 'log entry');
  if (crc32cWithZeroField(bytes, ENTRY_CHECKSUM) !== view.u32(ENTRY_CHECKSUM)) return undefined;
  if (view.guid(ENTRY_LOG_GUID) !== logGuid) return undefined;
  const count = view.u32(ENTRY_DESCRIPTOR_COUNT);
  const descriptorSectors = Math.ceil((ENTRY_HEADER_SIZE + count * DESCRIPTOR_SIZE) / LOG_SECTOR);
  if (descriptorSectors * LOG_SECTOR > length) return undefined;
  return { offset, length, tail: view.u32(ENTRY_TAIL), sequence: view.u64(ENTRY_SEQUENCE), view };
}

/**
 * Finds the active sequence (MS-VHDX 2.3.3): the longest chain of valid entries with
 * consecutive sequence numbers whose head's tail points at its first entry, highest head wins.
 * Work is bounded: each 4 KiB position starts at most one chain walk of at most logLength/4 KiB steps.
 */
export function findActiveSequence(log: ByteView, logGuid: string): LogEntry[] | undefined {
  const positions = Math.floor(log.length / LOG_SECTOR);
  const entries = new Map<number, LogEntry | undefined>();
  const entryAt = (offset: number): LogEntry | undefined => {
    if (!entries.has(offset)) entries.set(offset, readEntry(log, offset, logGuid));
    return entries.get(offset);
  };
  let best: LogEntry[] | undefined;
  // Chains are walked from every start: bound the total steps so a crafted log cannot hang us.
  let budget = MAX_WALK_STEPS;
  for (let position = 0; position < positions; position += 1) {
    const start = position * LOG_SECTOR;
    const first = entryAt(start);
    if (first === undefined) continue;
    const chain = [first];
    let walked = first.length;
    let current = first;
    while (walked < log.length) {
      budget -= 1;
      if (budget < 0) throw log.error(0, `more than ${MAX_WALK_STEPS} steps to find the active sequence`);
      const next = entryAt((current.offset + current.length) % log.length);
      if (next === undefined || next.sequence !== current.sequence + 1n || next.offset === start) break;
      chain.push(next);
      walked += next.length;
      current = next;
    }
    // The head names the tail of its sequence; a sequence that does not reach its tail is torn.
    let headIndex = chain.length - 1;
    while (headIndex >= 0 && chain[headIndex]!.tail !== start) headIndex -= 1;
    if (headIndex < 0) continue;
    const sequence = chain.slice(0, headIndex + 1);
    const head = sequence[sequence.length - 1]!;
    if (best === undefined || head.sequence > best[best.length - 1]!.sequence) best = sequence;
  }
  return best;
}

/** Reads the log region and computes the replay (nothing is written anywhere). */
export async function replayLog(
  file: RandomAccessReader,
  logOffset: number,
  logLength: number,
  logGuid: string,
): Promise<LogReplay> {
  if (logLength < LOG_SECTOR || logLength % LOG_SECTOR !== 0 || logLength > MAX_LOG_BYTES) {
    throw new FormatError(FORMAT, 'header', logOffset, `impossible log length ${logLength}`, file.name);
  }
  const log = await readView(file, logOffset, logLength, FORMAT, 'log');
  const sequence = findActiveSequence(log, logGuid);
  if (sequence === undefined) {
    throw new FormatError(
      FORMAT,
      'log',
      logOffset,
      `log GUID ${logGuid} is set but no valid log sequence was found`,
      file.name,
    );
  }
  const pages = new Map<number, Uint8Array>();
  const zeroRanges: [number, number][] = [];
  let lastFileOffset = 0;
  for (const entry of sequence) {
    const { view } = entry;
    const count = view.u32(ENTRY_DESCRIPTOR_COUNT);
    const descriptorSectors = Math.ceil((ENTRY_HEADER_SIZE + count * DESCRIPTOR_SIZE) / LOG_SECTOR);
    let dataSector = descriptorSectors;
    lastFileOffset = Math.max(lastFileOffset, view.u64n(ENTRY_LAST_FILE_OFFSET));
    for (let index = 0; index < count; index += 1) {
      const at = ENTRY_HEADER_SIZE + index * DESCRIPTOR_SIZE;
      const fileOffset = view.u64n(at + DESC_FILE_OFFSET);
      if (view.u64(at + DESC_SEQUENCE) !== entry.sequence) {
        throw view.error(at, `descriptor ${index} has another sequence number than its entry`);
      }
      if (view.matches(at, ZERO_SIGNATURE)) {
        const length = view.u64n(at + ZERO_LENGTH);
        if (fileOffset % LOG_SECTOR !== 0 || length % LOG_SECTOR !== 0)
          throw view.error(at, 'unaligned zero descriptor');
        for (const page of [...pages.keys()])
          if (page >= fileOffset && page < fileOffset + length) pages.delete(page);
        zeroRanges.push([fileOffset, fileOffset + length]);
      } else if (view.matches(at, DESC_SIGNATURE)) {
        if (fileOffset % LOG_SECTOR !== 0) throw view.error(at, 'unaligned data descriptor');
        const sectorAt = dataSector * LOG_SECTOR;
        dataSector += 1;
        const sector = view.view(sectorAt, LOG_SECTOR, 'log data sector');
        if (!sector.matches(0, DATA_SIGNATURE)) throw sector.error(0, 'no "data" signature');
        const sequenceOf =
          (BigInt(sector.u32(DATA_SEQUENCE_HIGH)) << 32n) | BigInt(sector.u32(DATA_SEQUENCE_LOW));
        if (sequenceOf !== entry.sequence) throw sector.error(0, 'data sector of another sequence');
        const page = new Uint8Array(LOG_SECTOR);
        page.set(view.subarray(at + DESC_LEADING, 8), 0);
        page.set(sector.subarray(DATA_BYTES, DATA_BYTES_SIZE), 8);
        page.set(view.subarray(at + DESC_TRAILING, 4), 8 + DATA_BYTES_SIZE);
        pages.set(fileOffset, page);
      } else {
        throw view.error(at, 'unknown log descriptor');
      }
    }
  }
  const head = sequence[sequence.length - 1]!;
  return {
    pages,
    zeroRanges,
    lastFileOffset,
    entries: sequence.length,
    headSequence: head.sequence.toString(),
  };
}

/** The file as it would be after log replay: zero ranges then replayed pages over the bytes. */
export class LogOverlayReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly inner: RandomAccessReader;
  private readonly replay: LogReplay;

  constructor(inner: RandomAccessReader, replay: LogReplay) {
    this.inner = inner;
    this.name = inner.name;
    this.replay = replay;
    this.size = Math.max(inner.size, replay.lastFileOffset);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const end = offset + length;
    const available = Math.max(0, Math.min(end, this.inner.size) - offset);
    const out = new Uint8Array(length);
    if (available > 0) out.set(await this.inner.read(offset, available), 0);
    for (const [start, stop] of this.replay.zeroRanges) {
      if (start < end && stop > offset)
        out.fill(0, Math.max(start, offset) - offset, Math.min(stop, end) - offset);
    }
    const firstPage = Math.floor(offset / LOG_SECTOR) * LOG_SECTOR;
    for (let page = firstPage; page < end; page += LOG_SECTOR) {
      const data = this.replay.pages.get(page);
      if (data === undefined) continue;
      const from = Math.max(page, offset);
      const to = Math.min(page + LOG_SECTOR, end);
      out.set(data.subarray(from - page, to - page), from - offset);
    }
    return out;
  }

  /** The overlay does not own the file. */
  async close(): Promise<void> {}
}
