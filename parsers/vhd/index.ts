export { crc32c } from './crc32c.js';
export type { ParentLocator } from './dynamic-header.js';
export { detectVhd, openVhd, VhdImage, type VhdInfo, type VhdOptions } from './vhd-image.js';
export { detectVhdx, openVhdx, VhdxImage, type VhdxInfo } from './vhdx-image.js';
