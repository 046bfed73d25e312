/**
 * Test fixture writer: appends one MS-VHDX log entry (data and zero descriptors) to a VHDX and
 * sets the log GUID in both headers, as a host that crashed before applying its log leaves it.
 */
import { crc32c } from './crc32c.js';

const SECTOR = 4096;

export type LogOperation =
  | { kind: 'data'; fileOffset: number; page: Uint8Array }
  | { kind: 'zero'; fileOffset: number; length: number };

export interface LogEntryInput {
  logOffset: number;
  sequence: bigint;
  logGuid: Uint8Array;
  flushedFileOffset: number;
  lastFileOffset: number;
  operations: LogOperation[];
}

export function writeLogEntry(file: Buffer, input: LogEntryInput): Buffer {
  const out = Buffer.from(file);
  const data = input.operations.filter((op) => op.kind === 'data');
  const descriptorSectors = Math.ceil((64 + input.operations.length * 32) / SECTOR);
  const length = (descriptorSectors + data.length) * SECTOR;
  const entry = Buffer.alloc(length);
  entry.write('loge', 0, 'latin1');
  entry.writeUInt32LE(length, 8);
  entry.writeUInt32LE(0, 12); // tail: this entry is the whole sequence
  entry.writeBigUInt64LE(input.sequence, 16);
  entry.writeUInt32LE(input.operations.length, 24);
  Buffer.from(input.logGuid).copy(entry, 32);
  entry.writeBigUInt64LE(BigInt(input.flushedFileOffset), 48);
  entry.writeBigUInt64LE(BigInt(input.lastFileOffset), 56);
  let dataIndex = 0;
  input.operations.forEach((op, index) => {
    const at = 64 + index * 32;
    entry.writeBigUInt64LE(BigInt(op.fileOffset), at + 16);
    entry.writeBigUInt64LE(input.sequence, at + 24);
    if (op.kind === 'zero') {
      entry.write('zero', at, 'latin1');
      entry.writeBigUInt64LE(BigInt(op.length), at + 8);
      return;
    }
    entry.write('desc', at, 'latin1');
    Buffer.from(op.page.subarray(4092, 4096)).copy(entry, at + 4);
    Buffer.from(op.page.subarray(0, 8)).copy(entry, at + 8);
    const sector = (descriptorSectors + dataIndex) * SECTOR;
    dataIndex += 1;
    entry.write('data', sector, 'latin1');
    entry.writeUInt32LE(Number(input.sequence >> 32n), sector + 4);
    Buffer.from(op.page.subarray(8, 4092)).copy(entry, sector + 8);
    entry.writeUInt32LE(Number(input.sequence & 0xffffffffn), sector + 4092);
  });
  entry.writeUInt32LE(crc32c(entry), 4);
  entry.copy(out, input.logOffset);
  for (const header of [64 * 1024, 128 * 1024]) {
    Buffer.from(input.logGuid).copy(out, header + 48);
    out.writeUInt32LE(0, header + 4);
    out.writeUInt32LE(crc32c(out.subarray(header, header + 4096)), header + 4);
  }
  return out;
}
