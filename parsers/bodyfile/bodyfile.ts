/**
 * Streaming parser of TSK bodyfiles (fls -m, ils -m, mac-robber, plaso/dfImageTools output).
 * Comment lines (`#`) and blank lines are skipped; an unusable line becomes a
 * `LineFormatError` in `errors`, a usable line with an anomaly a note in `warnings`.
 */
import { clip, LineErrorLog, LineFormatError } from '../io/line-errors.js';
import { splitLineBatches } from '../io/line-splitter.js';
import { type BodyfileRecord, LineFields, parseBodyLine } from './body-line.js';
import { findControlCharacter } from './name.js';

export const FORMAT = 'bodyfile';
/** Paths are at most 32 K UTF-16 units on NTFS; a line past this is damaged. */
const MAX_LINE_BYTES = 256 * 1024;

export interface BodyfileOptions {
  /** How many errors/warnings to keep (all are counted). */
  maxErrors?: number;
}

export function parseBodyfile(
  source: AsyncIterable<Uint8Array>,
  options: BodyfileOptions = {},
): BodyfileParser {
  return new BodyfileParser(source, options);
}

export class BodyfileParser {
  readonly errors: LineErrorLog;
  readonly warnings: LineErrorLog;
  lineCount = 0;
  recordCount = 0;
  commentCount = 0;
  readonly #source: AsyncIterable<Uint8Array>;
  #started = false;

  constructor(source: AsyncIterable<Uint8Array>, options: BodyfileOptions) {
    this.#source = source;
    this.errors = new LineErrorLog(options.maxErrors ?? 1000);
    this.warnings = new LineErrorLog(options.maxErrors ?? 1000);
  }

  /** Records one by one. */
  async *records(): AsyncGenerator<BodyfileRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Records in arrays, one per block read (the fast path: one await per block, not per line). */
  async *batches(): AsyncGenerator<BodyfileRecord[]> {
    if (this.#started) throw new Error('BodyfileParser can be iterated only once');
    this.#started = true;
    const fields = new LineFields();
    yield* splitLineBatches<BodyfileRecord>(
      this.#source,
      { maxLineBytes: MAX_LINE_BYTES },
      (text, number, offset, truncated, out) => {
        this.lineCount = number;
        const record = this.#line(fields, text, number, offset, truncated);
        if (record !== undefined) {
          this.recordCount += 1;
          out.push(record);
        }
      },
    );
  }

  #line(
    fields: LineFields,
    text: string,
    number: number,
    offset: number,
    truncated: boolean,
  ): BodyfileRecord | undefined {
    const line = { number, offset };
    if (text.length === 0) return undefined;
    const first = text.charCodeAt(0);
    if (first === 35 /* # */) {
      this.commentCount += 1;
      return undefined;
    }
    if (truncated) {
      this.errors.add(this.#error(line, `line longer than ${MAX_LINE_BYTES} bytes`));
      return undefined;
    }
    if ((first === 32 || first === 9) && text.trim().length === 0) return undefined;
    fields.scan(text);
    const result = parseBodyLine(fields, number, offset);
    if (typeof result === 'string') {
      this.errors.add(this.#error(line, result));
      return undefined;
    }
    const control = findControlCharacter(result.rawName);
    if (control >= 0) {
      this.warnings.add(
        this.#error(
          line,
          `raw control character 0x${control.toString(16).padStart(2, '0')} in name '${clip(result.rawName)}' (fls writes ^, other writers \\xHH)`,
        ),
      );
    }
    if (text.indexOf('\ufffd') >= 0) {
      this.warnings.add(this.#error(line, 'bytes that are not UTF-8 (replaced with U+FFFD)'));
    }
    return result;
  }

  #error(line: { offset: number; number: number }, reason: string): LineFormatError {
    return new LineFormatError(FORMAT, 'line', line.offset, line.number, reason);
  }
}
