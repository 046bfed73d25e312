export { detectRaw, openRaw, RawImage } from './raw-image.js';
export { findRawSegments, MAX_SEGMENTS, type SplitScheme, splitScheme } from './segment-names.js';
