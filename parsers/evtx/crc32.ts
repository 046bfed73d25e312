/** CRC-32 (IEEE 802.3, as zlib), used by the file header, chunk header and record data checksums. */
import * as zlib from 'node:zlib';

const TABLE = new Uint32Array(256);
for (let index = 0; index < 256; index += 1) {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  TABLE[index] = value >>> 0;
}

function crc32Table(bytes: Uint8Array, previous: number): number {
  let crc = ~previous >>> 0;
  for (const byte of bytes) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

type NativeCrc = (data: Uint8Array, value?: number) => number;
// Node >= 20.15 has a native CRC-32; the table version serves older runtimes.
const native = (zlib as unknown as { crc32?: NativeCrc }).crc32;

export function crc32(bytes: Uint8Array, previous = 0): number {
  return native !== undefined ? native(bytes, previous) >>> 0 : crc32Table(bytes, previous);
}

export { crc32Table };
