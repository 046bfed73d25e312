/**
 * An EVTX file: header, then every 64 KiB block after it that carries a chunk signature, read
 * one chunk at a time (memory stays at one chunk plus its compiled templates). Dirty files
 * often hold more chunks than the header counts; all of them are read, up to the file's end.
 */
import {
  type ByteView,
  FormatError,
  type FormatErrorRecord,
  type RandomAccessReader,
  readView,
} from '../io/index.js';
import { ReadAhead } from '../io/read-ahead.js';
import { type BinXmlContext, parseBinXml } from './binxml.js';
import {
  type ChunkHeader,
  chunkRecordHeaders,
  hasChunkSignature,
  isZeroBlock,
  parseChunkHeader,
  recordsLimit,
} from './chunk.js';
import {
  CHUNK_HEADER_SIZE,
  CHUNK_SIZE,
  FILE_HEADER_BLOCK_SIZE,
  FILE_HEADER_SIZE,
  FORMAT,
  RECORD_SIGNATURE,
} from './constants.js';
import { type EvtxFileHeader, parseFileHeader } from './file-header.js';
import type { CompiledTemplate, ContentNode } from './nodes.js';
import { type EvtxJsonObject, renderJson } from './render-json.js';
import { renderXml } from './render-xml.js';
import { filetimePartsToMicros } from './values.js';

/**
 * Chunks per read. With the next read already under way (ReadAhead), larger reads gained no
 * time and cost peak RSS (4 chunks: +30 MiB when rendering XML), so one chunk it is.
 */
const CHUNKS_PER_READ = 1;

export interface EvtxOptions {
  /** Errors kept in `errors.list` (all are counted). Default 1000. */
  maxErrors?: number;
  /** Read only the chunks the file header counts (default false: every chunk up to the end). */
  headerChunksOnly?: boolean;
}

export interface EvtxErrors {
  list: FormatError[];
  count: number;
}

export interface EvtxStats {
  chunksRead: number;
  /** Chunks found after the ones the header counts (dirty files). */
  chunksBeyondHeader: number;
  chunksSkipped: number;
  records: number;
  recordsWithErrors: number;
}

/** One event record. Plain data (plus the xml() method); times are bigint microseconds UTC. */
export class EvtxRecord {
  /** Event record identifier: a number, or a bigint beyond 2^53. */
  readonly recordId: number | bigint;
  /** Written time (record header), microseconds since 1970 UTC; undefined when zero. */
  readonly written: bigint | undefined;
  readonly chunkIndex: number;
  /** Absolute file offset of the record. */
  readonly offset: number;
  /** The rendered event (see README: JSON shape); null when its binary XML is unreadable. */
  readonly event: EvtxJsonObject | null;
  readonly error?: FormatErrorRecord;
  readonly #nodes: ContentNode[];

  constructor(
    recordId: number | bigint,
    written: bigint | undefined,
    chunkIndex: number,
    offset: number,
    nodes: ContentNode[],
    event: EvtxJsonObject | null,
    error: FormatError | undefined,
  ) {
    this.recordId =
      typeof recordId === 'bigint' && recordId <= 9007199254740991n ? Number(recordId) : recordId;
    this.written = written;
    this.chunkIndex = chunkIndex;
    this.offset = offset;
    this.event = event;
    if (error !== undefined) this.error = error.toJSON();
    this.#nodes = nodes;
  }

