import { asciiBytes, type ByteView } from '../io/index.js';

/**
 * Recognises a volume boot record in sector 0 of media without a partition table (a volume
 * image such as a `dd` of one partition): NTFS by its OEM identifier, FAT by a sane BPB
 * (Microsoft FAT specification, "Boot Sector and BPB").
 */
const OEM_ID = 3;
const NTFS_OEM_ID = asciiBytes('NTFS    ');
const JUMP = 0;
const BYTES_PER_SECTOR = 11;
const SECTORS_PER_CLUSTER = 13;
const RESERVED_SECTORS = 14;
const NUMBER_OF_FATS = 16;
const TOTAL_SECTORS_16 = 19;
const MEDIA = 21;
const FAT_SIZE_16 = 22;
const TOTAL_SECTORS_32 = 32;
const FAT_SIZE_32 = 36;

export function detectBareFileSystem(sector: ByteView): 'ntfs' | 'fat' | undefined {
  if (sector.matches(OEM_ID, NTFS_OEM_ID)) return 'ntfs';
  if (sector.length < 512) return undefined;
  const jump = sector.u8(JUMP);
  if (jump !== 0xeb && jump !== 0xe9) return undefined;
  const bytesPerSector = sector.u16(BYTES_PER_SECTOR);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return undefined;
  const sectorsPerCluster = sector.u8(SECTORS_PER_CLUSTER);
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) return undefined;
  if (sector.u16(RESERVED_SECTORS) === 0) return undefined;
  const fats = sector.u8(NUMBER_OF_FATS);
  if (fats === 0 || fats > 4) return undefined;
  const media = sector.u8(MEDIA);
  if (media !== 0xf0 && media < 0xf8) return undefined;
  const totalSectors = sector.u16(TOTAL_SECTORS_16) || sector.u32(TOTAL_SECTORS_32);
  if (totalSectors === 0) return undefined;
  const fatSize = sector.u16(FAT_SIZE_16) || sector.u32(FAT_SIZE_32);
  if (fatSize === 0) return undefined;
  return 'fat';
}
