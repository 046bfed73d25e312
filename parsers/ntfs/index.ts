export { bodyfileLines, tskSeconds } from './bodyfile.js';
export { type BootSector, detectNtfs, parseBootSector } from './boot-sector.js';
export type { FileName, NameSpace } from './file-name.js';
export { decompressLznt1 } from './lznt1.js';
export { type FileReference, type MftRecord, parseMftRecord } from './mft-record.js';
export { type DataRun, decodeRunList } from './run-list.js';
export type { NtfsTimes, StandardInformation } from './standard-information.js';
export { NtfsStreamReader } from './stream-reader.js';
export {
  fileAttributeNames,
  type NtfsEntry,
  type NtfsInfo,
  type NtfsName,
  type NtfsOptions,
  type NtfsStream,
  NtfsVolume,
  openNtfs,
} from './volume.js';
