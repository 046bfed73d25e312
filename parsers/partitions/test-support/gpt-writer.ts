import { crc32 } from '../crc32.js';

/** Writes a minimal GPT disk image (protective MBR, primary and backup headers and arrays). */
export interface GptWriterPartition {
  typeGuid: string;
  uniqueGuid: string;
  firstLba: number;
  lastLba: number;
  name: string;
  attributes?: bigint;
}

function guidBytes(text: string): Uint8Array {
  const hex = text.replace(/[{}-]/g, '');
  const raw = Uint8Array.from(hex.match(/../g)!.map((pair) => Number.parseInt(pair, 16)));
  const out = new Uint8Array(16);
  // Mixed endian: the first three fields little-endian.
  out.set([raw[3]!, raw[2]!, raw[1]!, raw[0]!, raw[5]!, raw[4]!, raw[7]!, raw[6]!], 0);
  out.set(raw.subarray(8), 8);
  return out;
}

export function writeGptDisk(
  sectorSize: number,
  sectors: number,
  partitions: GptWriterPartition[],
): Uint8Array {
  const disk = new Uint8Array(sectorSize * sectors);
  const view = new DataView(disk.buffer);
  const entryCount = 128;
  const entrySize = 128;
  const arraySectors = Math.ceil((entryCount * entrySize) / sectorSize);
  // Protective MBR.
  disk[446 + 4] = 0xee;
  view.setUint32(446 + 8, 1, true);
  view.setUint32(446 + 12, Math.min(0xffffffff, sectors - 1), true);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  const array = new Uint8Array(entryCount * entrySize);
  const arrayView = new DataView(array.buffer);
  partitions.forEach((partition, index) => {
    const at = index * entrySize;
    array.set(guidBytes(partition.typeGuid), at);
    array.set(guidBytes(partition.uniqueGuid), at + 16);
    arrayView.setBigUint64(at + 32, BigInt(partition.firstLba), true);
    arrayView.setBigUint64(at + 40, BigInt(partition.lastLba), true);
    arrayView.setBigUint64(at + 48, partition.attributes ?? 0n, true);
    for (let char = 0; char < Math.min(36, partition.name.length); char += 1) {
      arrayView.setUint16(at + 56 + char * 2, partition.name.charCodeAt(char), true);
    }
  });
  const arrayCrc = crc32(array);
  const lastLba = sectors - 1;
  const writeHeader = (myLba: number, alternateLba: number, entriesLba: number) => {
    const header = new Uint8Array(92);
    const h = new DataView(header.buffer);
    header.set(new TextEncoder().encode('EFI PART'), 0);
    h.setUint32(8, 0x00010000, true);
    h.setUint32(12, 92, true);
    h.setBigUint64(24, BigInt(myLba), true);
    h.setBigUint64(32, BigInt(alternateLba), true);
    h.setBigUint64(40, BigInt(2 + arraySectors), true);
    h.setBigUint64(48, BigInt(lastLba - 1 - arraySectors), true);
    header.set(guidBytes('{11111111-2222-3333-4444-555555555555}'), 56);
    h.setBigUint64(72, BigInt(entriesLba), true);
    h.setUint32(80, entryCount, true);
    h.setUint32(84, entrySize, true);
    h.setUint32(88, arrayCrc, true);
    h.setUint32(16, crc32(header), true);
    disk.set(header, myLba * sectorSize);
    disk.set(array, entriesLba * sectorSize);
  };
  writeHeader(1, lastLba, 2);
  writeHeader(lastLba, 1, lastLba - arraySectors);
  return disk;
}
