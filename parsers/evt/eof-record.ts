/**
 * ELF_EOF_RECORD (EVENTLOGEOF): the 0x28-byte record written after the newest event record.
 * It is rewritten with every event, so its copy of the offsets and record numbers is current
 * even when the header is dirty (libevt format section 4; Microsoft "ELF_EOF_RECORD structure").
 */
import type { ByteView } from '../io/index.js';

export const ELF_EOF_RECORD_SIZE = 0x28;
export const EOF_SIGNATURE_ONE = 0x11111111;
export const EOF_SIGNATURE_TWO = 0x22222222;
export const EOF_SIGNATURE_THREE = 0x33333333;
export const EOF_SIGNATURE_FOUR = 0x44444444;
/** The four signature dwords as they lie on disk, for signature scans. */
export const EOF_SIGNATURES = new Uint8Array([
  0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x33, 0x33, 0x33, 0x33, 0x44, 0x44, 0x44, 0x44,
]);

const EOF_RECORD_SIZE_BEGINNING = 0x00;
const EOF_ONE = 0x04;
const EOF_TWO = 0x08;
const EOF_THREE = 0x0c;
const EOF_FOUR = 0x10;
const EOF_BEGIN_RECORD = 0x14;
const EOF_END_RECORD = 0x18;
const EOF_CURRENT_RECORD_NUMBER = 0x1c;
const EOF_OLDEST_RECORD_NUMBER = 0x20;
const EOF_RECORD_SIZE_END = 0x24;

export interface EvtEofRecord {
  /** Absolute offset where the record was found. */
  offset: number;
  /** Offset of the oldest record (equals `endRecord` when the log is empty). */
  beginRecord: number;
  /** Offset of this record, as the log service wrote it. */
  endRecord: number;
  /** Number the next event will get. */
  currentRecordNumber: number;
  /** Number of the oldest record, 0 when the log is empty. */
  oldestRecordNumber: number;
  /** Size fields (both 0x28 in a sound record). */
  sizeBeginning: number;
  sizeEnd: number;
}

/** True when a whole EOF record (size 0x28 and the four signatures) sits at `at` (never throws). */
export function isEofRecord(view: ByteView, at: number): boolean {
  return (
    view.has(at, ELF_EOF_RECORD_SIZE) &&
    view.u32(at + EOF_RECORD_SIZE_BEGINNING) === ELF_EOF_RECORD_SIZE &&
    view.u32(at + EOF_ONE) === EOF_SIGNATURE_ONE &&
    view.u32(at + EOF_TWO) === EOF_SIGNATURE_TWO &&
    view.u32(at + EOF_THREE) === EOF_SIGNATURE_THREE &&
    view.u32(at + EOF_FOUR) === EOF_SIGNATURE_FOUR
  );
}

/** Parses an EOF record at `at` in `view` (which must hold 0x28 bytes there); `offset` is its file offset. */
export function parseEofRecord(view: ByteView, at: number, offset: number): EvtEofRecord {
  return {
    offset,
    beginRecord: view.u32(at + EOF_BEGIN_RECORD),
    endRecord: view.u32(at + EOF_END_RECORD),
    currentRecordNumber: view.u32(at + EOF_CURRENT_RECORD_NUMBER),
    oldestRecordNumber: view.u32(at + EOF_OLDEST_RECORD_NUMBER),
    sizeBeginning: view.u32(at + EOF_RECORD_SIZE_BEGINNING),
    sizeEnd: view.u32(at + EOF_RECORD_SIZE_END),
  };
}
