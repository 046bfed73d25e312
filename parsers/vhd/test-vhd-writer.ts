/**
 * Test fixture writer: a dynamic or differencing VHD built from sectors, following the
 * Microsoft VHD specification (footer, dynamic header, BAT, bitmaps). qemu-img cannot create
 * differencing VHDs, so the differencing tests need this.
 */
import { vhdChecksum } from './footer.js';

const SECTOR = 512;

export interface VhdWriterInput {
  size: number;
  blockSize: number;
  /** Sectors written into this file (sector number -> 512 bytes). */
  sectors: Map<number, Uint8Array>;
  uniqueId: Uint8Array;
  parent?: { uniqueId: Uint8Array; name: string };
}

export function writeVhd(input: VhdWriterInput): Uint8Array {
  const { size, blockSize } = input;
  const blocks = Math.ceil(size / blockSize);
  const bitmapSize = Math.ceil(Math.ceil(blockSize / SECTOR / 8) / SECTOR) * SECTOR;
  const batSize = Math.ceil((blocks * 4) / SECTOR) * SECTOR;
  const locatorOffset = 512 + 1024 + batSize;
  const locatorSize = 512;
  const used = new Set<number>();
  for (const sector of input.sectors.keys()) used.add(Math.floor((sector * SECTOR) / blockSize));
  const blockOrder = [...used].sort((a, b) => a - b);
  const firstBlock = locatorOffset + (input.parent ? locatorSize : 0);
  const total = firstBlock + blockOrder.length * (bitmapSize + blockSize) + 512;
  const out = Buffer.alloc(total);
  const footer = Buffer.alloc(512);
  footer.write('conectix', 0, 'latin1');
  footer.writeUInt32BE(2, 8);
  footer.writeUInt32BE(0x00010000, 12);
  footer.writeBigUInt64BE(512n, 16);
  footer.writeUInt32BE(1000, 24);
  // 'win ' (Hyper-V): qemu then trusts the current size instead of the CHS geometry.
  footer.write('win ', 28, 'latin1');
  footer.writeBigUInt64BE(BigInt(size), 40);
  footer.writeBigUInt64BE(BigInt(size), 48);
  footer.writeUInt32BE(input.parent ? 4 : 3, 60);
  footer.set(input.uniqueId, 68);
  footer.writeUInt32BE(vhdChecksum(footer, 64), 64);
  out.set(footer, 0);
  out.set(footer, total - 512);
  const header = Buffer.alloc(1024);
  header.write('cxsparse', 0, 'latin1');
  header.writeBigUInt64BE(0xffffffffffffffffn, 8);
  header.writeBigUInt64BE(1536n, 16);
  header.writeUInt32BE(0x00010000, 24);
  header.writeUInt32BE(blocks, 28);
  header.writeUInt32BE(blockSize, 32);
  if (input.parent) {
    header.set(input.parent.uniqueId, 40);
    const name = Buffer.from(input.parent.name, 'utf16le');
    name.swap16();
    name.copy(header, 64);
    const relative = Buffer.from(`.\\${input.parent.name}`, 'utf16le');
    header.write('W2ru', 576, 'latin1');
    header.writeUInt32BE(locatorSize, 580);
    header.writeUInt32BE(relative.length, 584);
    header.writeBigUInt64BE(BigInt(locatorOffset), 592);
    relative.copy(out, locatorOffset);
  }
  header.writeUInt32BE(vhdChecksum(header, 36), 36);
  out.set(header, 512);
  for (let block = 0; block < blocks; block += 1) out.writeUInt32BE(0xffffffff, 1536 + block * 4);
  blockOrder.forEach((block, index) => {
    const at = firstBlock + index * (bitmapSize + blockSize);
    out.writeUInt32BE(at / SECTOR, 1536 + block * 4);
    const sectorsPerBlock = blockSize / SECTOR;
    for (let s = 0; s < sectorsPerBlock; s += 1) {
      const data = input.sectors.get(block * sectorsPerBlock + s);
      if (data === undefined) continue;
      out[at + (s >>> 3)] = out[at + (s >>> 3)]! | (0x80 >>> (s & 7));
      out.set(data, at + bitmapSize + s * SECTOR);
    }
  });
  return out;
}
