/**
 * The one error type every parser throws for a damaged or unexpected structure.
 * It names the format, the structure, the absolute file offset and the file, so that
 * a report can say exactly where the evidence is broken.
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  readonly format: string;
  readonly structure: string;
  readonly offset: number;
  readonly reason: string;
  file: string | undefined;

  constructor(format: string, structure: string, offset: number, reason: string, file?: string) {
    super(describe(format, structure, offset, reason, file));
    this.format = format;
    this.structure = structure;
    this.offset = offset;
    this.reason = reason;
    this.file = file;
  }

  /** Attach the evidence file name once it is known higher up (readers may not know it). */
  withFile(file: string): this {
    if (this.file === undefined) {
      this.file = file;
      this.message = describe(this.format, this.structure, this.offset, this.reason, file);
    }
    return this;
  }

  /** Plain data, for error records in reports and a future job queue. */
  toJSON(): FormatErrorRecord {
    return {
      format: this.format,
      structure: this.structure,
      offset: this.offset,
      reason: this.reason,
      ...(this.file === undefined ? {} : { file: this.file }),
    };
  }
}

export interface FormatErrorRecord {
  format: string;
  structure: string;
  offset: number;
  reason: string;
  file?: string;
}

function describe(format: string, structure: string, offset: number, reason: string, file?: string): string {
  const where = file === undefined ? '' : `${file}: `;
  return `${where}${format} ${structure} at offset ${offset} (0x${offset.toString(16)}): ${reason}`;
}

export function isFormatError(error: unknown): error is FormatError {
  return error instanceof FormatError;
}
