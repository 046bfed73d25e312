export { type Endpoint, isWildcardAddress, parseEndpoint } from './endpoint.js';
export {
  detectFormat,
  FORMAT as NETSTAT_FORMAT,
  type NetstatInputFormat,
  type NetstatOptions,
  NetstatParser,
  parseNetstat,
} from './netstat.js';
export type { NetstatKind, NetstatRecord } from './record.js';
export { JsonObjectSplitter, rowToRecord, splitCsvLine } from './velociraptor.js';
