export { type BaseBlock, baseBlockChecksum, parseBaseBlock } from './base-block.js';
export { HiveCells } from './cell.js';
export * from './constants.js';
export {
  Hive,
  type HiveInfo,
  type OpenHiveOptions,
  openHive,
  RegistryKey,
  RegistryValue,
} from './hive.js';
export { type HiveBin, scanHiveBins } from './hive-bin.js';
export type { KeyNode } from './key-node.js';
export type { KeySecurity } from './key-security.js';
export type { KeyValue } from './key-value.js';
export { marvin32 } from './marvin32.js';
export type { LogReplay } from './transaction-log.js';
export { decodeValueData, type ValueData, valueTypeName } from './value-data.js';
export {
  type ErrorRow,
  type ErrorSummaryRow,
  type HiveRow,
  type InfoRow,
  type KeyRow,
  keyRow,
  type OrphanValueRow,
  type ValueRow,
  valueRow,
  visitKeys,
  type WalkOptions,
  walkHive,
  walkKeys,
} from './walk.js';
