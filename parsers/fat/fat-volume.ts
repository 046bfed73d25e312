import { CachedReader, FormatError, type RandomAccessReader, readView } from '../io/index.js';
import { BOOT_SECTOR_SIZE, type BootSector, type FatType, parseBootSector } from './boot-sector.js';
import { ClusterReader } from './cluster-reader.js';
import {
  ATTR_DIRECTORY,
  ATTR_HIDDEN,
  ATTR_READ_ONLY,
  ATTR_VOLUME_ID,
  DIRECTORY_ENTRY_SIZE,
  END_OF_DIRECTORY,
  LAST_LONG_ENTRY,
  type LongEntry,
  parseDirectoryEntry,
  type ShortEntry,
  shortNameChecksum,
} from './directory-entry.js';
import { type ClusterRun, FatTable } from './fat-table.js';
import { decodeFatTime, type TimeZoneOption } from './fat-time.js';
import { type FsInfo, parseFsInfo } from './fs-info.js';
import { ErrorList, type FatEntry, type OpenFatOptions } from './types.js';

/** fatgen103 §6: a directory holds at most 65536 32-byte entries. */
const MAX_DIRECTORY_ENTRIES = 65536;
/** The Sleuth Kit numbers directory-entry slots from 3 (2 is the root directory). */
const TSK_FIRST_INODE = 3;
export const TSK_ROOT_INODE = 2;
const DIRECTORY_READ_CHUNK = 64 * 1024;
const MAX_LONG_NAME_ENTRIES = 20;

interface ByteRange {
  offset: number;
  length: number;
}

interface DirectoryRef {
  path: string;
  ranges: ByteRange[];
  /** 0 for the FAT12/16 root region. */
  startCluster: number;
}

/** A FAT12/16/32 volume read straight from its bytes. */
export class FatVolume {
  readonly reader: RandomAccessReader;
  readonly boot: BootSector;
  readonly type: FatType;
  readonly fsInfo: FsInfo | undefined;
  /** Label from the root directory's volume entry, else from the boot sector. */
  volumeLabel: string | undefined;
  private readonly fat: FatTable;
  private readonly errorList: ErrorList;
  private readonly timeZone: TimeZoneOption | undefined;
  private readonly maxEntries: number;
  private readonly runsOf = new WeakMap<FatEntry, ClusterRun[]>();

  private constructor(
    reader: RandomAccessReader,
    boot: BootSector,
    fsInfo: FsInfo | undefined,
    options: OpenFatOptions,
    errors: ErrorList,
  ) {
    this.reader = reader;
    this.boot = boot;
    this.type = boot.type;
    this.fsInfo = fsInfo;
    this.errorList = errors;
    this.timeZone = options.timeZone;
    this.maxEntries = options.maxEntries ?? 10_000_000;
    this.fat = new FatTable(new CachedReader(reader, { pageSize: 16 * 1024, maxPages: 256 }), boot);
    const label = boot.volumeLabel?.trimEnd();
    this.volumeLabel = label === undefined || label === '' || label === 'NO NAME' ? undefined : label;
  }

  static async open(reader: RandomAccessReader, options: OpenFatOptions = {}): Promise<FatVolume> {
    const errors = new ErrorList(options.maxErrors ?? 1000);
    const view = await readView(reader, 0, BOOT_SECTOR_SIZE, 'fat', 'boot sector');
    let boot: BootSector;
    try {
      boot = parseBootSector(view);
    } catch (error) {
      if (error instanceof FormatError) throw error.withFile(reader.name);
      throw error;
    }
    const volumeBytes = boot.totalSectors * boot.bytesPerSector;
    if (volumeBytes > reader.size) {
      errors.add(
        new FormatError(
          'fat',
          'boot sector',
          19,
          `volume of ${volumeBytes} bytes is larger than the media (${reader.size} bytes): truncated image`,
          reader.name,
        ),
      );
    }
    let fsInfo: FsInfo | undefined;
    if (
      boot.fsInfoSector !== undefined &&
      boot.fsInfoSector > 0 &&
      boot.fsInfoSector < boot.reservedSectors
    ) {
      try {
        const at = boot.fsInfoSector * boot.bytesPerSector;
        fsInfo = parseFsInfo(await readView(reader, at, BOOT_SECTOR_SIZE, 'fat', 'FSInfo'));
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        errors.add(error.withFile(reader.name));
      }
    }
    return new FatVolume(reader, boot, fsInfo, options, errors);
  }