  /** The event as XML text (rendered on demand from the parsed tree). */
  xml(): string {
    return renderXml(this.#nodes);
  }
}

export interface EvtxChunkInfo {
  index: number;
  offset: number;
  header: ChunkHeader;
  templates: Map<number, CompiledTemplate | FormatError>;
}

export interface EvtxFile {
  readonly name: string;
  readonly header: EvtxFileHeader;
  readonly errors: EvtxErrors;
  readonly stats: EvtxStats;
  records(): AsyncGenerator<EvtxRecord>;
}

/**
 * Opens an EVTX file. Throws FormatError only when the file header is unreadable or its
 * signature is wrong; all other damage is recorded in `errors` and parsing goes on.
 */
export async function openEvtx(reader: RandomAccessReader, options: EvtxOptions = {}): Promise<EvtxFile> {
  const maxErrors = options.maxErrors ?? 1000;
  const errors: EvtxErrors = { list: [], count: 0 };
  const report = (error: FormatError): void => {
    errors.count += 1;
    if (errors.list.length < maxErrors) errors.list.push(error.withFile(reader.name));
  };
  if (reader.size < FILE_HEADER_SIZE) {
    throw new FormatError(FORMAT, 'file header', 0, `file of ${reader.size} bytes is too small`, reader.name);
  }
  const headerView = await readView(reader, 0, FILE_HEADER_SIZE, FORMAT, 'file header');
  const problems: FormatError[] = [];
  const header = parseFileHeader(headerView, problems);
  for (const problem of problems) report(problem);
  const stats: EvtxStats = {
    chunksRead: 0,
    chunksBeyondHeader: 0,
    chunksSkipped: 0,
    records: 0,
    recordsWithErrors: 0,
  };

  async function* records(): AsyncGenerator<EvtxRecord> {
    const lastChunk = options.headerChunksOnly ? header.chunkCount : Number.POSITIVE_INFINITY;
    // Chunks are read CHUNKS_PER_READ at a time (fewer reads and awaits); each is parsed alone.
    let block: ByteView | undefined;
    const blocks = new ReadAhead(reader, FORMAT, 'chunk');
    const blockLength = (offset: number, index: number): number =>
      Math.min(Math.min(CHUNKS_PER_READ, lastChunk - index) * CHUNK_SIZE, reader.size - offset);
    for (let index = 0; index < lastChunk; index += 1) {
      const offset = FILE_HEADER_BLOCK_SIZE + index * CHUNK_SIZE;
      if (offset + CHUNK_HEADER_SIZE > reader.size) break;
      const length = Math.min(CHUNK_SIZE, reader.size - offset);
      if (block === undefined || offset + length > block.base + block.length) {
        block = await blocks.read(offset, blockLength(offset, index));
        // The next block is read while this one is parsed.
        const next = block.base + block.length;
        const nextIndex = index + Math.round(block.length / CHUNK_SIZE);
        if (next + CHUNK_HEADER_SIZE <= reader.size && nextIndex < lastChunk)
          blocks.prefetch(next, blockLength(next, nextIndex));
      }
      const chunk = block.view(offset - block.base, length, 'chunk');
      if (!hasChunkSignature(chunk)) {
        if (isZeroBlock(chunk)) {
          stats.chunksSkipped += 1;
          continue;
        }
        // A damaged signature over what still looks like records: parse it, reported.
        if (!chunk.matches(CHUNK_HEADER_SIZE, RECORD_SIGNATURE)) {
          report(chunk.error(0, 'block is neither a chunk nor empty'));
          stats.chunksSkipped += 1;
          continue;
        }
      }
      if (length < CHUNK_SIZE)
        report(chunk.error(0, `chunk truncated to ${length} bytes by the end of the file`));
      stats.chunksRead += 1;
      if (index >= header.chunkCount) stats.chunksBeyondHeader += 1;
      const chunkHeader = parseChunkHeader(chunk, report);
      const context: BinXmlContext = { chunk, names: new Map(), templates: new Map(), report };
      for (const record of chunkRecordHeaders(chunk, recordsLimit(chunk, chunkHeader), report)) {
        let nodes: ContentNode[] = [];
        let event: EvtxJsonObject | null = null;
        let failure: FormatError | undefined;
        try {
          nodes = parseBinXml(context, record.dataStart, record.dataEnd, 0).nodes;
          event = renderJson(nodes);
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          failure = new FormatError(
            FORMAT,
            'event record',
            error.offset,
            `record ${record.recordId}: ${error.reason}`,
            reader.name,
          );
          report(failure);
          stats.recordsWithErrors += 1;
        }
        stats.records += 1;
        yield new EvtxRecord(
          record.recordId,
          filetimePartsToMicros(record.writtenLow, record.writtenHigh),
          index,
          offset + record.offset,
          nodes,
          event,
          failure,
        );
      }
    }
  }

  return { name: reader.name, header, errors, stats, records };
}
