/**
 * One bodyfile line. TSK 3.x+ (https://wiki.sleuthkit.org/index.php?title=Body_file):
 *   MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime      (11 fields)
 * TSK 1.x/2.x:
 *   MD5|name|device|inode|mode_as_value|mode_as_string|num_of_links|UID|GID|rdev|size|
 *   atime|mtime|ctime|block_size|num_of_blocks                               (16 fields)
 * The name may itself contain `|`: it is everything between the first field and the fixed
 * fields at the end, so the fixed fields are counted from the right.
 */
import { clip } from '../io/line-errors.js';
import { splitName } from './name.js';

export type BodyfileLayout = 'tsk3' | 'tsk2';

export interface BodyfileRecord {
  lineNumber: number;
  offset: number;
  layout: BodyfileLayout;
  /** As written: `0` when fls did not hash, else 32 hex digits. */
  md5: string;
  /** The name column as written (pipes it contained re-joined). */
  rawName: string;
  /** Name with escapes decoded, suffixes kept. */
  name: string;
  /** Name without `:stream`, ` ($FILE_NAME)`, ` -> target`, ` (deleted)`. */
  path: string;
  deleted: boolean;
  reallocated: boolean;
  /** Times from an NTFS $FILE_NAME attribute (fls -m on NTFS). */
  isFileName: boolean;
  linkTarget: string | undefined;
  /** NTFS alternate data stream name (`file:stream`). */
  stream: string | undefined;
  /** Inode column as written (`16`, NTFS `38-128-3` = entry-type-id, dfImageTools `48-1`). */
  inode: string;
  /** Metadata address (MFT entry for NTFS); a 64-bit NTFS file reference is reduced to its entry. */
  inodeNumber: number | undefined;
  /** NTFS attribute type and id from `entry-type-id`. */
  attributeType: number | undefined;
  attributeId: number | undefined;
  /** NTFS sequence number, from a 64-bit file reference or `entry-sequence`. */
  sequence: number | undefined;
  /** Mode as written (`r/rrw-------`, `d/drwxr-xr-x`, `drwxrwxrwx`). */
  mode: string;
  /** File type letter: the directory-entry type before `/`, else the first letter. */
  fileType: string;
  uid: number | undefined;
  gid: number | undefined;
  size: number | undefined;
  atime: bigint | undefined;
  mtime: bigint | undefined;
  ctime: bigint | undefined;
  /** Creation time; always undefined in the TSK 2 layout. */
  crtime: bigint | undefined;
}

const TSK3_FIXED_AFTER_NAME = 9;
const TSK2_FIELDS = 16;
const TSK2_FIXED_AFTER_NAME = 14;
const MFT_ENTRY_BITS = 2 ** 48;
const MICROS_PER_SECOND = 1_000_000;

/** Result of parsing a time column: micros, `undefined` (unset) or `null` (invalid). */
type TimeValue = bigint | undefined | null;

/**
 * Seconds since 1970 in text[start, end) with an optional fraction (`1596091265.352146149`,
 * truncated to microseconds) or a sign. 0 and -1 are "no time" (fls writes 0; some writers
 * -1); empty too.
 */
export function parseBodyTimeAt(text: string, start: number, end: number): TimeValue {
  if (end <= start) return undefined;
  let i = start;
  let negative = false;
  if (text.charCodeAt(i) === 45) {
    negative = true;
    i += 1;
  }
  let seconds = 0;
  const digitsStart = i;
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seconds = seconds * 10 + c;
  }
  const digits = i - digitsStart;
  if (digits === 0 || digits > 12) return null;
  let micros = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46) return null;
    i += 1;
    let scale = 100_000;
    const fractionStart = i;
    for (; i < end; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      micros += c * scale;
      scale = Math.floor(scale / 10);
    }
    if (i === fractionStart) return null;
  }
  if (seconds === 0 && micros === 0) return undefined;
  if (negative && seconds === 1 && micros === 0) return undefined;
  const total = seconds * MICROS_PER_SECOND + micros;
  return BigInt(negative ? -total : total);
}

export function parseBodyTime(text: string): TimeValue {
  return parseBodyTimeAt(text, 0, text.length);
}