  get errors(): FormatError[] {
    return this.errorList.errors;
  }

  get errorCount(): number {
    return this.errorList.count;
  }

  private addError(error: FormatError): void {
    this.errorList.add(error.withFile(this.reader.name));
  }

  clusterOffset(cluster: number): number {
    return (
      (this.boot.firstClusterSector + (cluster - 2) * this.boot.sectorsPerCluster) * this.boot.bytesPerSector
    );
  }

  /** The Sleuth Kit's address of the slot at `offset` (see FatEntry.inode). */
  inodeOf(offset: number): number {
    const firstDataByte = this.boot.firstDataAreaSector * this.boot.bytesPerSector;
    return Math.floor((offset - firstDataByte) / DIRECTORY_ENTRY_SIZE) + TSK_FIRST_INODE;
  }

  /** The largest slot address; TSK numbers $MBR, $FAT1.., $OrphanFiles after it. */
  get lastInode(): number {
    const lastSectorEnd = this.boot.totalSectors * this.boot.bytesPerSector;
    return this.inodeOf(lastSectorEnd - DIRECTORY_ENTRY_SIZE);
  }

  private rangesOf(runs: ClusterRun[]): ByteRange[] {
    return runs.map((run) => ({
      offset: this.clusterOffset(run.cluster),
      length: run.count * this.boot.clusterSize,
    }));
  }

  private rootDirectory(): DirectoryRef {
    if (this.type !== 32) {
      return {
        path: '',
        ranges: [
          {
            offset: this.boot.firstDataAreaSector * this.boot.bytesPerSector,
            length: this.boot.rootDirSectors * this.boot.bytesPerSector,
          },
        ],
        startCluster: 0,
      };
    }
    return { path: '', ranges: [], startCluster: this.boot.rootCluster ?? 0 };
  }

  private async directoryChain(startCluster: number): Promise<ClusterRun[]> {
    const limit = Math.ceil((MAX_DIRECTORY_ENTRIES * DIRECTORY_ENTRY_SIZE) / this.boot.clusterSize);
    const chain = await this.fat.chain(startCluster, limit);
    if (chain.error !== undefined) this.addError(chain.error);
    return chain.runs;
  }

  /** Runs of a deleted entry's content: contiguous clusters from a free start cluster. */
  private async recoveredRuns(entry: ShortEntry, clusters: number): Promise<ClusterRun[] | undefined> {
    if (!(await this.fat.isFree(entry.startCluster))) return undefined;
    const count = Math.min(clusters, this.fat.maxCluster - entry.startCluster + 1);
    return [{ cluster: entry.startCluster, count }];
  }

  /** Slots of a directory, in order, read in bounded chunks. */
  private async *slots(
    directory: DirectoryRef,
  ): AsyncGenerator<{ offset: number; view: import('../io/index.js').ByteView }> {
    let count = 0;
    for (const range of directory.ranges) {
      for (let chunk = 0; chunk < range.length; chunk += DIRECTORY_READ_CHUNK) {
        const length = Math.min(DIRECTORY_READ_CHUNK, range.length - chunk);
        let view: import('../io/index.js').ByteView;
        try {
          view = await readView(this.reader, range.offset + chunk, length, 'fat', 'directory');
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          this.addError(error);
          return;
        }
        for (let at = 0; at + DIRECTORY_ENTRY_SIZE <= length; at += DIRECTORY_ENTRY_SIZE) {
          if (count >= MAX_DIRECTORY_ENTRIES) {
            this.addError(
              new FormatError(
                'fat',
                'directory',
                range.offset + chunk + at,
                `more than ${MAX_DIRECTORY_ENTRIES} entries: rest ignored`,
              ),
            );
            return;
          }
          count += 1;
          yield {
            offset: range.offset + chunk + at,
            view: view.view(at, DIRECTORY_ENTRY_SIZE, 'directory entry'),
          };
        }
      }
    }
  }

