/**
 * The NTFS boot sector (volume header), libfsntfs "Volume header" section.
 * https://github.com/libyal/libfsntfs/blob/main/documentation/New%20Technologies%20File%20System%20(NTFS).asciidoc
 */
import { ByteView, type FormatError } from '../io/index.js';

export const BOOT_SECTOR_SIZE = 512;
const OEM_ID_OFFSET = 3;
const BYTES_PER_SECTOR_OFFSET = 11;
const SECTORS_PER_CLUSTER_OFFSET = 13;
const TOTAL_SECTORS_OFFSET = 40;
const MFT_CLUSTER_OFFSET = 48;
const MFT_MIRROR_CLUSTER_OFFSET = 56;
const MFT_RECORD_SIZE_OFFSET = 64;
const INDEX_RECORD_SIZE_OFFSET = 68;
const SERIAL_NUMBER_OFFSET = 72;
const OEM_ID = 'NTFS    ';

export interface BootSector {
  bytesPerSector: number;
  sectorsPerCluster: number;
  clusterSize: number;
  totalSectors: number;
  /** Volume size in bytes as the boot sector states it. */
  volumeSize: number;
  clusterCount: number;
  mftCluster: number;
  mftMirrorCluster: number;
  mftRecordSize: number;
  indexRecordSize: number;
  /** 64-bit volume serial number as 16 hex digits (the `vol` serial shows its low 32 bits). */
  serialNumber: string;
}

/** True when the bytes start like an NTFS boot sector (OEM id `NTFS    `). */
export function detectNtfs(bytes: Uint8Array): boolean {
  const view = new ByteView(bytes, 0, 'ntfs', 'boot-sector');
  return view.has(OEM_ID_OFFSET, 8) && view.latin1(OEM_ID_OFFSET, 8) === OEM_ID;
}

/**
 * Record and index sizes are stored as a cluster count, or when negative as 2^-n bytes
 * (e.g. 0xF6 = -10 -> 1024 bytes), which is how a 1 KiB record fits in a 4 KiB cluster volume.
 */
function clustersOrPower(value: number, clusterSize: number): number {
  const signed = value >= 0x80 ? value - 0x100 : value;
  if (signed < 0) return 2 ** -signed;
  return signed * clusterSize;
}

export function parseBootSector(view: ByteView): BootSector {
  const fail = (offset: number, reason: string): FormatError => view.error(offset, reason);
  if (!view.has(0, BOOT_SECTOR_SIZE)) throw fail(0, 'boot sector is shorter than 512 bytes');
  if (view.latin1(OEM_ID_OFFSET, 8) !== OEM_ID) throw fail(OEM_ID_OFFSET, 'OEM id is not "NTFS    "');
  const bytesPerSector = view.u16(BYTES_PER_SECTOR_OFFSET);
  if (bytesPerSector < 256 || bytesPerSector > 4096 || (bytesPerSector & (bytesPerSector - 1)) !== 0) {
    throw fail(
      BYTES_PER_SECTOR_OFFSET,
      `bytes per sector ${bytesPerSector} is not a power of two in 256..4096`,
    );
  }
  // Above 128 the byte is a negative exponent: 0xF4 = -12 -> 2^12 sectors (big-cluster volumes).
  const rawSpc = view.u8(SECTORS_PER_CLUSTER_OFFSET);
  const sectorsPerCluster = rawSpc > 0x80 ? 2 ** (0x100 - rawSpc) : rawSpc;
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) {
    throw fail(SECTORS_PER_CLUSTER_OFFSET, `sectors per cluster ${rawSpc} is invalid`);
  }
  const clusterSize = bytesPerSector * sectorsPerCluster;
  if (clusterSize > 2 * 1024 * 1024)
    throw fail(SECTORS_PER_CLUSTER_OFFSET, `cluster size ${clusterSize} is too large`);
  const totalSectors = view.u64n(TOTAL_SECTORS_OFFSET);
  const volumeSize = totalSectors * bytesPerSector;
  const clusterCount = Math.floor(volumeSize / clusterSize);
  const mftCluster = view.u64n(MFT_CLUSTER_OFFSET);
  const mftMirrorCluster = view.u64n(MFT_MIRROR_CLUSTER_OFFSET);
  if (mftCluster === 0 || mftCluster >= clusterCount) {
    throw fail(
      MFT_CLUSTER_OFFSET,
      `MFT cluster ${mftCluster} lies outside the volume (${clusterCount} clusters)`,
    );
  }
  const mftRecordSize = clustersOrPower(view.u8(MFT_RECORD_SIZE_OFFSET), clusterSize);
  if (mftRecordSize < 256 || mftRecordSize > 65536 || (mftRecordSize & (mftRecordSize - 1)) !== 0) {
    throw fail(MFT_RECORD_SIZE_OFFSET, `MFT record size ${mftRecordSize} is invalid`);
  }
  const indexRecordSize = clustersOrPower(view.u8(INDEX_RECORD_SIZE_OFFSET), clusterSize);
  if (indexRecordSize < 256 || indexRecordSize > 65536 || (indexRecordSize & (indexRecordSize - 1)) !== 0) {
    throw fail(INDEX_RECORD_SIZE_OFFSET, `index record size ${indexRecordSize} is invalid`);
  }
  const serialNumber = view.u64(SERIAL_NUMBER_OFFSET).toString(16).padStart(16, '0');
  return {
    bytesPerSector,
    sectorsPerCluster,
    clusterSize,
    totalSectors,
    volumeSize,
    clusterCount,
    mftCluster,
    mftMirrorCluster,
    mftRecordSize,
    indexRecordSize,
    serialNumber,
  };
}
