/**
 * Bodyfile lines kept in columns until every path is known: one row per line (record, kind,
 * attribute type and id, mode bits, uid, size, the four TSK seconds), rendered in batches once
 * the MFT scan is complete. About 45 bytes a line instead of a string per line; records that
 * took the object path (attribute lists, damaged records) keep their `BodyTemplate`.
 */
import { type BodyTemplate, renderLines } from './bodyfile.js';
import type { NameTable } from './name-table.js';

/** ` ($FILE_NAME)` line. */
export const KIND_FILE_NAME = 0;
/** `$DATA` / `$INDEX_ROOT` line without a stream name. */
export const KIND_ATTRIBUTE = 1;
/** `:stream` line (name in the string table). */
export const KIND_NAMED = 2;
/** A record with neither: `inode` without type and id. */
export const KIND_BARE = 3;
/** A whole `BodyTemplate` (index in the template table). */
export const KIND_TEMPLATE = 4;

export const MODE_DELETED = 1;
export const MODE_DIRECTORY = 2;
export const MODE_READONLY = 4;
export const MODE_HIDDEN = 8;
export const MODE_HAS_SI = 16;

/** `r/rrwxrwxrwx` and friends for every combination of mode bits. */
const MODES: string[] = [];
for (let bits = 0; bits < 32; bits += 1) {
  const metaType = (bits & MODE_DIRECTORY) !== 0 ? 'd' : 'r';
  const nameType = (bits & MODE_DELETED) !== 0 ? '-' : metaType;
  let perms = '---------';
  if ((bits & MODE_HAS_SI) !== 0) {
    const r = (bits & MODE_READONLY) === 0 ? 'r' : '-';
    const w = (bits & MODE_HIDDEN) === 0 ? 'w' : '-';
    perms = `${r}${w}x`.repeat(3);
  }
  MODES.push(`${nameType}/${metaType}${perms}`);
}

const INITIAL_ROWS = 1024;

export class BodyRows {
  length = 0;
  private records = new Float64Array(INITIAL_ROWS);
  private kinds = new Uint8Array(INITIAL_ROWS);
  private types = new Uint16Array(INITIAL_ROWS);
  private ids = new Uint32Array(INITIAL_ROWS);
  private modes = new Uint8Array(INITIAL_ROWS);
  private uids = new Uint32Array(INITIAL_ROWS);
  private sizes = new Float64Array(INITIAL_ROWS);
  /** accessed, modified, mftModified, created per row. */
  private times = new Uint32Array(INITIAL_ROWS * 4);
  /** Index in `strings` (KIND_NAMED) or `templates` (KIND_TEMPLATE). */
  private extras = new Int32Array(INITIAL_ROWS);
  private readonly strings: string[] = [];
  private readonly templates: BodyTemplate[] = [];

  private grow(): void {
    const capacity = this.records.length * 2;
    const grown = <T extends Float64Array | Uint8Array | Uint16Array | Uint32Array | Int32Array>(
      old: T,
      make: (size: number) => T,
      size: number,
    ): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.records = grown(this.records, (size) => new Float64Array(size), capacity);
    this.kinds = grown(this.kinds, (size) => new Uint8Array(size), capacity);
    this.types = grown(this.types, (size) => new Uint16Array(size), capacity);
    this.ids = grown(this.ids, (size) => new Uint32Array(size), capacity);
    this.modes = grown(this.modes, (size) => new Uint8Array(size), capacity);
    this.uids = grown(this.uids, (size) => new Uint32Array(size), capacity);
    this.sizes = grown(this.sizes, (size) => new Float64Array(size), capacity);
    this.times = grown(this.times, (size) => new Uint32Array(size), capacity * 4);
    this.extras = grown(this.extras, (size) => new Int32Array(size), capacity);
  }

  /** Appends a row; times are TSK seconds (accessed, modified, mftModified, created). */
  add(
    record: number,
    kind: number,
    type: number,
    id: number,
    mode: number,
    uid: number,
    size: number,
    accessed: number,
    modified: number,
    mftModified: number,
    created: number,
  ): void {
    if (this.length === this.records.length) this.grow();
    const row = this.length;
    this.length += 1;
    this.records[row] = record;
    this.kinds[row] = kind;
    this.types[row] = type;
    this.ids[row] = id;
    this.modes[row] = mode;
    this.uids[row] = uid;
    this.sizes[row] = size;
    const at = row * 4;
    this.times[at] = accessed;
    this.times[at + 1] = modified;
    this.times[at + 2] = mftModified;
    this.times[at + 3] = created;
    this.extras[row] = -1;
  }

  /** Sets the stream name of the last row (made KIND_NAMED), already made printable. */
  nameLast(name: string): void {
    const row = this.length - 1;
    this.kinds[row] = KIND_NAMED;
    this.extras[row] = this.strings.length;
    this.strings.push(name);
  }