  private invalidShortEntry(entry: ShortEntry): string | undefined {
    if ((entry.attributes & 0xc0) !== 0)
      return `reserved attribute bits set (0x${entry.attributes.toString(16)})`;
    for (let index = entry.deleted ? 1 : 0; index < 11; index += 1) {
      const byte = entry.rawName[index]!;
      if (byte < 0x20 && !(index === 0 && byte === 0x05))
        return `control character 0x${byte.toString(16)} in the short name`;
    }
    return undefined;
  }

  /** The entries of one directory (one level), '.' and '..' skipped. */
  private async *readDirectory(directory: DirectoryRef): AsyncGenerator<FatEntry> {
    if (directory.startCluster !== 0)
      directory.ranges = this.rangesOf(await this.directoryChain(directory.startCluster));
    let pending: LongEntry[] = [];
    for await (const { offset, view } of this.slots(directory)) {
      if (view.u8(0) === END_OF_DIRECTORY) return;
      const parsed = parseDirectoryEntry(view);
      if (parsed.kind === 'long') {
        if (pending.length >= MAX_LONG_NAME_ENTRIES) pending = [];
        pending.push(parsed);
        continue;
      }
      const longParts = pending;
      pending = [];
      const invalid = this.invalidShortEntry(parsed);
      if (invalid !== undefined) {
        if (!parsed.deleted) this.addError(new FormatError('fat', 'directory entry', offset, invalid));
        continue;
      }
      if (parsed.rawName[0] === 0x2e && (parsed.name === '.' || parsed.name === '..')) continue;
      const longName = this.assembleLongName(longParts, parsed, offset);
      yield await this.toEntry(directory, parsed, offset, longName);
    }
  }

  /**
   * Joins the long-name entries before a short entry (fatgen103 §7): the last part first with
   * the 0x40 flag, orders N..1, each with the short name's checksum. Deleted entries lose the
   * order byte (0xE5) and the short name's first byte, so only their count and the checksums
   * agreeing among themselves can be checked.
   */
  private assembleLongName(parts: LongEntry[], short: ShortEntry, offset: number): string | undefined {
    if (parts.length === 0) return undefined;
    const checksum = parts[0]!.checksum;
    if (parts.some((part) => part.checksum !== checksum)) return undefined;
    if (short.deleted) {
      if (!parts.every((part) => part.deleted)) return undefined;
    } else {
      const expected = shortNameChecksum(short.rawName);
      const ordersOk = parts.every(
        (part, index) =>
          (part.order & ~LAST_LONG_ENTRY) === parts.length - index &&
          (index === 0) === ((part.order & LAST_LONG_ENTRY) !== 0),
      );
      if (checksum !== expected || !ordersOk) {
        this.addError(
          new FormatError(
            'fat',
            'long name entry',
            offset - parts.length * DIRECTORY_ENTRY_SIZE,
            'long name entries do not match the short entry that follows (orphaned)',
          ),
        );
        return undefined;
      }
    }
    return parts
      .slice()
      .reverse()
      .map((part) => part.part)
      .join('');
  }