/** Unsigned decimal (< 2^53) in text[start, end), or -1; empty is -2. */
function countAt(text: string, start: number, end: number): number {
  if (end === start) return -2;
  if (end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

function isDigitsAt(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `rwx`-style mode string of ls (10 characters), as TSK 2 writes in mode_as_string. */
function looksLikeLsModeAt(text: string, start: number, end: number): boolean {
  if (end - start !== 10) return false;
  for (let i = start; i < end; i++) {
    if ('-rwxdlbcpshtTsSwvV'.indexOf(text[i]!) < 0) return false;
  }
  return true;
}

/** Pipes after the first one, counted from the end (enough for the TSK 2 layout). */
const PIPES_FROM_END = TSK2_FIXED_AFTER_NAME;

/**
 * Field positions of one line. `pipes[k]` is the (k+1)-th pipe from the end; fields are read
 * from the right because the name (second field) may contain pipes itself.
 */
export class LineFields {
  first = -1;
  readonly pipes: number[] = new Array<number>(PIPES_FROM_END).fill(0);
  pipeCount = 0;
  text = '';

  scan(text: string): void {
    this.text = text;
    this.first = text.indexOf('|');
    this.pipeCount = 0;
    if (this.first < 0) return;
    this.#scanTo(TSK3_FIXED_AFTER_NAME);
    // Only a line whose 8th field from the end is all digits can be TSK 2 (see detectLayout):
    // count further pipes just for those.
    if (
      this.pipeCount === TSK3_FIXED_AFTER_NAME &&
      isDigitsAt(text, this.startFromEnd(8), this.endFromEnd(8))
    ) {
      this.#scanTo(PIPES_FROM_END);
    }
  }

  #scanTo(limit: number): void {
    const text = this.text;
    let position = this.pipeCount === 0 ? text.length : this.pipes[this.pipeCount - 1]!;
    while (this.pipeCount < limit && position > this.first + 1) {
      const pipe = text.lastIndexOf('|', position - 1);
      if (pipe <= this.first) break;
      this.pipes[this.pipeCount++] = pipe;
      position = pipe;
    }
  }

  /** Number of fields, or at least that many when the line has more pipes than counted. */
  get fieldCount(): number {
    return this.first < 0 ? 1 : this.pipeCount + 2;
  }

  /** Start of the k-th field from the end (k = 1 is the last). */
  startFromEnd(k: number): number {
    return this.pipes[k - 1]! + 1;
  }

  endFromEnd(k: number): number {
    return k === 1 ? this.text.length : this.pipes[k - 2]!;
  }
}

/** Picks the layout from the field count and shape (documented in README). */
function detectLayoutAt(f: LineFields): BodyfileLayout | undefined {
  const n = f.fieldCount;
  if (n < 11) return undefined;
  // In TSK 3 the 8th field from the end is the mode string (never all digits); in TSK 2 the GID.
  if (
    n >= TSK2_FIELDS &&
    isDigitsAt(f.text, f.startFromEnd(8), f.endFromEnd(8)) &&
    looksLikeLsModeAt(f.text, f.startFromEnd(11), f.endFromEnd(11)) &&
    isDigitsAt(f.text, f.startFromEnd(12), f.endFromEnd(12))
  ) {
    return 'tsk2';
  }
  return 'tsk3';
}

/** Layout of an already split line (for callers holding fields). */
export function detectLayout(fields: readonly string[]): BodyfileLayout | undefined {
  const f = new LineFields();
  f.scan(fields.join('|'));
  return detectLayoutAt(f);
}

/** Column positions counted from the end of the line (1 = last field); 0 = absent. */
const TSK3_COLUMNS = { inode: 9, mode: 8, uid: 7, gid: 6, size: 5, atime: 4, mtime: 3, ctime: 2, crtime: 1 };
const TSK2_COLUMNS = {
  inode: 13,
  mode: 11,
  uid: 9,
  gid: 8,
  size: 6,
  atime: 5,
  mtime: 4,
  ctime: 3,
  crtime: 0,
};

let lastMode = '';
let lastMd5 = '0';

/**
 * Parses one line whose pipes `fields` has scanned; returns the record or why the line is
 * unusable.
 */
export function parseBodyLine(f: LineFields, lineNumber: number, offset: number): BodyfileRecord | string {
  const text = f.text;
  const layout = detectLayoutAt(f);
  if (layout === undefined) return `${f.fieldCount} fields, a bodyfile line has 11 (TSK 3) or 16 (TSK 2)`;
  const fixed = layout === 'tsk3' ? TSK3_FIXED_AFTER_NAME : TSK2_FIXED_AFTER_NAME;
  const nameEnd = f.pipes[fixed - 1]!;
  const rawName = text.slice(f.first + 1, nameEnd);
  if (rawName.length === 0) return 'empty name';
  const k = layout === 'tsk3' ? TSK3_COLUMNS : TSK2_COLUMNS;
  const inodeStart = f.startFromEnd(k.inode);
  const inodeEnd = f.endFromEnd(k.inode);
  const inode = text.slice(inodeStart, inodeEnd);
  // Inode: digits, optionally `entry-type-id` or `entry-sequence`.
  let inodeNumber: number | undefined;
  let attributeType: number | undefined;
  let attributeId: number | undefined;
  let sequence: number | undefined;
  // Up to three dash-separated numbers, read in place.
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = inodeStart; i <= inodeEnd; i++) {
    const c = i === inodeEnd ? 45 : text.charCodeAt(i);
    if (c === 45) {
      if (digits === 0 || part === 3) return `bad inode '${clip(inode)}'`;
      if (part === 0) {
        if (digits <= 15) inodeNumber = value;
        else {
          const big = BigInt(inode.slice(0, digits));
          if (big < 1n << 64n) {
            // A 64-bit NTFS file reference: 48-bit MFT entry, 16-bit sequence.
            inodeNumber = Number(big & 0xffff_ffff_ffffn);
            sequence = Number(big >> 48n);
          }
        }
      } else if (part === 1) {
        attributeType = value;
      } else {
        attributeId = value;
      }
      part += 1;
      value = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return `bad inode '${clip(inode)}'`;
      value = value * 10 + d;
      digits += 1;
    }
  }
  if (part === 2) {
    // `entry-sequence` (dfImageTools), not an attribute.
    sequence = attributeType;
    attributeType = undefined;
  } else if (part > 1 && (attributeType === undefined || attributeId === undefined)) {
    return `bad inode '${clip(inode)}'`;
  }
  if (inodeNumber !== undefined && inodeNumber >= MFT_ENTRY_BITS) {
    sequence = Math.floor(inodeNumber / MFT_ENTRY_BITS);
    inodeNumber %= MFT_ENTRY_BITS;
  }

  const uidStart = f.startFromEnd(k.uid);
  const uidEnd = f.endFromEnd(k.uid);
  const uid = countAt(text, uidStart, uidEnd);
  if (uid === -1) return `bad UID '${clip(text.slice(uidStart, uidEnd))}'`;
  const gidStart = f.startFromEnd(k.gid);
  const gidEnd = f.endFromEnd(k.gid);
  const gid = countAt(text, gidStart, gidEnd);
  if (gid === -1) return `bad GID '${clip(text.slice(gidStart, gidEnd))}'`;
  const sizeStart = f.startFromEnd(k.size);
  const sizeEnd = f.endFromEnd(k.size);
  const size = countAt(text, sizeStart, sizeEnd);
  if (size === -1) return `bad size '${clip(text.slice(sizeStart, sizeEnd))}'`;
  const aStart = f.startFromEnd(k.atime);
  const aEnd = f.endFromEnd(k.atime);
  const atime = parseBodyTimeAt(text, aStart, aEnd);
  if (atime === null) return `bad atime '${clip(text.slice(aStart, aEnd))}'`;
  const mStart = f.startFromEnd(k.mtime);
  const mEnd = f.endFromEnd(k.mtime);
  const mtime = parseBodyTimeAt(text, mStart, mEnd);
  if (mtime === null) return `bad mtime '${clip(text.slice(mStart, mEnd))}'`;
  const cStart = f.startFromEnd(k.ctime);
  const cEnd = f.endFromEnd(k.ctime);
  const ctime = parseBodyTimeAt(text, cStart, cEnd);
  if (ctime === null) return `bad ctime '${clip(text.slice(cStart, cEnd))}'`;
  let crtime: bigint | undefined;
  if (k.crtime > 0) {
    const bStart = f.startFromEnd(k.crtime);
    const bEnd = f.endFromEnd(k.crtime);
    const value = parseBodyTimeAt(text, bStart, bEnd);
    if (value === null) return `bad crtime '${clip(text.slice(bStart, bEnd))}'`;
    crtime = value;
  }

  const modeStart = f.startFromEnd(k.mode);
  const modeEnd = f.endFromEnd(k.mode);
  let mode = lastMode;
  if (!(mode.length === modeEnd - modeStart && text.startsWith(mode, modeStart))) {
    mode = text.slice(modeStart, modeEnd);
    lastMode = mode;
  }
  let md5 = lastMd5;
  if (!(md5.length === f.first && text.startsWith(md5))) {
    md5 = text.slice(0, f.first);
    lastMd5 = md5;
  }
  const slash = mode.indexOf('/');
  const fileType = mode.length === 0 ? '' : mode[0]!;
  const isLink = fileType === 'l' || (slash >= 0 && mode[slash + 1] === 'l');
  const parts = splitName(rawName, isLink, attributeType !== undefined);
  return {
    lineNumber,
    offset,
    layout,
    md5,
    rawName,
    name: parts.name,
    path: parts.path,
    deleted: parts.deleted,
    reallocated: parts.reallocated,
    isFileName: parts.isFileName,
    linkTarget: parts.linkTarget,
    stream: parts.stream,
    inode,
    inodeNumber,
    attributeType,
    attributeId,
    sequence,
    mode,
    fileType,
    uid: uid < 0 ? undefined : uid,
    gid: gid < 0 ? undefined : gid,
    size: size < 0 ? undefined : size,
    atime,
    mtime,
    ctime,
    crtime,
  };
}
