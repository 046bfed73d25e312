export { type Descriptor, type ExtentDescription, parseDescriptor } from './descriptor.js';
export { SparseExtent } from './sparse-extent.js';
export type { SparseExtentHeader } from './sparse-extent-header.js';
export { detectVmdk, openVmdk, VmdkImage, type VmdkInfo, type VmdkOptions } from './vmdk-image.js';
