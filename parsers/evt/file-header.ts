/**
 * ELF_LOGFILE_HEADER: the 0x30-byte header at offset 0 of a legacy (NT 3.1 to 2003) event log.
 * libevt "Windows Event Log (EVT) format" section 2; Microsoft "ELF_LOGFILE_HEADER structure".
 */
import { asciiBytes, type ByteView, FormatError } from '../io/index.js';

export const EVT_FORMAT = 'evt';
export const ELF_LOGFILE_HEADER_SIZE = 0x30;
/** "LfLe", the signature shared by the header and every EVENTLOGRECORD. */
export const ELF_LOG_SIGNATURE = asciiBytes('LfLe');
export const ELF_LOG_SIGNATURE_U32 = 0x654c664c;

const HEADER_SIZE = 0x00;
const HEADER_SIGNATURE = 0x04;
const HEADER_MAJOR_VERSION = 0x08;
const HEADER_MINOR_VERSION = 0x0c;
const HEADER_START_OFFSET = 0x10;
const HEADER_END_OFFSET = 0x14;
const HEADER_CURRENT_RECORD_NUMBER = 0x18;
const HEADER_OLDEST_RECORD_NUMBER = 0x1c;
const HEADER_MAX_SIZE = 0x20;
const HEADER_FLAGS = 0x24;
const HEADER_RETENTION = 0x28;
const HEADER_END_HEADER_SIZE = 0x2c;

export const ELF_LOGFILE_HEADER_DIRTY = 0x0001;
export const ELF_LOGFILE_HEADER_WRAP = 0x0002;
export const ELF_LOGFILE_LOGFULL_WRITTEN = 0x0004;
export const ELF_LOGFILE_ARCHIVE_SET = 0x0008;

export interface EvtFileHeader {
  size: number;
  majorVersion: number;
  minorVersion: number;
  /** Offset of the oldest record (BeginRecord / StartOffset). */
  startOffset: number;
  /** Offset of the ELF_EOF_RECORD (EndRecord / EndOffset). */
  endOffset: number;
  /** Number the next record will get (CurrentRecordNumber). */
  currentRecordNumber: number;
  oldestRecordNumber: number;
  maxSize: number;
  flags: number;
  dirty: boolean;
  wrapped: boolean;
  logFull: boolean;
  archiveSet: boolean;
  retention: number;
  endHeaderSize: number;
}

/**
 * Parses the header. Only a missing signature or a header shorter than 0x30 bytes throws
 * (the file is not an EVT log); odd versions and sizes are returned as read, and reported
 * by `headerProblems`.
 */
export function parseFileHeader(view: ByteView): EvtFileHeader {
  if (view.length < ELF_LOGFILE_HEADER_SIZE) {
    throw new FormatError(
      EVT_FORMAT,
      'file header',
      view.base,
      `file is ${view.length} bytes, shorter than the 0x30-byte header`,
    );
  }
  if (!view.matches(HEADER_SIGNATURE, ELF_LOG_SIGNATURE)) {
    throw new FormatError(
      EVT_FORMAT,
      'file header',
      view.base + HEADER_SIGNATURE,
      'no "LfLe" signature: not an EVT event log',
    );
  }
  const flags = view.u32(HEADER_FLAGS);
  return {
    size: view.u32(HEADER_SIZE),
    majorVersion: view.u32(HEADER_MAJOR_VERSION),
    minorVersion: view.u32(HEADER_MINOR_VERSION),
    startOffset: view.u32(HEADER_START_OFFSET),
    endOffset: view.u32(HEADER_END_OFFSET),
    currentRecordNumber: view.u32(HEADER_CURRENT_RECORD_NUMBER),
    oldestRecordNumber: view.u32(HEADER_OLDEST_RECORD_NUMBER),
    maxSize: view.u32(HEADER_MAX_SIZE),
    flags,
    dirty: (flags & ELF_LOGFILE_HEADER_DIRTY) !== 0,
    wrapped: (flags & ELF_LOGFILE_HEADER_WRAP) !== 0,
    logFull: (flags & ELF_LOGFILE_LOGFULL_WRITTEN) !== 0,
    archiveSet: (flags & ELF_LOGFILE_ARCHIVE_SET) !== 0,
    retention: view.u32(HEADER_RETENTION),
    endHeaderSize: view.u32(HEADER_END_HEADER_SIZE),
  };
}

/** Non-fatal oddities of a parsed header, as FormatErrors naming the field's offset. */
export function headerProblems(header: EvtFileHeader, fileSize: number, base = 0): FormatError[] {
  const problems: FormatError[] = [];
  const add = (field: number, reason: string): void => {
    problems.push(new FormatError(EVT_FORMAT, 'file header', base + field, reason));
  };
  if (header.size !== ELF_LOGFILE_HEADER_SIZE) add(HEADER_SIZE, `header size ${header.size}, expected 0x30`);
  if (header.endHeaderSize !== ELF_LOGFILE_HEADER_SIZE)
    add(HEADER_END_HEADER_SIZE, `trailing header size ${header.endHeaderSize}, expected 0x30`);
  if (header.majorVersion !== 1 || header.minorVersion !== 1)
    add(HEADER_MAJOR_VERSION, `version ${header.majorVersion}.${header.minorVersion}, expected 1.1`);
  if (header.startOffset < ELF_LOGFILE_HEADER_SIZE || header.startOffset >= fileSize)
    add(HEADER_START_OFFSET, `start offset 0x${header.startOffset.toString(16)} outside the file`);
  if (header.endOffset < ELF_LOGFILE_HEADER_SIZE || header.endOffset >= fileSize)
    add(HEADER_END_OFFSET, `end offset 0x${header.endOffset.toString(16)} outside the file`);
  return problems;
}
