import { basename } from 'node:path';
import { type FatVolume, openFat } from '../../parsers/fat/index.js';
import { ByteView, type RandomAccessReader, SliceReader } from '../../parsers/io/index.js';
import { type NtfsVolume, openNtfs } from '../../parsers/ntfs/index.js';
import {
  detectBareFileSystem,
  type Partition,
  type PartitionScheme,
  readPartitions,
} from '../../parsers/partitions/index.js';
import {
  detectImageFormat,
  type ImageFormat,
  type OpenedContainer,
  openContainer,
  readEnds,
} from './image-container.js';
import { EvidenceError, type SourceWarning } from './vfs.js';

/**
 * One file system of a disk image. Named `vol<N>` with N = the partition's index + 1: MBR primary
 * slots give vol1-vol4 and logical partitions vol5, vol6, ... in chain order (as Linux numbers
 * sda1..sda4, sda5...), GPT entry i gives vol<i+1>, a bare volume (no partition table) is vol1.
 */
export interface ImageVolume {
  name: string;
  fileSystem: 'ntfs' | 'fat';
  /** Byte offset and size of the volume on the media. */
  start: number;
  size: number;
  partitionType: string;
  /** MBR: the disk signature; GPT: the partition's unique GUID (how MountedDevices names it). */
  diskSignature?: number;
  partitionGuid?: string;
  /** The volume's bytes (a window of the media). */
  reader: RandomAccessReader;
  ntfs?: NtfsVolume;
  fat?: FatVolume;
}

export interface OpenedImage {
  path: string;
  container: OpenedContainer;
  scheme: PartitionScheme;
  volumes: ImageVolume[];
  /** Damage met: container, partition table, volumes that could not be opened. */
  warnings: SourceWarning[];
  close(): Promise<void>;
}

/** Which file system a partition holds, from its first sector. */
async function fileSystemOf(
  media: RandomAccessReader,
  partition: Partition,
): Promise<'ntfs' | 'fat' | undefined> {
  if (partition.fileSystem !== undefined) return partition.fileSystem;
  if (partition.size < 512 || partition.start + 512 > media.size) return undefined;
  const sector = await media.read(partition.start, 512);
  return detectBareFileSystem(new ByteView(sector, partition.start, 'image', 'volume boot sector'));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens a disk image read-only: its container (segments resolved by the container parser), its
 * partition table (MBR, GPT or a bare volume), and every NTFS and FAT volume on it. A volume that
 * cannot be opened is a warning; an image without any readable volume is still returned (empty).
 */
export async function openImage(path: string, format?: ImageFormat): Promise<OpenedImage> {
  let detected = format;
  if (detected === undefined) {
    const { head, tail } = await readEnds(path);
    detected = detectImageFormat(head, tail, basename(path));
    if (detected === undefined) {
      throw new EvidenceError(path, '', 'not a disk image this tool reads (E01, VMDK, VHD, VHDX, raw)');
    }
  }
  let container: OpenedContainer;
  try {
    container = await openContainer(path, detected);
  } catch (error) {
    throw new EvidenceError(path, '', `cannot open the ${detected} image: ${errorText(error)}`);
  }
  const warnings: SourceWarning[] = container.warnings.map((warning) => ({
    path: '',
    reason: `${detected} image: ${warning.reason}`,
  }));
  const media = container.media;
  const volumes: ImageVolume[] = [];
  let scheme: PartitionScheme = 'none';
  try {
    const table = await readPartitions(media);
    scheme = table.scheme;
    for (const error of table.errors)
      warnings.push({ path: '', reason: `partition table: ${error.message}` });
    for (const partition of table.partitions) {
      if (partition.extended) continue;
      const name = `vol${partition.index + 1}`;
      let fileSystem: 'ntfs' | 'fat' | undefined;
      try {
        fileSystem = await fileSystemOf(media, partition);
      } catch (error) {
        warnings.push({ path: name, reason: `unreadable volume boot sector: ${errorText(error)}` });
        continue;
      }
      if (fileSystem === undefined) {
        warnings.push({
          path: name,
          reason: `partition ${partition.typeName} holds no NTFS or FAT file system: not read`,
        });
        continue;
      }
      const size = Math.min(partition.size, media.size - partition.start);
      try {
        const reader = new SliceReader(media, partition.start, size, `${basename(path)}:${name}`);
        const volume: ImageVolume = {
          name,
          fileSystem,
          start: partition.start,
          size,
          partitionType: partition.typeName,
          ...(table.diskSignature === undefined ? {} : { diskSignature: table.diskSignature }),
          ...(partition.guid === undefined ? {} : { partitionGuid: partition.guid }),
          reader,
        };
        if (fileSystem === 'ntfs') volume.ntfs = await openNtfs(reader);
        else volume.fat = await openFat(reader);
        volumes.push(volume);
      } catch (error) {
        warnings.push({ path: name, reason: `damaged ${fileSystem} volume, not read: ${errorText(error)}` });
      }
    }
  } catch (error) {
    await media.close();
    throw new EvidenceError(path, '', `cannot read the partition table: ${errorText(error)}`);
  }
  return {
    path,
    container,
    scheme,
    volumes,
    warnings,
    close: () => media.close(),
  };
}

/** Whether a volume holds a Windows system folder with its registry (`WINDOWS` or `WINNT`). */
export async function isWindowsVolume(volume: ImageVolume): Promise<boolean> {
  for (const folder of ['WINDOWS', 'WINNT']) {
    const path = `/${folder}/system32/config`;
    if (volume.ntfs !== undefined && (await volume.ntfs.lookup(path)) !== undefined) return true;
    if (volume.fat !== undefined) {
      const entry = await volume.fat.lookup(path).catch(() => undefined);
      if (entry?.isDirectory === true && !entry.deleted) return true;
    }
  }
  return false;
}

/** The Windows system volume, else the first volume. */
export async function windowsVolume(volumes: readonly ImageVolume[]): Promise<ImageVolume | undefined> {
  for (const volume of volumes) if (await isWindowsVolume(volume)) return volume;
  return volumes[0];
}
