export * from './records.js';
export type { TimelineRow } from './timeline.js';
