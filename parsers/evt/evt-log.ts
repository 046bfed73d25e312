/**
 * openEvt: a legacy Windows event log (.evt) read as a stream of records.
 *
 * Order of work (libevt format sections 2-5; Microsoft "Event Log File Format"):
 * 1. the header, then the ELF_EOF_RECORD, looked for at the header's end offset and, when it is
 *    not there (a dirty header is out of date while the log is open), by scanning the ring;
 *    the EOF record's offsets and record numbers are authoritative;
 * 2. the live records, from the oldest (begin offset) to the EOF record, around the ring;
 * 3. whole records left in the slack (the rest of the ring), by signature scanning.
 */
import { findBytes } from '../io/find-bytes.js';
import { FormatError, type RandomAccessReader, readView } from '../io/index.js';
import {
  ELF_EOF_RECORD_SIZE,
  EOF_SIGNATURES,
  type EvtEofRecord,
  isEofRecord,
  parseEofRecord,
} from './eof-record.js';
import {
  checkRecordFrame,
  EVENTLOGRECORD_MAX_SIZE,
  EVENTLOGRECORD_MIN_SIZE,
  type EvtRecord,
  parseEventRecord,
  recordTimes,
} from './event-record.js';
import {
  ELF_LOG_SIGNATURE,
  ELF_LOG_SIGNATURE_U32,
  ELF_LOGFILE_HEADER_SIZE,
  EVT_FORMAT,
  type EvtFileHeader,
  headerProblems,
  parseFileHeader,
} from './file-header.js';
import { DATA_START, RingWindow, ringDistance } from './ring-window.js';

/** Filler the log service writes from a record's end to the end of the file when it wraps early. */
export const ELF_SKIP_DWORD = 0x00000027;
/** Recovered records must carry times in this range (1990-01-01 .. 2100-01-01, Unix seconds). */
const PLAUSIBLE_TIME_MIN = 631_152_000;
const PLAUSIBLE_TIME_MAX = 4_102_444_800;
/**
 * Records per batch. Small batches let the consumer drop records while they are still in the
 * young generation; a whole 4 MiB block's records (~15k) outlived it and made GC the main cost.
 */
const BATCH_RECORDS = 256;

export interface EvtOptions {
  /** Bytes read per block (default 1 MiB; raised to hold the largest record). */
  blockSize?: number;
  /** Largest record length accepted (default 0x40000). */
  maxRecordSize?: number;
  /** Errors kept in `errors` (default 1000); `errorCount` counts all. */
  maxErrors?: number;
}

export interface RecordsOptions {
  /** Emit the live records (default true). */
  live?: boolean;
  /** Emit records recovered from slack space (default true). */
  recovered?: boolean;
}

export interface EvtLayout {
  /** Offset of the oldest live record (the EOF record's copy when found). */
  startOffset: number;
  /** Offset of the EOF record; undefined when none was found. */
  endOffset: number | undefined;
  /** Where the layout came from. */
  source: 'header' | 'eof-scan' | 'no-eof';
  /** The header's offsets or record numbers disagree with the EOF record. */
  headerOutOfDate: boolean;
  /** The live records run past the end of the file and continue after the header. */
  wrapped: boolean;
  liveBytes: number;
  slackBytes: number;
  eof: EvtEofRecord | undefined;
}

export interface EvtStats {
  liveRecords: number;
  recoveredRecords: number;
  /** Slack records dropped because a live record has the same number. */
  duplicatesDropped: number;
}

export interface EvtLog {
  readonly header: EvtFileHeader;
  readonly layout: EvtLayout;
  /** FormatErrors met so far (capped at `maxErrors`); the walk goes on after each. */
  readonly errors: FormatError[];
  readonly errorCount: number;
  readonly stats: EvtStats;
  /** Live records oldest first, then recovered ones. Each call walks the file again. */
  records(options?: RecordsOptions): AsyncGenerator<EvtRecord>;
  /** The same records in blocks parsed synchronously (fewer awaits for fast consumers). */
  recordBatches(options?: RecordsOptions): AsyncGenerator<EvtRecord[]>;
}

/**
 * Opens an EVT log. Throws a FormatError only when the file is not an EVT log (too short or
 * no header signature); every other problem is reported in `errors`.
 */
export async function openEvt(reader: RandomAccessReader, options: EvtOptions = {}): Promise<EvtLog> {
  const headerView = await readView(
    reader,
    0,
    Math.min(reader.size, ELF_LOGFILE_HEADER_SIZE),
    EVT_FORMAT,
    'file header',
  );
  const header = parseFileHeader(headerView);
  const log = new EvtLogImpl(reader, header, options);
  for (const problem of headerProblems(header, reader.size)) log.addError(problem);
  await log.locate();
  log.opening = false;
  return log;
}

