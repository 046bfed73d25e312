/**
 * Line-oriented text parsers report a damaged line as data and keep going. These helpers
 * give every such report the line number beside the byte offset, and keep the list bounded
 * so a file of garbage cannot grow memory without bound (the count stays exact).
 */
import { FormatError, type FormatErrorRecord } from './format-error.js';

export interface LineFormatErrorRecord extends FormatErrorRecord {
  lineNumber: number;
}

/** A `FormatError` that also names the 1-based line number of the damaged line. */
export class LineFormatError extends FormatError {
  readonly lineNumber: number;

  constructor(format: string, structure: string, offset: number, lineNumber: number, reason: string) {
    super(format, structure, offset, reason);
    this.lineNumber = lineNumber;
    this.message = `${this.message} (line ${lineNumber})`;
  }

  override withFile(file: string): this {
    const had = this.file !== undefined;
    super.withFile(file);
    if (!had) this.message = `${this.message} (line ${this.lineNumber})`;
    return this;
  }

  override toJSON(): LineFormatErrorRecord {
    return { ...super.toJSON(), lineNumber: this.lineNumber };
  }
}

/** Keeps a quoted piece of a damaged line short and printable in an error message. */
export function clip(value: string): string {
  const short = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  let printable = '';
  for (let i = 0; i < short.length; i++) {
    const c = short.charCodeAt(i);
    printable += c < 32 || c === 127 ? `\\x${c.toString(16).padStart(2, '0')}` : short[i];
  }
  return printable;
}

/** A capped list of line errors plus the exact number seen. */
export class LineErrorLog {
  readonly items: LineFormatError[] = [];
  count = 0;
  readonly limit: number;

  constructor(limit = 1000) {
    this.limit = limit;
  }

  add(error: LineFormatError): void {
    this.count += 1;
    if (this.items.length < this.limit) this.items.push(error);
  }

  /** True when more errors were seen than kept. */
  get truncated(): boolean {
    return this.count > this.items.length;
  }
}
