export { type BootSector, detectFat, type FatType, parseBootSector } from './boot-sector.js';
export type { ClusterRun } from './fat-table.js';
export type { FatTime, TimeZoneOption } from './fat-time.js';
export { FatVolume, openFat } from './fat-volume.js';
export type { FsInfo } from './fs-info.js';
export type { FatEntry, OpenFatOptions } from './types.js';
