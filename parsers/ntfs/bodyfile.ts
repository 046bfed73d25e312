/**
 * Bodyfile lines exactly as The Sleuth Kit's `fls -r -m /` writes them for NTFS:
 * MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime, one line per $DATA / $INDEX_ROOT
 * attribute (`:stream` for named ones, $I30 unnamed) plus a `($FILE_NAME)` line carrying the times
 * of the file's lowest-id $FILE_NAME attribute, `(deleted)` for unallocated records, and a
 * /$OrphanFiles virtual directory for unallocated records not reachable from the root.
 * TSK quirks reproduced on purpose (so that lines compare equal), see README "bodyfile".
 */
import type { FileNameAttribute, FileRecord } from './file-record.js';
import {
  ATTRIBUTE_DATA,
  ATTRIBUTE_FILE_NAME,
  ATTRIBUTE_INDEX_ROOT,
  ORPHAN_DIRECTORY,
  ROOT_RECORD,
} from './mft-record.js';
import type { RawTimes } from './standard-information.js';

const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const U64 = (1n << 64n) - 1n;
const FILE_ATTRIBUTE_READONLY = 0x1;
const FILE_ATTRIBUTE_HIDDEN = 0x2;
const OWNER_ID_OFFSET = 48;

/**
 * TSK's nt2unixtime: unsigned 64-bit subtraction of the 1601->1970 offset, seconds, truncated to
 * 32 bits unsigned. A zero FILETIME therefore prints as 3373865674, not 0.
 */
export function tskSeconds(filetime: bigint): number {
  return Number((((filetime - FILETIME_UNIX_EPOCH) & U64) / 10_000_000n) & 0xffffffffn);
}

const TWO_32 = 0x1_0000_0000;
const EPOCH_LOW = 0xd53e8000; // FILETIME_UNIX_EPOCH = 0x019db1de_d53e8000
const EPOCH_HIGH = 0x019db1de;
const TICKS_PER_SECOND = 10_000_000;
/** Below 2^53 (high word < 2^21) a 64-bit value is an exact number. */
const EXACT_HIGH = 0x200000;

/** floor(value / 10^7) for an exact integer value below 2^53 (division rounding corrected). */
function divideTicks(value: number): number {
  let quotient = Math.floor(value / TICKS_PER_SECOND);
  const remainder = value - quotient * TICKS_PER_SECOND;
  if (remainder < 0) quotient -= 1;
  else if (remainder >= TICKS_PER_SECOND) quotient += 1;
  return quotient;
}

/**
 * `tskSeconds` of the FILETIME `high * 2^32 + low` with number arithmetic only (no bigint in the
 * listing's hot path), exact over the whole 64-bit range.
 */
export function tskSecondsOf(low: number, high: number): number {
  // 64-bit unsigned subtraction in two 32-bit halves.
  let differenceLow = low - EPOCH_LOW;
  let borrow = 0;
  if (differenceLow < 0) {
    differenceLow += TWO_32;
    borrow = 1;
  }
  const differenceHigh = (high - EPOCH_HIGH - borrow) >>> 0;
  if (differenceHigh < EXACT_HIGH) return divideTicks(differenceHigh * TWO_32 + differenceLow) % TWO_32;
  // Long division by 10^7 over 16-bit digits: every intermediate stays below 2^53.
  // First the high word (exact), then its remainder with the low word's two 16-bit halves.
  const quotientHigh = divideTicks(differenceHigh);
  let remainder = differenceHigh - quotientHigh * TICKS_PER_SECOND;
  let current = remainder * 0x10000 + (differenceLow >>> 16);
  const quotientMiddle = divideTicks(current);
  remainder = current - quotientMiddle * TICKS_PER_SECOND;
  current = remainder * 0x10000 + (differenceLow & 0xffff);
  const quotientLow = divideTicks(current);
  return (quotientHigh * TWO_32 + quotientMiddle * 0x10000 + quotientLow) % TWO_32;
}