/** Record numbers seen, as runs [first, last] (live numbers are consecutive, so this stays small). */
class NumberRuns {
  private readonly runs: Array<[number, number]> = [];
  add(value: number): void {
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && value === last[1] + 1) last[1] = value;
    else this.runs.push([value, value]);
  }
  has(value: number): boolean {
    for (const [first, last] of this.runs) if (value >= first && value <= last) return true;
    return false;
  }
}

class EvtLogImpl implements EvtLog {
  readonly header: EvtFileHeader;
  layout: EvtLayout;
  readonly errors: FormatError[] = [];
  errorCount = 0;
  stats: EvtStats = { liveRecords: 0, recoveredRecords: 0, duplicatesDropped: 0 };
  private readonly reader: RandomAccessReader;
  private readonly maxRecordSize: number;
  private readonly blockSize: number;
  private readonly maxErrors: number;
  private readonly ringSize: number;
  /** Errors found while opening (header, EOF record): kept across walks. */
  private readonly fixedErrors: FormatError[] = [];
  opening = true;

  constructor(reader: RandomAccessReader, header: EvtFileHeader, options: EvtOptions) {
    this.reader = reader;
    this.header = header;
    this.maxRecordSize = Math.max(EVENTLOGRECORD_MIN_SIZE, options.maxRecordSize ?? EVENTLOGRECORD_MAX_SIZE);
    this.blockSize = Math.max(options.blockSize ?? 1024 * 1024, this.maxRecordSize + 16);
    this.maxErrors = options.maxErrors ?? 1000;
    this.ringSize = Math.max(0, reader.size - DATA_START);
    this.layout = {
      startOffset: DATA_START,
      endOffset: undefined,
      source: 'no-eof',
      headerOutOfDate: false,
      wrapped: false,
      liveBytes: 0,
      slackBytes: this.ringSize,
      eof: undefined,
    };
  }

  addError(error: FormatError): void {
    if (error.file === undefined) error.withFile(this.reader.name);
    if (this.opening) this.fixedErrors.push(error);
    this.errorCount += 1;
    if (this.errors.length < this.maxErrors) this.errors.push(error);
  }

  private inRing(offset: number): boolean {
    return offset >= DATA_START && offset < this.reader.size;
  }

  /** Reads an EOF record at a physical offset, following the ring; undefined when there is none. */
  private async eofAt(offset: number): Promise<EvtEofRecord | undefined> {
    if (!this.inRing(offset) || this.ringSize < ELF_EOF_RECORD_SIZE) return undefined;
    const ring = new RingWindow(this.reader, offset, ELF_EOF_RECORD_SIZE, ELF_EOF_RECORD_SIZE);
    await ring.load(0);
    return isEofRecord(ring.view, 0) ? parseEofRecord(ring.view, 0, offset) : undefined;
  }

  /** Scans the ring (once round, plus the seam) for the EOF record, from `from` onwards. */
  private async scanForEof(from: number): Promise<EvtEofRecord | undefined> {
    const origin = this.inRing(from) ? from : DATA_START;
    const ring = new RingWindow(this.reader, origin, this.ringSize + ELF_EOF_RECORD_SIZE - 4, this.blockSize);
    let position = 0;
    while (position < this.ringSize) {
      await ring.load(position);
      const view = ring.view;
      const stop = Math.min(ring.end - ELF_EOF_RECORD_SIZE, this.ringSize - 1) - ring.start;
      const first = position - ring.start;
      // Candidates are dword-aligned with the scan origin; the signature dwords follow the size.
      let hit = findBytes(view, EOF_SIGNATURES, first + 4, stop + 4 + EOF_SIGNATURES.length, 4, first + 4);
      while (hit >= 0) {
        const at = hit - 4;
        if (isEofRecord(view, at)) return parseEofRecord(view, at, ring.physical(ring.start + at));
        hit = findBytes(view, EOF_SIGNATURES, hit + 4, stop + 4 + EOF_SIGNATURES.length, 4, first + 4);
      }
      if (ring.end >= ring.limit) break;
      position = ring.start + first + Math.max(0, Math.ceil((stop + 1 - first) / 4) * 4);
    }
    return undefined;
  }

