export { type ChunkHeader, commonStrings, parseChunkHeader, templateTable } from './chunk.js';
export { crc32 } from './crc32.js';
export {
  type EvtxErrors,
  type EvtxFile,
  type EvtxOptions,
  EvtxRecord,
  type EvtxStats,
  openEvtx,
} from './evtx-file.js';
export { type EvtxFileHeader, parseFileHeader } from './file-header.js';
export type { EvtxValue } from './nodes.js';
export { type EvtxJson, type EvtxJsonObject, renderJson } from './render-json.js';
export { renderXml } from './render-xml.js';
export {
  type EvtxSystemFields,
  eventData,
  eventElement,
  isoToMicros,
  systemFields,
} from './system-fields.js';
export { filetimeToIso } from './values.js';
