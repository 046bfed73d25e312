export { asciiBytes, ByteView } from './byte-view.js';
export { FormatError, type FormatErrorRecord, isFormatError } from './format-error.js';
export { setOwn, setOwnIfAbsent } from './own-key.js';
export {
  BufferReader,
  CachedReader,
  checkRange,
  FileReader,
  fileExists,
  type RandomAccessReader,
  readAvailable,
  readBlocks,
  readPastEnd,
  readView,
  SliceReader,
} from './random-access-reader.js';
export { type LineOptions, readLines, type TextLine } from './text-lines.js';
export {
  civilToMicros,
  filetimeToMicros,
  microsNumberToIso,
  microsToIso,
  unixSecondsToMicros,
} from './time.js';