  /** Finds the EOF record and decides the live area. */
  async locate(): Promise<void> {
    if (this.ringSize < ELF_EOF_RECORD_SIZE) {
      this.addError(
        new FormatError(EVT_FORMAT, 'file', this.reader.size, 'file ends right after the header: no records'),
      );
      this.layout.slackBytes = 0;
      return;
    }
    const header = this.header;
    let source: EvtLayout['source'] = 'header';
    let eof = await this.eofAt(header.endOffset);
    if (eof === undefined) {
      eof = await this.scanForEof(header.endOffset);
      source = 'eof-scan';
      if (!header.dirty) {
        this.addError(
          new FormatError(
            EVT_FORMAT,
            'file header',
            0x14,
            `no EOF record at the end offset 0x${header.endOffset.toString(16)} of a clean header`,
          ),
        );
      }
    }
    if (eof === undefined) {
      this.addError(
        new FormatError(EVT_FORMAT, 'eof record', DATA_START, 'no EOF record anywhere in the file'),
      );
      const start = this.inRing(header.startOffset) ? header.startOffset : DATA_START;
      this.layout = {
        ...this.layout,
        startOffset: start,
        source: 'no-eof',
        liveBytes: this.ringSize,
        slackBytes: 0,
      };
      return;
    }
    if (eof.sizeBeginning !== ELF_EOF_RECORD_SIZE || eof.sizeEnd !== ELF_EOF_RECORD_SIZE) {
      this.addError(
        new FormatError(
          EVT_FORMAT,
          'eof record',
          eof.offset,
          `size fields ${eof.sizeBeginning}/${eof.sizeEnd}, expected 0x28`,
        ),
      );
    }
    if (eof.endRecord !== eof.offset) {
      this.addError(
        new FormatError(
          EVT_FORMAT,
          'eof record',
          eof.offset,
          `end offset field 0x${eof.endRecord.toString(16)} differs from its position`,
        ),
      );
    }
    let start = eof.beginRecord;
    if (!this.inRing(start)) {
      this.addError(
        new FormatError(
          EVT_FORMAT,
          'eof record',
          eof.offset + 0x14,
          `begin offset 0x${start.toString(16)} outside the file`,
        ),
      );
      start = this.inRing(header.startOffset) ? header.startOffset : eof.offset;
    }
    const liveBytes = ringDistance(start, eof.offset, this.reader.size);
    const headerOutOfDate =
      header.startOffset !== start ||
      header.endOffset !== eof.offset ||
      header.currentRecordNumber !== eof.currentRecordNumber ||
      header.oldestRecordNumber !== eof.oldestRecordNumber;
    this.layout = {
      startOffset: start,
      endOffset: eof.offset,
      source,
      headerOutOfDate,
      wrapped: start > eof.offset,
      liveBytes,
      slackBytes: Math.max(0, this.ringSize - liveBytes - ELF_EOF_RECORD_SIZE),
      eof,
    };
  }

  async *records(options: RecordsOptions = {}): AsyncGenerator<EvtRecord> {
    for await (const batch of this.recordBatches(options)) yield* batch;
  }

  async *recordBatches(options: RecordsOptions = {}): AsyncGenerator<EvtRecord[]> {
    this.stats = { liveRecords: 0, recoveredRecords: 0, duplicatesDropped: 0 };
    this.errors.length = 0;
    this.errorCount = 0;
    for (const error of this.fixedErrors) this.addError(error);
    const seen = new NumberRuns();
    if (options.live !== false || options.recovered !== false) {
      // The live walk also runs (silently) when only recovered records are asked for: it
      // supplies the numbers that mark slack copies of live records as duplicates.
      for await (const batch of this.liveBatches(seen, options.live === false)) {
        if (options.live !== false && batch.length > 0) yield batch;
      }
    }
    if (options.recovered !== false) {
      for await (const batch of this.recoveredBatches(seen)) if (batch.length > 0) yield batch;
    }
  }

  private async *liveBatches(seen: NumberRuns, quiet: boolean): AsyncGenerator<EvtRecord[]> {
    const layout = this.layout;
    if (layout.liveBytes === 0) return;
    const stopAtFirstBad = layout.source === 'no-eof';
    const ring = new RingWindow(this.reader, layout.startOffset, layout.liveBytes, this.blockSize);
    let position = 0;
    let resyncing = false;
    const fail = (reason: string, at: number): void => {
      if (!resyncing && !quiet)
        this.addError(new FormatError(EVT_FORMAT, 'record', ring.physical(at), reason));
      resyncing = true;
    };
    while (position < layout.liveBytes) {
      await ring.load(position);
      let batch: EvtRecord[] = [];
      const view = ring.view;
      let refill = false;
      while (position < layout.liveBytes) {
        const head = ring.need(position, 8);
        if (head === 'refill') {
          refill = true;
          break;
        }
        if (head === 'short') {
          fail(
            `${layout.liveBytes - position} bytes before the EOF record are too few for a record`,
            position,
          );
          position = layout.liveBytes;
          break;
        }
        const at = position - ring.start;
        const length = view.u32(at);
        if (view.u32(at + 4) !== ELF_LOG_SIGNATURE_U32) {
          if (length === ELF_SKIP_DWORD && this.skipFillerToSeam(ring, position)) {
            position += ring.toSeam(position);
            continue;
          }
          if (stopAtFirstBad) {
            position = layout.liveBytes;
            break;
          }
          fail('no "LfLe" record signature where a record should start', position);
          position += 4;
          continue;
        }
        const room = layout.liveBytes - position;
        if (
          length >= EVENTLOGRECORD_MIN_SIZE &&
          length <= Math.min(room, this.maxRecordSize) &&
          ring.need(position, length) === 'refill'
        ) {
          refill = true;
          break;
        }
        const reason = checkRecordFrame(view, at, Math.min(room, this.maxRecordSize));
        if (reason !== undefined) {
          if (stopAtFirstBad) {
            position = layout.liveBytes;
            break;
          }
          fail(reason, position);
          position += 4;
          continue;
        }
        const physical = ring.physical(position);
        try {
          const { record, problems } = parseEventRecord(view, at, physical, false);
          if (!quiet) for (const problem of problems) this.addError(problem);
          seen.add(record.recordNumber);
          batch.push(record);
          this.stats.liveRecords += quiet ? 0 : 1;
          if (batch.length >= BATCH_RECORDS) {
            yield batch;
            batch = [];
          }
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          fail(error.reason, position);
        }
        resyncing = false;
        position += length;
      }
      yield batch;
      if (!refill && position >= layout.liveBytes) break;
    }
  }