  addTemplate(template: BodyTemplate): void {
    this.add(template.recordNumber, KIND_TEMPLATE, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    this.extras[this.length - 1] = this.templates.length;
    this.templates.push(template);
  }

  /**
   * Renders, as UTF-8 bytes ending each line with '\n', the records from row `from` on until
   * about `chunkBytes` are written (a record's lines are never split). Returns the bytes and
   * the next row to render.
   */
  render(table: NameTable, from: number, chunkBytes: number): { bytes: Uint8Array; next: number } {
    let out = new Uint8Array(chunkBytes);
    let position = 0;
    let row = from;
    const end = this.length;
    while (row < end) {
      const record = this.records[row]!;
      let last = row + 1;
      while (last < end && this.records[last] === record) last += 1;
      const paths = table.pathsOf(record);
      const need = this.bound(row, last, paths);
      if (position + need > out.length) {
        if (position > 0) break;
        out = new Uint8Array(need);
      }
      for (const path of paths) position = this.writeRecord(row, last, path, out, position);
      row = last;
    }
    return { bytes: out.subarray(0, position), next: row };
  }

  /** At most how many bytes the lines of rows [from, to) take at `paths`. */
  private bound(from: number, to: number, paths: string[]): number {
    let fixed = 0;
    for (let row = from; row < to; row += 1) {
      if (this.kinds[row] === KIND_TEMPLATE) {
        const template = this.templates[this.extras[row]!]!;
        for (const part of template.parts) fixed += part.length * 3 + 4;
      } else {
        fixed += MAX_LINE_FIELDS;
        if (this.kinds[row] === KIND_NAMED) fixed += this.strings[this.extras[row]!]!.length * 3;
      }
    }
    let total = 0;
    for (const path of paths) total += fixed + (path.length * 3 + 4) * (to - from);
    return total;
  }

  private writeRecord(from: number, to: number, path: string, out: Uint8Array, start: number): number {
    let at = start;
    for (let row = from; row < to; row += 1) {
      const kind = this.kinds[row]!;
      if (kind === KIND_TEMPLATE) {
        for (const line of renderLines(this.templates[this.extras[row]!]!, path)) {
          at = writeText(out, at, line, false);
          out[at++] = NEWLINE;
        }
        continue;
      }
      const mode = this.modes[row]!;
      out[at++] = DIGIT_0;
      out[at++] = BAR;
      at = writeText(out, at, path, true);
      if (kind === KIND_FILE_NAME) at = writeBytes(out, at, FILE_NAME_LABEL);
      else if (kind === KIND_NAMED) {
        out[at++] = COLON;
        at = writeText(out, at, this.strings[this.extras[row]!]!, false);
      }
      if ((mode & MODE_DELETED) !== 0) at = writeBytes(out, at, DELETED_LABEL);
      out[at++] = BAR;
      at = writeNumber(out, at, this.records[row]!);
      if (kind !== KIND_BARE) {
        out[at++] = DASH;
        at = writeNumber(out, at, this.types[row]!);
        out[at++] = DASH;
        at = writeNumber(out, at, this.ids[row]!);
      }
      out[at++] = BAR;
      at = writeBytes(out, at, MODE_BYTES[mode]!);
      out[at++] = BAR;
      at = writeNumber(out, at, this.uids[row]!);
      out[at++] = BAR;
      out[at++] = DIGIT_0;
      out[at++] = BAR;
      at = writeNumber(out, at, this.sizes[row]!);
      const times = row * 4;
      for (let index = 0; index < 4; index += 1) {
        out[at++] = BAR;
        at = writeNumber(out, at, this.times[times + index]!);
      }
      out[at++] = NEWLINE;
    }
    return at;
  }
}

const NEWLINE = 0x0a;
const BAR = 0x7c;
const DASH = 0x2d;
const COLON = 0x3a;
const DIGIT_0 = 0x30;
const CARET = 0x5e;
/** Everything of a line but the path and stream name: labels, inode-type-id, mode, 7 numbers. */
const MAX_LINE_FIELDS = 256;
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));
const FILE_NAME_LABEL = ascii(' ($FILE_NAME)');
const DELETED_LABEL = ascii(' (deleted)');
const MODE_BYTES = MODES.map(ascii);

function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let index = 0; index < bytes.length; index += 1) out[at + index] = bytes[index]!;
  return at + bytes.length;
}

/** A non-negative integer (below 2^53) in decimal. */
function writeNumber(out: Uint8Array, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  let position = at + digits;
  let rest = value;
  while (rest >= 10) {
    const quotient = Math.floor(rest / 10);
    out[--position] = DIGIT_0 + rest - quotient * 10;
    rest = quotient;
  }
  out[--position] = DIGIT_0 + rest;
  return at + digits;
}

/**
 * UTF-8 of `text` (at most 3 bytes per UTF-16 unit; an unpaired surrogate becomes U+FFFD, as
 * TextEncoder does); with `printable`, control characters become '^' as TSK prints them.
 */
function writeText(out: Uint8Array, start: number, text: string, printable: boolean): number {
  let at = start;
  const length = text.length;
  for (let index = 0; index < length; index += 1) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      out[at++] = printable && code < 0x20 ? CARET : code;
    } else if (code < 0x800) {
      out[at++] = 0xc0 | (code >> 6);
      out[at++] = 0x80 | (code & 0x3f);
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = index + 1 < length ? text.charCodeAt(index + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        index += 1;
        out[at++] = 0xf0 | (code >> 18);
        out[at++] = 0x80 | ((code >> 12) & 0x3f);
        out[at++] = 0x80 | ((code >> 6) & 0x3f);
        out[at++] = 0x80 | (code & 0x3f);
      } else {
        out[at++] = 0xef;
        out[at++] = 0xbf;
        out[at++] = 0xbd;
      }
    } else {
      out[at++] = 0xe0 | (code >> 12);
      out[at++] = 0x80 | ((code >> 6) & 0x3f);
      out[at++] = 0x80 | (code & 0x3f);
    }
  }
  return at;
}
