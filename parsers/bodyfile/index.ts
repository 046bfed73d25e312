export {
  type BodyfileLayout,
  type BodyfileRecord,
  detectLayout,
  LineFields,
  parseBodyLine,
  parseBodyTime,
  parseBodyTimeAt,
} from './body-line.js';
export {
  type BodyfileOptions,
  BodyfileParser,
  FORMAT as BODYFILE_FORMAT,
  parseBodyfile,
} from './bodyfile.js';
export { type NameParts, splitName, unescapeName } from './name.js';
