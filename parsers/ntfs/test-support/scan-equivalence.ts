/**
 * Record-by-record check that the listing's fast path (record-scan.ts) says what the object path
 * (parseMftRecord + assembleBase + bodyTemplate) says about the same bytes: the same lines, names,
 * flags and sequence when the fast path takes a record, and untouched bytes when it declines.
 */
import { ByteView, FormatError } from '../../io/index.js';
import { BodyRows } from '../body-rows.js';
import { bodyTemplate, listedByTsk, renderLines } from '../bodyfile.js';
import { assembleBase, hasAttributeList } from '../file-record.js';
import { isEmptyRecord, parseMftRecord } from '../mft-record.js';
import {
  FLAG_DIRECTORY,
  FLAG_EXTENSION,
  FLAG_HAS_ATTRIBUTES,
  FLAG_IN_USE,
  FLAG_PARSED,
  type NameTable,
} from '../name-table.js';
import { SCAN_EMPTY, SCAN_FALLBACK, SCAN_OK, scanRecord } from '../record-scan.js';

export interface Disagreement {
  record: number;
  what: string;
  fast: unknown;
  slow: unknown;
}

export interface ScanTally {
  fast: number;
  fallback: number;
  empty: number;
  disagreements: Disagreement[];
}

const decoder = new TextDecoder();

/** Lines of `rows` (all of one record), decoded. */
function renderedLines(rows: BodyRows, table: NameTable): string[] {
  const lines = decoder.decode(rows.render(table, 0, 1 << 16).bytes).split('\n');
  lines.pop();
  return lines;
}

/**
 * Compares both paths on record `recordNumber` (`size` bytes at `offset` of `mft`), using and
 * filling `table` (shared, so that paths resolve through earlier records).
 */
export function compareRecord(
  mft: Uint8Array,
  offset: number,
  size: number,
  recordNumber: number,
  table: NameTable,
  tally: ScanTally,
): void {
  const original = mft.slice(offset, offset + size);
  const fastBytes = original.slice();
  const rows = new BodyRows();
  const status = scanRecord(
    new ByteView(fastBytes, offset, 'ntfs', 'mft-record'),
    0,
    size,
    recordNumber,
    table,
    rows,
  );
  const disagree = (what: string, fast: unknown, slow: unknown) =>
    tally.disagreements.push({ record: recordNumber, what, fast, slow });
  if (status === SCAN_EMPTY) {
    tally.empty += 1;
    if (!isEmptyRecord(new ByteView(original))) disagree('empty', true, false);
    return;
  }
  if (status === SCAN_FALLBACK) {
    tally.fallback += 1;
    if (!fastBytes.every((byte, index) => byte === original[index]))
      disagree('bytes left untouched', false, true);
    return;
  }
  if (status !== SCAN_OK) disagree('status', status, SCAN_OK);
  tally.fast += 1;
  let record: ReturnType<typeof parseMftRecord>;
  try {
    record = parseMftRecord(new ByteView(original.slice(), offset, 'ntfs', 'mft-record'), recordNumber);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    disagree('parses', true, error.reason);
    return;
  }
  if (record.warnings.length > 0)
    disagree(
      'warnings',
      [],
      record.warnings.map((w) => w.reason),
    );
  // Extension records only count (their attributes are read through their base record).
  if (record.baseReference.record === 0 && hasAttributeList(record)) disagree('attribute list', false, true);
  let flags = FLAG_PARSED;
  if (record.inUse) flags |= FLAG_IN_USE;
  if (record.isDirectory) flags |= FLAG_DIRECTORY;
  if (record.attributes.length > 0) flags |= FLAG_HAS_ATTRIBUTES;
  if (record.baseReference.record !== 0) flags |= FLAG_EXTENSION;
  if (table.flags[recordNumber] !== flags) disagree('flags', table.flags[recordNumber], flags);
  if (table.sequence[recordNumber] !== record.sequence)
    disagree('sequence', table.sequence[recordNumber], record.sequence);
  if (record.baseReference.record !== 0 || record.attributes.length === 0) {
    if (rows.length !== 0) disagree('rows of a record not listed', rows.length, 0);
    return;
  }
  const file = assembleBase(record);
  if (file.errors.length > 0)
    disagree(
      'assembly errors',
      [],
      file.errors.map((e) => e.reason),
    );
  const names = table
    .links(recordNumber)
    .map((link) => [link.name, link.parent, link.parentSequence, link.namespace]);
  const slowNames = file.fileNames.map(({ value }) => [
    value.name,
    value.parent.record,
    value.parent.sequence,
    value.namespace,
  ]);
  if (JSON.stringify(names) !== JSON.stringify(slowNames)) disagree('names', names, slowNames);
  const fastLines = rows.length === 0 ? [] : renderedLines(rows, table);
  const slowLines: string[] = [];
  if (listedByTsk(file)) {
    const template = bodyTemplate(file);
    for (const path of table.pathsOf(recordNumber)) renderLines(template, path, slowLines);
  }
  // The object path keeps strings as decoded; bytes carry U+FFFD for an unpaired surrogate.
  const normalized = slowLines.map((line) => decoder.decode(new TextEncoder().encode(line)));
  if (JSON.stringify(fastLines) !== JSON.stringify(normalized)) disagree('lines', fastLines, normalized);
}

export function newTally(): ScanTally {
  return { fast: 0, fallback: 0, empty: 0, disagreements: [] };
}
