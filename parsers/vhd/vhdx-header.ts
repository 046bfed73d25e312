import { asciiBytes, type ByteView } from '../io/byte-view.js';
import { crc32cWithZeroField } from './crc32c.js';

/** MS-VHDX 2.2.2 headers at 64 KiB and 128 KiB, 4 KiB each, CRC-32C over the 4 KiB. */
export const HEADER_OFFSETS = [64 * 1024, 128 * 1024] as const;
export const HEADER_SIZE = 4096;
const HEADER_SIGNATURE = asciiBytes('head');
const HEADER_CHECKSUM = 4;
const SEQUENCE_NUMBER = 8;
const LOG_GUID = 48;
const LOG_VERSION = 64;
const VERSION = 66;
const LOG_LENGTH = 68;
const LOG_OFFSET = 72;

export interface VhdxHeader {
  offset: number;
  sequenceNumber: bigint;
  logGuid: string;
  logVersion: number;
  version: number;
  logLength: number;
  logOffset: number;
}

/** A header, or undefined when its signature or CRC-32C is wrong. */
export function parseHeader(view: ByteView): VhdxHeader | undefined {
  if (!view.matches(0, HEADER_SIGNATURE)) return undefined;
  if (crc32cWithZeroField(view.subarray(0, HEADER_SIZE), HEADER_CHECKSUM) !== view.u32(HEADER_CHECKSUM)) {
    return undefined;
  }
  return {
    offset: view.base,
    sequenceNumber: view.u64(SEQUENCE_NUMBER),
    logGuid: view.guid(LOG_GUID),
    logVersion: view.u16(LOG_VERSION),
    version: view.u16(VERSION),
    logLength: view.u32(LOG_LENGTH),
    logOffset: view.u64n(LOG_OFFSET),
  };
}
