export { detectBareFileSystem } from './bare-volume.js';
export { diskSignatureHex } from './boot-record.js';
export { crc32 } from './crc32.js';
export { readPartitions } from './read-partitions.js';
export { EXTENDED_TYPES, gptTypeName, mbrTypeName } from './type-names.js';
export type { Partition, PartitionScheme, PartitionTable, ReadPartitionsOptions } from './types.js';
