import { type RandomAccessReader, readBlocks } from '../../parsers/io/index.js';
import { diskSignatureHex } from '../../parsers/partitions/index.js';
import type { ImageFormat } from './image-container.js';
import { type ImageVolume, type OpenedImage, openImage } from './image-volumes.js';
import {
  type EvidenceEntry,
  EvidenceError,
  type EvidenceSource,
  type FileSystemInfo,
  lookupKey,
  type SourceWarning,
} from './vfs.js';

/** An entry with where its bytes are: the volume (index) and, on NTFS, the MFT record. */
interface ImageEntry extends EvidenceEntry {
  volume: number;
  /** MFT record number on NTFS; -1 on FAT (opened by path). */
  record: number;
}

/** What `inventory.json` says about an image besides its hash. */
export interface ImageDescription {
  format: ImageFormat;
  mediaSize: number;
  partitionScheme: string;
  files: string[];
  volumes: Array<{
    name: string;
    fileSystem: string;
    start: number;
    size: number;
    partitionType: string;
    /** MBR disk signature (8 hex digits) or GPT partition GUID: how the host's registry names it. */
    diskSignature?: string;
    partitionGuid?: string;
    /** The drive letter the host's `SYSTEM\MountedDevices` gives the volume, when it names it. */
    driveLetter?: string;
  }>;
}

const STREAM_BLOCK = 1024 * 1024;

function compareEntries(a: ImageEntry, b: ImageEntry): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  // The live file before a deleted one of the same name.
  return Number(a.deleted === true) - Number(b.deleted === true);
}

/**
 * A disk image (E01, VMDK, VHD, VHDX, raw) as one read-only source: every NTFS and FAT volume's
 * tree under its volume name (`vol1/WINDOWS/system32/config/SYSTEM`, see image-volumes.ts for
 * the naming). Files are read straight from the file system through the container: nothing is
 * mounted, extracted or copied. Deleted entries are listed with `deleted: true`; a live entry
 * wins a lookup over a deleted one of the same path. Alternate data streams are not listed as
 * entries but open as `path:stream`.
 */
export class ImageSource implements EvidenceSource {
  readonly kind = 'image' as const;
  readonly name: string;
  readonly warnings: SourceWarning[];
  readonly image: OpenedImage;
  private readonly list: ImageEntry[];
  private readonly byKey = new Map<string, ImageEntry>();

  private constructor(name: string, image: OpenedImage, list: ImageEntry[]) {
    this.name = name;
    this.image = image;
    this.warnings = image.warnings;
    this.list = list;
    for (const entry of list) {
      const key = entry.path.toLowerCase();
      const known = this.byKey.get(key);
      if (known === undefined || (known.deleted === true && entry.deleted !== true))
        this.byKey.set(key, entry);
    }
  }