function timeFields(raw: RawTimes | undefined): string {
  if (raw === undefined) return '0|0|0|0';
  return `${tskSeconds(raw.accessed)}|${tskSeconds(raw.modified)}|${tskSeconds(raw.mftModified)}|${tskSeconds(raw.created)}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\u0000-\u001f]/;

/** TSK prints control characters in names as '^'. */
export function printable(name: string): string {
  if (!CONTROL.test(name)) return name;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return name.replace(/[\u0000-\u001f]/g, '^');
}

/**
 * A file's lines without the path: pairs of (label after the path, fields after the name), so
 * that the listing can be rendered once every path is known without parsing the record again.
 */
export interface BodyTemplate {
  recordNumber: number;
  /** label0, rest0, label1, rest1, ... */
  parts: string[];
}

export function bodyTemplate(file: FileRecord, deleted = !file.base.inUse): BodyTemplate {
  const record = file.base;
  const inode = record.recordNumber;
  const si = file.standardInformation;
  const metaType = record.isDirectory ? 'd' : 'r';
  const nameType = deleted ? '-' : metaType;
  let perms = '---------';
  if (si !== undefined) {
    const r = (si.fileAttributes & FILE_ATTRIBUTE_READONLY) === 0 ? 'r' : '-';
    const w = (si.fileAttributes & FILE_ATTRIBUTE_HIDDEN) === 0 ? 'w' : '-';
    perms = `${r}${w}x`.repeat(3);
  }
  const mode = `${nameType}/${metaType}${perms}`;
  // TSK reads the owner id at offset 48 of $STANDARD_INFORMATION even when the attribute is the
  // 48-byte NTFS 1.2 form, so it prints whatever follows (often the next attribute type, 48).
  let uid = 0;
  const siOffset = file.standardInformationOffset;
  if (si !== undefined && siOffset !== undefined && record.view.has(siOffset + OWNER_ID_OFFSET, 4)) {
    uid = record.view.u32(siOffset + OWNER_ID_OFFSET);
  }
  const suffix = deleted ? ' (deleted)' : '';
  const parts: string[] = [];
  // TSK keeps the lowest-id $FILE_NAME, ignoring DOS (8.3-only) names.
  let fileName: FileNameAttribute | undefined;
  for (const candidate of file.fileNames) {
    if (candidate.value.namespace === 'DOS') continue;
    if (fileName === undefined || candidate.id < fileName.id) fileName = candidate;
  }
  fileName ??= file.fileNames[0];
  if (fileName !== undefined) {
    parts.push(
      ` ($FILE_NAME)${suffix}`,
      `${inode}-${ATTRIBUTE_FILE_NAME}-${fileName.id}|${mode}|${uid}|0|${fileName.contentSize}|${timeFields(fileName.value.raw)}`,
    );
  }
  const siTimes = timeFields(si?.raw);
  let printed = false;
  for (const attribute of file.attributes) {
    if (attribute.type !== ATTRIBUTE_DATA && attribute.type !== ATTRIBUTE_INDEX_ROOT) continue;
    printed = true;
    const showName =
      attribute.name !== '' && !(attribute.type === ATTRIBUTE_INDEX_ROOT && attribute.name === '$I30');
    parts.push(
      showName ? `:${printable(attribute.name)}${suffix}` : suffix,
      `${inode}-${attribute.type}-${attribute.id}|${mode}|${uid}|0|${attribute.dataSize}|${siTimes}`,
    );
  }
  if (!printed) {
    const data = file.attributes.find(
      (attribute) => attribute.type === ATTRIBUTE_DATA && attribute.name === '',
    );
    parts.push(suffix, `${inode}|${mode}|${uid}|0|${data?.dataSize ?? 0}|${siTimes}`);
  }
  return { recordNumber: inode, parts };
}

/** The lines of a template at one path. */
export function renderLines(template: BodyTemplate, path: string, into: string[] = []): string[] {
  const name = printable(path);
  const parts = template.parts;
  for (let index = 0; index + 1 < parts.length; index += 2)
    into.push(`0|${name}${parts[index]}|${parts[index + 1]}`);
  return into;
}

/** The bodyfile lines of one file at one path (`deleted` adds TSK's suffix and `-` name type). */
export function bodyfileLines(file: FileRecord, path: string, deleted: boolean): string[] {
  return renderLines(bodyTemplate(file, deleted), path);
}

/** The virtual orphan directory line TSK adds (its inode is one past the last MFT record). */
export function orphanDirectoryLine(recordCount: number): string {
  return `0|/${ORPHAN_DIRECTORY}|${recordCount}|V/V---------|0|0|0|0|0|0|0`;
}

/** Whether TSK would list a record at all (see README): not the root, not an extension record. */
export function listedByTsk(file: FileRecord): boolean {
  const record = file.base;
  if (record.recordNumber === ROOT_RECORD) return false;
  if (record.inUse) return file.fileNames.length > 0;
  return true;
}
