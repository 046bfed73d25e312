/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as VHDX headers and region tables use. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? (value >>> 1) ^ 0x82f63b78 : value >>> 1;
    table[index] = value >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index += 1) {
    crc = TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32C of `bytes` with the 4-byte checksum field at `checksumOffset` taken as zero. */
export function crc32cWithZeroField(bytes: Uint8Array, checksumOffset: number): number {
  const copy = Uint8Array.from(bytes);
  copy.fill(0, checksumOffset, checksumOffset + 4);
  return crc32c(copy);
}
