/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as used by GPT headers and entry arrays (UEFI 2.x §5.3.2). */
const POLYNOMIAL = 0xedb88320;

const table = (() => {
  const values = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? (value >>> 1) ^ POLYNOMIAL : value >>> 1;
    values[index] = value >>> 0;
  }
  return values;
})();

export function crc32(bytes: Uint8Array, initial = 0): number {
  let crc = ~initial >>> 0;
  for (const byte of bytes) crc = (crc >>> 8) ^ table[(crc ^ byte) & 0xff]!;
  return ~crc >>> 0;
}
