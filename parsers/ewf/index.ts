export { adler32 } from './adler32.js';
export type { AcquisitionError } from './error2-section.js';
export {
  detectEwf,
  EwfImage,
  type EwfInfo,
  type EwfOptions,
  type EwfVerifyResult,
  openEwf,
} from './ewf-image.js';
export { MAX_SEGMENT_NUMBER, type SegmentNaming, segmentNaming, segmentPath } from './segment-names.js';
