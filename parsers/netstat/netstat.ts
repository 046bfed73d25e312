/**
 * Streaming reader of captured network-connection listings: Windows `netstat -an[o][b]`
 * text, or Velociraptor `Windows.Network.Netstat` results as JSON lines, a JSON array or
 * CSV. The format is chosen from the first non-blank line.
 */
import { clip, LineErrorLog, LineFormatError } from '../io/line-errors.js';
import { readLines } from '../io/text-lines.js';
import { NetstatTextReader } from './netstat-text.js';
import type { NetstatRecord } from './record.js';
import { JsonObjectSplitter, rowToRecord, splitCsvLine } from './velociraptor.js';

export const FORMAT = 'netstat';
const MAX_LINE_BYTES = 64 * 1024;

export type NetstatInputFormat = 'text' | 'json' | 'csv';

export interface NetstatOptions {
  /** Skip detection. */
  format?: NetstatInputFormat;
  maxErrors?: number;
}

export function parseNetstat(source: AsyncIterable<Uint8Array>, options: NetstatOptions = {}): NetstatParser {
  return new NetstatParser(source, options);
}

/** Picks the input format from the first non-blank line. */
export function detectFormat(firstLine: string): NetstatInputFormat {
  const trimmed = firstLine.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'json';
  if (/(^|,)"?(Laddr\.?IP|Pid|Type)"?(,|$)/.test(trimmed)) return 'csv';
  return 'text';
}

export class NetstatParser {
  readonly errors: LineErrorLog;
  format: NetstatInputFormat | undefined;
  lineCount = 0;
  recordCount = 0;
  readonly #source: AsyncIterable<Uint8Array>;
  readonly #options: NetstatOptions;
  #started = false;

  constructor(source: AsyncIterable<Uint8Array>, options: NetstatOptions) {
    this.#source = source;
    this.#options = options;
    this.errors = new LineErrorLog(options.maxErrors ?? 1000);
  }

  async *records(): AsyncGenerator<NetstatRecord> {
    if (this.#started) throw new Error('NetstatParser.records() can be iterated only once');
    this.#started = true;
    const text = new NetstatTextReader();
    const json = new JsonObjectSplitter();
    let csvHeader: string[] | undefined;
    // Text records are held back one line so that `-b` lines can complete them.
    let pending: NetstatRecord | undefined;

    for await (const line of readLines(this.#source, { maxLineBytes: MAX_LINE_BYTES })) {
      this.lineCount = line.number;
      if (this.format === undefined) {
        if (line.text.trim().length === 0) continue;
        this.format = this.#options.format ?? detectFormat(line.text);
      }
      if (line.truncated) {
        this.#error(line.offset, line.number, `line longer than ${MAX_LINE_BYTES} bytes`);
        continue;
      }
      if (this.format === 'text') {
        const result = text.read(line.text, line.number, line.offset);
        if (result.kind === 'record') {
          if (pending !== undefined) yield this.#count(pending);
          pending = result.record;
        } else if (result.kind === 'error') {
          this.#error(line.offset, line.number, result.reason);
        }
      } else if (this.format === 'json') {
        for (const item of json.push(line.text, line.number, line.offset)) {
          if (item.text === undefined) {
            this.#error(item.offset, item.line, item.error ?? 'bad JSON');
            continue;
          }
          let row: unknown;
          try {
            row = JSON.parse(item.text);
          } catch (error) {
            this.#error(item.offset, item.line, `bad JSON: ${(error as Error).message}`);
            continue;
          }
          const record = rowToRecord(
            row as Record<string, unknown>,
            'velociraptor-json',
            item.line,
            item.offset,
          );
          if (typeof record === 'string') this.#error(item.offset, item.line, record);
          else yield this.#count(record);
        }
      } else {
        if (line.text.trim().length === 0) continue;
        const fields = splitCsvLine(line.text);
        if (fields === undefined) {
          this.#error(line.offset, line.number, `bad CSV quoting '${clip(line.text)}'`);
          continue;
        }
        if (csvHeader === undefined) {
          csvHeader = fields;
          continue;
        }
        if (fields.length !== csvHeader.length) {
          this.#error(
            line.offset,
            line.number,
            `${fields.length} CSV fields, the header has ${csvHeader.length}`,
          );
          continue;
        }
        const row: Record<string, string> = {};
        for (let i = 0; i < fields.length; i++) row[csvHeader[i]!] = fields[i]!;
        const record = rowToRecord(row, 'velociraptor-csv', line.number, line.offset);
        if (typeof record === 'string') this.#error(line.offset, line.number, record);
        else yield this.#count(record);
      }
    }
    if (pending !== undefined) yield this.#count(pending);
    const open = json.finish();
    if (open !== undefined) this.#error(open.offset, open.line, open.error);
  }

  #count(record: NetstatRecord): NetstatRecord {
    this.recordCount += 1;
    return record;
  }

  #error(offset: number, lineNumber: number, reason: string): void {
    this.errors.add(new LineFormatError(FORMAT, 'line', offset, lineNumber, reason));
  }
}