  /** True when every dword from `position` to the end of the file is the skip filler. */
  private skipFillerToSeam(ring: RingWindow, position: number): boolean {
    const toSeam = ring.toSeam(position);
    if (ring.need(position, toSeam) !== 'ok') return false;
    const at = position - ring.start;
    for (let offset = 0; offset + 4 <= toSeam; offset += 4)
      if (ring.view.u32(at + offset) !== ELF_SKIP_DWORD) return false;
    return true;
  }

  private async *recoveredBatches(seen: NumberRuns): AsyncGenerator<EvtRecord[]> {
    const layout = this.layout;
    if (layout.slackBytes < EVENTLOGRECORD_MIN_SIZE || layout.endOffset === undefined) return;
    const origin = DATA_START + ((layout.endOffset + ELF_EOF_RECORD_SIZE - DATA_START) % this.ringSize);
    const ring = new RingWindow(this.reader, origin, layout.slackBytes, this.blockSize);
    let position = 0;
    const limit = layout.slackBytes;
    while (position + EVENTLOGRECORD_MIN_SIZE <= limit) {
      await ring.load(position);
      const view = ring.view;
      let batch: EvtRecord[] = [];
      let refill = false;
      while (position + EVENTLOGRECORD_MIN_SIZE <= limit) {
        if (ring.need(position, 8) !== 'ok') {
          refill = true;
          break;
        }
        let at = position - ring.start;
        if (view.u32(at + 4) !== ELF_LOG_SIGNATURE_U32) {
          // Jump to the next dword-aligned "LfLe" (native search) instead of testing every dword.
          const stop = Math.min(ring.end, limit) - ring.start;
          const hit = findBytes(view, ELF_LOG_SIGNATURE, at + 4, stop, 4, at + 4);
          if (hit < 0 || hit - 4 + ring.start + EVENTLOGRECORD_MIN_SIZE > limit) {
            // None left in this window: resume at the last dword that could still start one.
            const next = position + Math.max(4, (Math.floor((stop - at - 8) / 4) + 1) * 4);
            if (ring.end >= limit || next + EVENTLOGRECORD_MIN_SIZE > limit) {
              position = limit;
              break;
            }
            position = next;
            continue;
          }
          at = hit - 4;
          position = ring.start + at;
        }
        const length = view.u32(at);
        const maxSize = Math.min(limit - position, this.maxRecordSize);
        if (
          length >= EVENTLOGRECORD_MIN_SIZE &&
          length <= maxSize &&
          ring.need(position, length) === 'refill'
        ) {
          refill = true;
          break;
        }
        const accepted = checkRecordFrame(view, at, maxSize) === undefined && this.plausible(view, at);
        if (!accepted) {
          position += 4;
          continue;
        }
        try {
          const { record, problems } = parseEventRecord(view, at, ring.physical(position), true);
          if (problems.length > 0) {
            position += 4;
            continue;
          }
          if (seen.has(record.recordNumber)) this.stats.duplicatesDropped += 1;
          else {
            batch.push(record);
            this.stats.recoveredRecords += 1;
            if (batch.length >= BATCH_RECORDS) {
              yield batch;
              batch = [];
            }
          }
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          position += 4;
          continue;
        }
        position += length;
      }
      yield batch;
      if (!refill) break;
    }
  }

  private plausible(view: RingWindow['view'], at: number): boolean {
    const { generated, written, number } = recordTimes(view, at);
    return (
      number !== 0 &&
      generated >= PLAUSIBLE_TIME_MIN &&
      generated <= PLAUSIBLE_TIME_MAX &&
      written >= PLAUSIBLE_TIME_MIN &&
      written <= PLAUSIBLE_TIME_MAX
    );
  }
}
