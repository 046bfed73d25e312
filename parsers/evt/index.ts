export { ELF_EOF_RECORD_SIZE, type EvtEofRecord } from './eof-record.js';
export {
  EVENTLOGRECORD_MAX_SIZE,
  type EventTypeName,
  type EvtRecord,
  type Severity,
  splitEventId,
} from './event-record.js';
export {
  type EvtLayout,
  type EvtLog,
  type EvtOptions,
  type EvtStats,
  openEvt,
  type RecordsOptions,
} from './evt-log.js';
export { ELF_LOGFILE_HEADER_SIZE, type EvtFileHeader } from './file-header.js';
