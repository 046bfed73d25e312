/**
 * One bodyfile line. TSK 3.x+ (https://wiki.sleuthkit.org/index.php?title=Body_file):
 *   MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime      (11 fields)
 * TSK 1.x/2.x:
 *   MD5|name|device|inode|mode_as_value|mode_as_string|num_of_links|UID|GID|rdev|size|
 *   atime|mtime|ctime|block_size|num_of_blocks                               (16 fields)
 * The name may itself contain `|`: it is everything between the first field and the fixed
 * fields at the end, so the fixed fields are counted from the right.
 */
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
 * Seconds since 1970 with an optional fraction (`1596091265.352146149`, truncated to
 * microseconds) or a sign. 0 and -1 are "no time" (fls writes 0; some writers -1); empty too.
 */
export function parseBodyTime(text: string): TimeValue {
  const length = text.length;
  if (length === 0) return undefined;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
  }
  let seconds = 0;
  let digits = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seconds = seconds * 10 + c;
    digits += 1;
  }
  if (digits === 0 || digits > 12) return null;
  let micros = 0;
  if (i < length) {
    if (text.charCodeAt(i) !== 46) return null;
    i += 1;
    let scale = 100_000;
    const fractionStart = i;
    for (; i < length; i++) {
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

/** Unsigned decimal (< 2^53) or -1; empty is -2. */
function parseCount(text: string): number {
  const length = text.length;
  if (length === 0) return -2;
  if (length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `rwx`-style mode string of ls (10 characters), as TSK 2 writes in mode_as_string. */
function looksLikeLsMode(text: string): boolean {
  if (text.length !== 10) return false;
  for (let i = 0; i < 10; i++) {
    const c = text[i]!;
    if ('-rwxdlbcpshtTsSwvV'.indexOf(c) < 0) return false;
  }
  return true;
}

/** Picks the layout from the field count and shape (documented in README). */
export function detectLayout(fields: readonly string[]): BodyfileLayout | undefined {
  const n = fields.length;
  if (n < 11) return undefined;
  // In TSK 3, fields[n-8] is the mode string (never all digits); in TSK 2 it is the GID.
  if (
    n >= TSK2_FIELDS &&
    isDigits(fields[n - 8]!) &&
    looksLikeLsMode(fields[n - 11]!) &&
    isDigits(fields[n - 12]!)
  ) {
    return 'tsk2';
  }
  return 'tsk3';
}

/**
 * Parses the fields of one line (already split on `|`); returns the record or why the line
 * is unusable.
 */
export function parseBodyLine(fields: string[], lineNumber: number, offset: number): BodyfileRecord | string {
  const layout = detectLayout(fields);
  if (layout === undefined) return `${fields.length} fields, a bodyfile line has 11 (TSK 3) or 16 (TSK 2)`;
  const n = fields.length;
  const fixed = layout === 'tsk3' ? TSK3_FIXED_AFTER_NAME : TSK2_FIXED_AFTER_NAME;
  const nameEnd = n - fixed;
  const rawName = nameEnd === 2 ? fields[1]! : fields.slice(1, nameEnd).join('|');
  if (rawName.length === 0) return 'empty name';

  let inode: string;
  let mode: string;
  let uidText: string;
  let gidText: string;
  let sizeText: string;
  let atimeText: string;
  let mtimeText: string;
  let ctimeText: string;
  let crtimeText: string;
  if (layout === 'tsk3') {
    inode = fields[nameEnd]!;
    mode = fields[nameEnd + 1]!;
    uidText = fields[nameEnd + 2]!;
    gidText = fields[nameEnd + 3]!;
    sizeText = fields[nameEnd + 4]!;
    atimeText = fields[nameEnd + 5]!;
    mtimeText = fields[nameEnd + 6]!;
    ctimeText = fields[nameEnd + 7]!;
    crtimeText = fields[nameEnd + 8]!;
  } else {
    // device|inode|mode_as_value|mode_as_string|links|uid|gid|rdev|size|atime|mtime|ctime|bsize|blocks
    inode = fields[nameEnd + 1]!;
    mode = fields[nameEnd + 3]!;
    uidText = fields[nameEnd + 5]!;
    gidText = fields[nameEnd + 6]!;
    sizeText = fields[nameEnd + 8]!;
    atimeText = fields[nameEnd + 9]!;
    mtimeText = fields[nameEnd + 10]!;
    ctimeText = fields[nameEnd + 11]!;
    crtimeText = '';
  }

  // Inode: digits, optionally `entry-type-id` or `entry-sequence`.
  let inodeNumber: number | undefined;
  let attributeType: number | undefined;
  let attributeId: number | undefined;
  let sequence: number | undefined;
  const dash = inode.indexOf('-');
  const head = dash < 0 ? inode : inode.slice(0, dash);
  if (!isDigits(head)) return `bad inode '${clip(inode)}'`;
  if (dash >= 0) {
    const parts = inode.split('-');
    if (parts.length > 3 || !parts.every(isDigits)) return `bad inode '${clip(inode)}'`;
    inodeNumber = Number(parts[0]);
    if (parts.length === 3) {
      attributeType = Number(parts[1]);
      attributeId = Number(parts[2]);
    } else {
      sequence = Number(parts[1]);
    }
  } else if (head.length <= 15) {
    inodeNumber = Number(head);
  } else {
    const big = BigInt(head);
    if (big < 1n << 64n) {
      // A 64-bit NTFS file reference: 48-bit MFT entry, 16-bit sequence.
      inodeNumber = Number(big & 0xffff_ffff_ffffn);
      sequence = Number(big >> 48n);
    }
  }
  if (inodeNumber !== undefined && inodeNumber >= MFT_ENTRY_BITS) {
    sequence = Math.floor(inodeNumber / MFT_ENTRY_BITS);
    inodeNumber %= MFT_ENTRY_BITS;
  }

  const uid = parseCount(uidText);
  if (uid === -1) return `bad UID '${clip(uidText)}'`;
  const gid = parseCount(gidText);
  if (gid === -1) return `bad GID '${clip(gidText)}'`;
  const size = parseCount(sizeText);
  if (size === -1) return `bad size '${clip(sizeText)}'`;
  const atime = parseBodyTime(atimeText);
  if (atime === null) return `bad atime '${clip(atimeText)}'`;
  const mtime = parseBodyTime(mtimeText);
  if (mtime === null) return `bad mtime '${clip(mtimeText)}'`;
  const ctime = parseBodyTime(ctimeText);
  if (ctime === null) return `bad ctime '${clip(ctimeText)}'`;
  const crtime = parseBodyTime(crtimeText);
  if (crtime === null) return `bad crtime '${clip(crtimeText)}'`;

  const slash = mode.indexOf('/');
  const fileType = mode.length === 0 ? '' : mode[0]!;
  const isLink = fileType === 'l' || (slash >= 0 && mode[slash + 1] === 'l');
  const parts = splitName(rawName, isLink, attributeType !== undefined);
  return {
    lineNumber,
    offset,
    layout,
    md5: fields[0]!,
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

export function clip(value: string): string {
  const short = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  let printable = '';
  for (let i = 0; i < short.length; i++) {
    const c = short.charCodeAt(i);
    printable += c < 32 || c === 127 ? `\\x${c.toString(16).padStart(2, '0')}` : short[i];
  }
  return printable;
}