  private async toEntry(
    directory: DirectoryRef,
    short: ShortEntry,
    offset: number,
    longName: string | undefined,
  ): Promise<FatEntry> {
    const isVolumeLabel =
      (short.attributes & ATTR_VOLUME_ID) !== 0 && (short.attributes & ATTR_DIRECTORY) === 0;
    const isDirectory = !isVolumeLabel && (short.attributes & ATTR_DIRECTORY) !== 0;
    const startCluster = this.type === 32 ? short.startCluster : short.startCluster & 0xffff;
    const shortName = isVolumeLabel ? new TextDecoder('latin1').decode(short.rawName).trimEnd() : short.name;
    const name = longName ?? shortName;
    const created = decodeFatTime(short.createdDate, short.createdTime, short.createdTenth, this.timeZone);
    const modified = decodeFatTime(short.modifiedDate, short.modifiedTime, 0, this.timeZone);
    const accessed = decodeFatTime(short.accessedDate, 0, 0, this.timeZone);
    const entry: FatEntry = {
      path: `${directory.path}/${name}`,
      name,
      shortName,
      ...(longName === undefined ? {} : { longName }),
      isDirectory,
      isVolumeLabel,
      deleted: short.deleted,
      size: short.size,
      startCluster,
      attributes: short.attributes,
      ...(created === undefined ? {} : { created }),
      ...(modified === undefined ? {} : { modified }),
      ...(accessed === undefined ? {} : { accessed }),
      timeIsLocal: this.timeZone === undefined,
      inode: this.inodeOf(offset),
      entryOffset: offset,
    };
    if (
      isVolumeLabel &&
      directory.startCluster === this.rootDirectory().startCluster &&
      directory.path === ''
    ) {
      if (!short.deleted && shortName !== '') this.volumeLabel = shortName;
      return entry;
    }
    const clusterSize = this.boot.clusterSize;
    if (short.deleted) {
      if (startCluster !== 0) {
        const clusters = isDirectory ? 1 : Math.ceil(short.size / clusterSize);
        const runs = clusters === 0 ? [] : await this.recoveredRuns({ ...short, startCluster }, clusters);
        entry.recovery = runs === undefined ? 'overwritten' : 'contiguous';
        if (runs !== undefined) this.runsOf.set(entry, runs);
        // A deleted directory keeps its first cluster: listed (and entered) as TSK does.
        if (runs !== undefined && isDirectory) entry.size = clusterSize;
      }
      return entry;
    }
    if (isDirectory && startCluster !== 0) {
      const runs = await this.directoryChain(startCluster);
      this.runsOf.set(entry, runs);
      entry.size = runs.reduce((total, run) => total + run.count, 0) * clusterSize;
    }
    return entry;
  }

  /** Every entry of the volume, depth first, with deleted entries flagged. Bounded: a directory met twice is not entered again. */
  async *entries(): AsyncGenerator<FatEntry> {
    const visited = new Set<number>();
    const stack: DirectoryRef[] = [this.rootDirectory()];
    const root = stack[0]!;
    if (root.startCluster !== 0) visited.add(root.startCluster);
    let listed = 0;
    while (stack.length > 0) {
      const directory = stack.pop()!;
      const children: DirectoryRef[] = [];
      for await (const entry of this.readDirectory(directory)) {
        listed += 1;
        if (listed > this.maxEntries) {
          this.addError(
            new FormatError(
              'fat',
              'directory',
              entry.entryOffset,
              `more than ${this.maxEntries} entries: listing stopped`,
            ),
          );
          return;
        }
        yield entry;
        if (!entry.isDirectory || entry.startCluster === 0) continue;
        if (entry.deleted && entry.recovery !== 'contiguous') continue;
        if (visited.has(entry.startCluster)) {
          this.addError(
            new FormatError(
              'fat',
              'directory entry',
              entry.entryOffset,
              `directory ${entry.path} reuses cluster ${entry.startCluster} of another directory (loop)`,
            ),
          );
          continue;
        }
        visited.add(entry.startCluster);
        children.push({
          path: entry.path,
          ranges: this.rangesOf(this.runsOf.get(entry) ?? []),
          startCluster: 0,
        });
      }
      stack.push(...children.reverse());
    }
  }

  /** Finds an entry by path, case-insensitive, by long or short name; live entries only. */
  async lookup(path: string): Promise<FatEntry | undefined> {
    const parts = path.split(/[\\/]+/).filter((part) => part !== '');
    let directory = this.rootDirectory();
    let found: FatEntry | undefined;
    const visited = new Set<number>();
    for (const [index, part] of parts.entries()) {
      const wanted = part.toUpperCase();
      found = undefined;
      for await (const entry of this.readDirectory(directory)) {
        if (entry.deleted || entry.isVolumeLabel) continue;
        if (entry.name.toUpperCase() === wanted || entry.shortName.toUpperCase() === wanted) {
          found = entry;
          break;
        }
      }
      if (found === undefined) return undefined;
      if (index < parts.length - 1) {
        if (!found.isDirectory || visited.has(found.startCluster)) return undefined;
        visited.add(found.startCluster);
        directory = {
          path: found.path,
          ranges: this.rangesOf(this.runsOf.get(found) ?? []),
          startCluster: 0,
        };
      }
    }
    return found;
  }