  static async open(path: string, format?: ImageFormat): Promise<ImageSource> {
    const image = await openImage(path, format);
    try {
      const list: ImageEntry[] = [];
      for (const [index, volume] of image.volumes.entries()) {
        try {
          await listVolume(volume, index, list);
        } catch (error) {
          image.warnings.push({
            path: volume.name,
            reason: `listing stopped by damage: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
      list.sort(compareEntries);
      return new ImageSource(path, image, list);
    } catch (error) {
      await image.close();
      throw error;
    }
  }

  /** The file systems found, in partition order. */
  get volumes(): readonly ImageVolume[] {
    return this.image.volumes;
  }

  volume(name: string): ImageVolume | undefined {
    return this.image.volumes.find((volume) => volume.name.toLowerCase() === name.toLowerCase());
  }

  /** `driveLetters`: volume name to drive letter, from the host's MountedDevices when known. */
  describe(driveLetters: ReadonlyMap<string, string> = new Map()): ImageDescription {
    return {
      format: this.image.container.format,
      mediaSize: this.image.container.media.size,
      partitionScheme: this.image.scheme,
      files: this.image.container.files,
      volumes: this.image.volumes.map((volume) => {
        const driveLetter = driveLetters.get(volume.name);
        return {
          name: volume.name,
          fileSystem: volume.fileSystem,
          start: volume.start,
          size: volume.size,
          partitionType: volume.partitionType,
          ...(volume.diskSignature === undefined
            ? {}
            : { diskSignature: diskSignatureHex(volume.diskSignature) }),
          ...(volume.partitionGuid === undefined ? {} : { partitionGuid: volume.partitionGuid }),
          ...(driveLetter === undefined ? {} : { driveLetter }),
        };
      }),
    };
  }

  fileSystems(): FileSystemInfo[] {
    return this.image.volumes.map((volume) => ({
      name: volume.name,
      fileSystem: volume.fileSystem,
      size: volume.size,
    }));
  }

  /** The image set's files (all segments, extents, parents), for hashing the evidence. */
  containerFiles(): string[] {
    return this.image.container.files;
  }

  entries(): EvidenceEntry[] {
    return this.list;
  }

  stat(path: string): EvidenceEntry | undefined {
    return this.byKey.get(lookupKey(path));
  }

  async openReader(path: string): Promise<RandomAccessReader> {
    const normalized = path.replace(/\\/g, '/');
    const slash = normalized.lastIndexOf('/');
    const colon = normalized.indexOf(':', slash + 1);
    const filePath = colon === -1 ? normalized : normalized.slice(0, colon);
    const stream = colon === -1 ? '' : normalized.slice(colon + 1);
    const entry = this.byKey.get(lookupKey(filePath));
    if (entry === undefined || entry.isDirectory) throw new EvidenceError(this.name, path, 'no such file');
    const volume = this.image.volumes[entry.volume]!;
    try {
      if (volume.ntfs !== undefined) return await volume.ntfs.openFile(entry.record, stream);
      if (stream !== '') throw new Error('FAT has no alternate data streams');
      if (entry.deleted === true) throw new Error('deleted FAT entries are not opened by path');
      const inVolume = entry.path.slice(volume.name.length);
      const fatEntry = await volume.fat!.lookup(inVolume);
      if (fatEntry === undefined) throw new Error('not found on the volume');
      return await volume.fat!.openFile(fatEntry);
    } catch (error) {
      if (error instanceof EvidenceError) throw error;
      throw new EvidenceError(this.name, path, `cannot read: ${(error as Error).message}`);
    }
  }

  async openStream(path: string): Promise<AsyncIterable<Uint8Array>> {
    const reader = await this.openReader(path);
    return (async function* () {
      try {
        yield* readBlocks(reader, STREAM_BLOCK);
      } finally {
        await reader.close();
      }
    })();
  }

  async close(): Promise<void> {
    await this.image.close();
  }
}

/** Appends a volume's listing; entries hold only what the locator needs (compact for big volumes). */
async function listVolume(volume: ImageVolume, index: number, list: ImageEntry[]): Promise<void> {
  list.push({ path: volume.name, size: 0, isDirectory: true, volume: index, record: -1 });
  if (volume.ntfs !== undefined) {
    for await (const entry of volume.ntfs.entries()) {
      for (const path of entry.paths) {
        if (path === '/' || path === '') continue;
        const item: ImageEntry = {
          path: `${volume.name}${path}`,
          size: entry.isDirectory ? 0 : entry.size,
          isDirectory: entry.isDirectory,
          volume: index,
          record: entry.recordNumber,
        };
        if (entry.si?.modified !== undefined) item.modified = entry.si.modified;
        if (entry.deleted) item.deleted = true;
        list.push(item);
      }
    }
    return;
  }
  // FAT times are local and the zone is not known yet: the listing carries no time.
  for await (const entry of volume.fat!.entries()) {
    if (entry.isVolumeLabel) continue;
    const item: ImageEntry = {
      path: `${volume.name}${entry.path}`,
      size: entry.isDirectory ? 0 : entry.size,
      isDirectory: entry.isDirectory,
      volume: index,
      record: -1,
    };
    if (entry.deleted) item.deleted = true;
    list.push(item);
  }
}
