import { ByteView, FormatError } from '../io/index.js';

/**
 * FAT boot sector and BIOS parameter block (Microsoft "FAT: General Overview of On-Disk
 * Format" v1.03 (fatgen103), section 3 "Boot Sector and BPB"; libyal/libfsfat documentation).
 */
export const BOOT_SECTOR_SIZE = 512;
const BS_JMP_BOOT = 0;
const BS_OEM_NAME = 3;
const BPB_BYTS_PER_SEC = 11;
const BPB_SEC_PER_CLUS = 13;
const BPB_RSVD_SEC_CNT = 14;
const BPB_NUM_FATS = 16;
const BPB_ROOT_ENT_CNT = 17;
const BPB_TOT_SEC16 = 19;
const BPB_MEDIA = 21;
const BPB_FAT_SZ16 = 22;
const BPB_HIDD_SEC = 28;
const BPB_TOT_SEC32 = 32;
// FAT12/16 extended BPB.
const BS_BOOT_SIG_16 = 38;
const BS_VOL_ID_16 = 39;
const BS_VOL_LAB_16 = 43;
const BS_FIL_SYS_TYPE_16 = 54;
// FAT32 extended BPB.
const BPB_FAT_SZ32 = 36;
const BPB_EXT_FLAGS = 40;
const BPB_ROOT_CLUS = 44;
const BPB_FS_INFO = 48;
const BPB_BK_BOOT_SEC = 50;
const BS_BOOT_SIG_32 = 66;
const BS_VOL_ID_32 = 67;
const BS_VOL_LAB_32 = 71;
const BS_FIL_SYS_TYPE_32 = 82;
const EXTENDED_BOOT_SIGNATURE = 0x29;
const DIRECTORY_ENTRY_SIZE = 32;

/** fatgen103 §3.5: the FAT type follows from the cluster count alone. */
export const FAT12_MAX_CLUSTERS = 4084;
export const FAT16_MAX_CLUSTERS = 65524;
/** The largest cluster number a FAT32 entry can address (28 bits, below the reserved values). */
export const FAT32_MAX_CLUSTERS = 0x0ffffff5;

export type FatType = 12 | 16 | 32;

