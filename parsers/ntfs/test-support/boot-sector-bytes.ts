/** A boot sector with the fields mkntfs writes (little-endian, offsets from the spec). */
export function makeBootSector(
  fields: { spc?: number; recordByte?: number; indexByte?: number; totalSectors?: number } = {},
): Uint8Array {
  const bytes = new Uint8Array(512);
  const view = new DataView(bytes.buffer);
  bytes.set([0xeb, 0x52, 0x90], 0);
  bytes.set(new TextEncoder().encode('NTFS    '), 3);
  view.setUint16(11, 512, true);
  bytes[13] = fields.spc ?? 8;
  view.setBigUint64(40, BigInt(fields.totalSectors ?? 98_303), true);
  view.setBigUint64(48, 4n, true);
  view.setBigUint64(56, 6143n, true);
  bytes[64] = fields.recordByte ?? 0xf6;
  bytes[68] = fields.indexByte ?? 1;
  view.setBigUint64(72, 0x1b8d7e6950d1d19bn, true);
  bytes[510] = 0x55;
  bytes[511] = 0xaa;
  return bytes;
}