  /** The clusters holding an entry's content, as runs (for data-run listings and tests). */
  async clusterRuns(entry: FatEntry): Promise<ClusterRun[]> {
    const reader = await this.openFile(entry);
    return reader instanceof ClusterReader ? reader.runs : [];
  }

  /**
   * The content of a file entry. Live files follow their FAT chain; deleted files read the
   * contiguous clusters from a free start cluster (best effort, `entry.recovery`). A chain
   * shorter than the size is recorded as an error and the reader is cut to what exists.
   */
  async openFile(entry: FatEntry): Promise<RandomAccessReader> {
    const name = `${this.reader.name}:${entry.path}`;
    const clusterSize = this.boot.clusterSize;
    let runs = this.runsOf.get(entry);
    if (runs === undefined) {
      if (entry.size === 0 || entry.startCluster === 0) runs = [];
      else if (entry.deleted) {
        throw new FormatError(
          'fat',
          'directory entry',
          entry.entryOffset,
          'content of the deleted file is overwritten (start cluster in use)',
          this.reader.name,
        );
      } else {
        const needed = Math.ceil(entry.size / clusterSize);
        const chain = await this.fat.chain(entry.startCluster, needed);
        if (chain.error !== undefined) this.addError(chain.error);
        if (chain.clusters < needed) {
          this.addError(
            new FormatError(
              'fat',
              'FAT chain',
              this.fat.entryOffset(entry.startCluster),
              `${entry.path}: chain holds ${chain.clusters} clusters, size needs ${needed}`,
            ),
          );
        }
        runs = chain.runs;
      }
    }
    const size = entry.isDirectory
      ? runs.reduce((total, run) => total + run.count, 0) * clusterSize
      : entry.size;
    return new ClusterReader(this.reader, name, size, runs, clusterSize, (cluster) =>
      this.clusterOffset(cluster),
    );
  }

  /** Lines like The Sleuth Kit's `fls -r -m /` (body file 3.x: MD5|name|inode|mode|uid|gid|size|atime|mtime|ctime|crtime). */
  async *bodyfile(): AsyncGenerator<string> {
    const seconds = (time: { micros: bigint } | undefined): string => {
      if (time === undefined) return '0';
      const value = time.micros / 1_000_000n;
      return String(time.micros < 0n && time.micros % 1_000_000n !== 0n ? value - 1n : value);
    };
    for await (const entry of this.entries()) {
      const name = entry.isVolumeLabel
        ? `${entry.path.slice(0, -entry.name.length)}${entry.shortName.padEnd(11)} (Volume Label Entry)`
        : entry.path;
      const mode = `${entry.isDirectory ? 'd/d' : 'r/r'}${tskPermissions(entry.attributes).repeat(3)}`;
      yield [
        '0',
        `${name}${entry.deleted ? ' (deleted)' : ''}`,
        entry.inode,
        mode,
        0,
        0,
        entry.size,
        seconds(entry.accessed),
        seconds(entry.modified),
        0,
        seconds(entry.created),
      ].join('|');
    }
  }
}

/**
 * The permissions The Sleuth Kit (4.x) prints for FAT attributes. It clears r for read-only
 * and w for hidden (the reverse of what one would expect); we match it so body files agree.
 */
function tskPermissions(attributes: number): string {
  const read = (attributes & ATTR_READ_ONLY) !== 0 ? '-' : 'r';
  const write = (attributes & ATTR_HIDDEN) !== 0 ? '-' : 'w';
  return `${read}${write}x`;
}

export function openFat(reader: RandomAccessReader, options?: OpenFatOptions): Promise<FatVolume> {
  return FatVolume.open(reader, options);
}