export interface BootSector {
  oemName: string;
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  numberOfFats: number;
  rootEntryCount: number;
  totalSectors: number;
  media: number;
  fatSizeSectors: number;
  hiddenSectors: number;
  /** FAT32 only. */
  rootCluster?: number;
  fsInfoSector?: number;
  backupBootSector?: number;
  /** FAT32 BPB_ExtFlags: bit 7 set = only the FAT numbered in bits 0-3 is active. */
  extFlags?: number;
  volumeId?: number;
  volumeLabel?: string;
  fileSystemTypeLabel?: string;
  type: FatType;
  clusterCount: number;
  rootDirSectors: number;
  firstFatSector: number;
  /** First sector after the FATs: the FAT12/16 root directory, then cluster 2. */
  firstDataAreaSector: number;
  /** First sector of cluster 2. */
  firstClusterSector: number;
  clusterSize: number;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/** Parses and validates the BPB; throws FormatError (format 'fat') when it is not a FAT boot sector. */
export function parseBootSector(view: ByteView): BootSector {
  const fail = (at: number, reason: string) => new FormatError('fat', 'boot sector', view.base + at, reason);
  const jump = view.u8(BS_JMP_BOOT);
  if (jump !== 0xeb && jump !== 0xe9)
    throw fail(BS_JMP_BOOT, `jump instruction 0x${jump.toString(16)} is not 0xEB or 0xE9`);
  const bytesPerSector = view.u16(BPB_BYTS_PER_SEC);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector))
    throw fail(BPB_BYTS_PER_SEC, `bytes per sector ${bytesPerSector}`);
  const sectorsPerCluster = view.u8(BPB_SEC_PER_CLUS);
  if (!isPowerOfTwo(sectorsPerCluster))
    throw fail(BPB_SEC_PER_CLUS, `sectors per cluster ${sectorsPerCluster}`);
  const reservedSectors = view.u16(BPB_RSVD_SEC_CNT);
  if (reservedSectors === 0) throw fail(BPB_RSVD_SEC_CNT, 'no reserved sectors');
  const numberOfFats = view.u8(BPB_NUM_FATS);
  if (numberOfFats === 0 || numberOfFats > 4) throw fail(BPB_NUM_FATS, `number of FATs ${numberOfFats}`);
  const media = view.u8(BPB_MEDIA);
  if (media !== 0xf0 && media < 0xf8) throw fail(BPB_MEDIA, `media descriptor 0x${media.toString(16)}`);
  const rootEntryCount = view.u16(BPB_ROOT_ENT_CNT);
  const totalSectors = view.u16(BPB_TOT_SEC16) || view.u32(BPB_TOT_SEC32);
  if (totalSectors === 0) throw fail(BPB_TOT_SEC16, 'total sector count is 0');
  const fatSize16 = view.u16(BPB_FAT_SZ16);
  const fatSizeSectors = fatSize16 || view.u32(BPB_FAT_SZ32);
  if (fatSizeSectors === 0) throw fail(BPB_FAT_SZ16, 'FAT size is 0');

  const rootDirSectors = Math.ceil((rootEntryCount * DIRECTORY_ENTRY_SIZE) / bytesPerSector);
  const firstDataAreaSector = reservedSectors + numberOfFats * fatSizeSectors;
  const firstClusterSector = firstDataAreaSector + rootDirSectors;
  if (firstClusterSector >= totalSectors) {
    throw fail(
      BPB_TOT_SEC16,
      `metadata (${firstClusterSector} sectors) fills the volume (${totalSectors} sectors)`,
    );
  }
  const clusterCount = Math.floor((totalSectors - firstClusterSector) / sectorsPerCluster);
  const type: FatType =
    clusterCount <= FAT12_MAX_CLUSTERS ? 12 : clusterCount <= FAT16_MAX_CLUSTERS ? 16 : 32;
  const boot: BootSector = {
    oemName: view.latin1(BS_OEM_NAME, 8),
    bytesPerSector,
    sectorsPerCluster,
    reservedSectors,
    numberOfFats,
    rootEntryCount,
    totalSectors,
    media,
    fatSizeSectors,
    hiddenSectors: view.u32(BPB_HIDD_SEC),
    type,
    clusterCount,
    rootDirSectors,
    firstFatSector: reservedSectors,
    firstDataAreaSector,
    firstClusterSector,
    clusterSize: bytesPerSector * sectorsPerCluster,
  };
  if (type === 32) {
    if (fatSize16 !== 0 || rootEntryCount !== 0) {
      throw fail(BPB_FAT_SZ16, 'FAT32 cluster count with a FAT12/16 FAT size or root entry count');
    }
    boot.rootCluster = view.u32(BPB_ROOT_CLUS);
    boot.fsInfoSector = view.u16(BPB_FS_INFO);
    boot.backupBootSector = view.u16(BPB_BK_BOOT_SEC);
    boot.extFlags = view.u16(BPB_EXT_FLAGS);
    if (view.u8(BS_BOOT_SIG_32) === EXTENDED_BOOT_SIGNATURE) {
      boot.volumeId = view.u32(BS_VOL_ID_32);
      boot.volumeLabel = view.latin1(BS_VOL_LAB_32, 11);
      boot.fileSystemTypeLabel = view.latin1(BS_FIL_SYS_TYPE_32, 8);
    }
  } else {
    if (rootEntryCount === 0)
      throw fail(BPB_ROOT_ENT_CNT, `FAT${type} volume without root directory entries`);
    if (view.u8(BS_BOOT_SIG_16) === EXTENDED_BOOT_SIGNATURE) {
      boot.volumeId = view.u32(BS_VOL_ID_16);
      boot.volumeLabel = view.latin1(BS_VOL_LAB_16, 11);
      boot.fileSystemTypeLabel = view.latin1(BS_FIL_SYS_TYPE_16, 8);
    }
  }
  return boot;
}

/** The FAT type when `bytes` (at least the first 512 bytes of a volume) hold a sane FAT boot sector. */
export function detectFat(bytes: Uint8Array): FatType | undefined {
  if (bytes.length < BOOT_SECTOR_SIZE) return undefined;
  try {
    return parseBootSector(new ByteView(bytes.subarray(0, BOOT_SECTOR_SIZE), 0, 'fat', 'boot sector')).type;
  } catch (error) {
    if (error instanceof FormatError) return undefined;
    throw error;
  }
}
