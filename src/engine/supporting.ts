/** Supporting evidence kept with a finding: a bounded, order-independent "earliest N" list. */
import type { NormalizedRecord } from '../model/index.js';
import { recordTime, summarizeRecord } from './fields.js';
import type { SupportingRecord } from './types.js';

export function toSupporting(record: NormalizedRecord): SupportingRecord {
  const out: SupportingRecord = { sourceFile: record.sourceFile, summary: summarizeRecord(record), record };
  if (record.sourceLine !== undefined) out.sourceLine = record.sourceLine;
  if (record.sourceOffset !== undefined) out.sourceOffset = record.sourceOffset;
  const time = recordTime(record);
  if (time !== undefined) out.time = time;
  return out;
}

/** Total order: time (timeless last), then source file, line, offset, summary. */
export function compareSupporting(a: SupportingRecord, b: SupportingRecord): number {
  if (a.time !== b.time) {
    if (a.time === undefined) return 1;
    if (b.time === undefined) return -1;
    return a.time < b.time ? -1 : 1;
  }
  if (a.sourceFile !== b.sourceFile) return a.sourceFile < b.sourceFile ? -1 : 1;
  const la = a.sourceLine ?? -1;
  const lb = b.sourceLine ?? -1;
  if (la !== lb) return la - lb;
  const oa = a.sourceOffset ?? -1;
  const ob = b.sourceOffset ?? -1;
  if (oa !== ob) return oa - ob;
  return a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0;
}

/** Insert into a sorted list kept at most `cap` long; the same set of records gives the same list in any order. */
export function insertSupporting(list: SupportingRecord[], item: SupportingRecord, cap: number): void {
  if (cap <= 0) return;
  if (list.length >= cap && compareSupporting(item, list[list.length - 1]!) >= 0) return;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSupporting(list[mid]!, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
  if (list.length > cap) list.pop();
}
