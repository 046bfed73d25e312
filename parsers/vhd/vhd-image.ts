import { basename, dirname, join } from 'node:path';
import { FormatError, type FormatErrorRecord } from '../io/format-error.js';
import {
  checkRange,
  FileReader,
  fileExists,
  type RandomAccessReader,
  readView,
} from '../io/random-access-reader.js';
import {
  DYNAMIC_HEADER_SIZE,
  type DynamicHeader,
  parseDynamicHeader,
  SPARSE_COOKIE,
} from './dynamic-header.js';
import {
  DISK_TYPE_DIFFERENCING,
  DISK_TYPE_DYNAMIC,
  DISK_TYPE_FIXED,
  FOOTER_SIZE,
  type Footer,
  isFooter,
  parseFooter,
} from './footer.js';

const FORMAT = 'vhd';
const SECTOR = 512;
/** BAT entry of a block with no data in this file. */
const UNALLOCATED = 0xffffffff;
/** Differencing chains deeper than this are refused (a cycle of parents would never end). */
const MAX_PARENT_DEPTH = 16;
/** Largest block size accepted (the specification's default is 2 MiB). */
const MAX_BLOCK_SIZE = 256 * 1024 * 1024;

export interface VhdOptions {
  /** Sector bitmaps of differencing disks kept (LRU). Default 64. */
  cacheBitmaps?: number;
  /** For differencing disks: the parent image, when it is not beside the child under its name. */
  parentPath?: string;
}

export interface VhdInfo {
  diskType: 'fixed' | 'dynamic' | 'differencing';
  currentSize: number;
  originalSize: number;
  created: string;
  creatorApplication: string;
  uniqueId: string;
  blockSize?: number;
  parentName?: string;
  parentUniqueId?: string;
  /** The parent file opened for a differencing disk. */
  parentPath?: string;
}

/**
 * `conectix` at the start (the footer copy of dynamic and differencing disks). A fixed VHD has
 * its only footer at the end: pass the file's last 512 bytes as `lastBytes` to detect it
 * (a `.dd` or `.raw` may be a fixed VHD, as the go-ntfs test image charlie.dd is).
 */
export function detectVhd(firstBytes: Uint8Array, _name: string, lastBytes?: Uint8Array): boolean {
  const cookie = 'conectix';
  const head = Buffer.from(firstBytes.subarray(0, 8)).toString('latin1');
  if (head === cookie) return true;
  if (lastBytes === undefined || lastBytes.length < FOOTER_SIZE) return false;
  const tail = lastBytes.subarray(lastBytes.length - FOOTER_SIZE);
  return Buffer.from(tail.subarray(0, 8)).toString('latin1') === cookie;
}

function windowsBasename(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

/**
 * A VHD image (fixed, dynamic or differencing) as one read-only medium.
 * Dynamic blocks absent from the BAT read as zeros; differencing disks read sectors whose
 * bitmap bit is clear from their parent.
 */
export class VhdImage implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  readonly info: VhdInfo;
  readonly warnings: FormatErrorRecord[];
  private readonly file: FileReader;
  private readonly parent: RandomAccessReader | undefined;
  private readonly bat: Uint32Array | undefined;
  private readonly blockSize: number;
  private readonly bitmapSize: number;
  private readonly bitmaps = new Map<number, Uint8Array>();
  private readonly cacheBitmaps: number;

  private constructor(
    file: FileReader,
    info: VhdInfo,
    warnings: FormatErrorRecord[],
    bat: Uint32Array | undefined,
    parent: RandomAccessReader | undefined,
    options: VhdOptions,
  ) {
    this.file = file;
    this.name = file.name;
    this.info = info;
    this.size = info.currentSize;
    this.warnings = warnings;
    this.bat = bat;
    this.parent = parent;
    this.blockSize = info.blockSize ?? 0;
    const bitmapBytes = Math.ceil(this.blockSize / SECTOR / 8);
    this.bitmapSize = Math.ceil(bitmapBytes / SECTOR) * SECTOR;
    this.cacheBitmaps = Math.max(1, options.cacheBitmaps ?? 64);
  }

  static async open(path: string, options: VhdOptions = {}, depth = 0): Promise<VhdImage> {
    const file = await FileReader.open(path);
    try {
      return await VhdImage.build(file, options, depth);
    } catch (error) {
      await file.close();
      if (error instanceof FormatError) error.withFile(path);
      throw error;
    }
  }

  private static async build(file: FileReader, options: VhdOptions, depth: number): Promise<VhdImage> {
    const warnings: FormatErrorRecord[] = [];
    if (file.size < FOOTER_SIZE) {
      throw new FormatError(
        FORMAT,
        'footer',
        0,
        `file of ${file.size} bytes is too small for a VHD`,
        file.name,
      );
    }
    // The footer is the last 512 bytes (old Virtual PC wrote 511); dynamic disks keep a copy at 0.
    let footer: Footer | undefined;
    const tail = await readView(file, file.size - FOOTER_SIZE, FOOTER_SIZE, FORMAT, 'footer');
    if (isFooter(tail)) {
      footer = parseFooter(tail);
      if (!footer.checksumValid) {
        warnings.push(new FormatError(FORMAT, 'footer', tail.base, 'checksum mismatch', file.name).toJSON());
      }
    }
    if (footer === undefined || !footer.checksumValid) {
      const head = await readView(file, 0, FOOTER_SIZE, FORMAT, 'footer copy');
      if (isFooter(head)) {
        const copy = parseFooter(head);
        if (copy.checksumValid || footer === undefined) footer = copy;
      }
    }
    if (footer === undefined) {
      throw new FormatError(
        FORMAT,
        'footer',
        file.size - FOOTER_SIZE,
        'no "conectix" footer: not a VHD',
        file.name,
      );
    }
    if (!Number.isSafeInteger(footer.currentSize) || footer.currentSize < 0) {
      throw new FormatError(FORMAT, 'footer', file.size - FOOTER_SIZE, 'impossible current size', file.name);
    }
    const base = {
      currentSize: footer.currentSize,
      originalSize: footer.originalSize,
      created: footer.created,
      creatorApplication: footer.creatorApplication,
      uniqueId: footer.uniqueId,
    };
    if (footer.diskType === DISK_TYPE_FIXED) {
      if (footer.currentSize > file.size - FOOTER_SIZE) {
        // A truncated image: the media keeps its declared size, reads past the data fail.
        warnings.push(
          new FormatError(
            FORMAT,
            'footer',
            file.size - FOOTER_SIZE,
            `fixed disk of ${footer.currentSize} bytes, but only ${file.size - FOOTER_SIZE} bytes of data: truncated`,
            file.name,
          ).toJSON(),
        );
      }
      return new VhdImage(file, { diskType: 'fixed', ...base }, warnings, undefined, undefined, options);
    }
    if (footer.diskType !== DISK_TYPE_DYNAMIC && footer.diskType !== DISK_TYPE_DIFFERENCING) {
      throw new FormatError(
        FORMAT,
        'footer',
        file.size - FOOTER_SIZE,
        `unknown disk type ${footer.diskType}`,
        file.name,
      );
    }
    const headerView = await readView(file, footer.dataOffset, DYNAMIC_HEADER_SIZE, FORMAT, 'dynamic header');
    if (!headerView.matches(0, SPARSE_COOKIE)) {
      throw new FormatError(FORMAT, 'dynamic header', footer.dataOffset, 'no "cxsparse" cookie', file.name);
    }
    const header = parseDynamicHeader(headerView);
    if (!header.checksumValid) {
      warnings.push(
        new FormatError(FORMAT, 'dynamic header', headerView.base, 'checksum mismatch', file.name).toJSON(),
      );
    }
    const { blockSize } = header;
    if (blockSize < SECTOR || blockSize > MAX_BLOCK_SIZE || blockSize % SECTOR !== 0) {
      throw new FormatError(
        FORMAT,
        'dynamic header',
        headerView.base,
        `impossible block size ${blockSize}`,
        file.name,
      );
    }
    const blocks = Math.ceil(footer.currentSize / blockSize);
    if (header.maxTableEntries < blocks) {
      throw new FormatError(
        FORMAT,
        'dynamic header',
        headerView.base,
        `BAT of ${header.maxTableEntries} entries cannot cover ${blocks} blocks`,
        file.name,
      );
    }
    const batView = await readView(file, header.tableOffset, blocks * 4, FORMAT, 'block allocation table');
    const bat = new Uint32Array(blocks);
    for (let block = 0; block < blocks; block += 1) bat[block] = batView.u32be(block * 4);
    const info: VhdInfo = {
      diskType: footer.diskType === DISK_TYPE_DYNAMIC ? 'dynamic' : 'differencing',
      ...base,
      blockSize,
    };
    let parent: RandomAccessReader | undefined;
    if (footer.diskType === DISK_TYPE_DIFFERENCING) {
      info.parentName = header.parentName;
      info.parentUniqueId = header.parentUniqueId;
      const parentPath = await VhdImage.findParent(file, header, options);
      if (depth + 1 > MAX_PARENT_DEPTH) {
        throw new FormatError(
          FORMAT,
          'parent',
          headerView.base,
          `differencing chain deeper than ${MAX_PARENT_DEPTH}`,
          file.name,
        );
      }
      const { parentPath: _ignored, ...parentOptions } = options;
      const parentImage = await VhdImage.open(parentPath, parentOptions, depth + 1);
      if (parentImage.info.uniqueId !== header.parentUniqueId) {
        warnings.push(
          new FormatError(
            FORMAT,
            'parent',
            headerView.base,
            `parent ${parentPath} has unique id ${parentImage.info.uniqueId}, the child expects ${header.parentUniqueId}`,
            file.name,
          ).toJSON(),
        );
      }
      if (parentImage.size < footer.currentSize) {
        await parentImage.close();
        throw new FormatError(
          FORMAT,
          'parent',
          headerView.base,
          `parent ${parentPath} is smaller than the child`,
          file.name,
        );
      }
      info.parentPath = parentPath;
      parent = parentImage;
    }
    return new VhdImage(file, info, warnings, bat, parent, options);
  }

  /** The parent beside the child: names from the parent locators, then the header's parent name. */
  private static async findParent(
    file: FileReader,
    header: DynamicHeader,
    options: VhdOptions,
  ): Promise<string> {
    if (options.parentPath !== undefined) return options.parentPath;
    const names: string[] = [];
    for (const locator of header.parentLocators) {
      if (locator.dataLength === 0 || locator.dataLength > 4096) continue;
      try {
        const data = await readView(file, locator.dataOffset, locator.dataLength, FORMAT, 'parent locator');
        let text: string;
        if (locator.platformCode === 'W2ru' || locator.platformCode === 'W2ku') {
          text = data.utf16(0, locator.dataLength);
        } else {
          text = data.utf8(0, locator.dataLength);
        }
        names.push(windowsBasename(text.replace(/\0.*$/s, '').replace(/^file:\/\//, '')));
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    }
    if (header.parentName !== '') names.push(windowsBasename(header.parentName));
    const directory = dirname(file.name);
    for (const name of names) {
      if (name === '' || name === basename(file.name)) continue;
      const candidate = join(directory, name);
      if (await fileExists(candidate)) return candidate;
    }
    throw new FormatError(
      FORMAT,
      'parent',
      0,
      `differencing disk: parent "${names[0] ?? header.parentName}" not found beside the child (pass parentPath)`,
      file.name,
    );
  }

  private async bitmap(block: number, sectorOffset: number): Promise<Uint8Array> {
    const cached = this.bitmaps.get(block);
    if (cached !== undefined) return cached;
    const bytes = await readView(this.file, sectorOffset * SECTOR, this.bitmapSize, FORMAT, 'sector bitmap');
    this.bitmaps.set(block, bytes.bytes);
    if (this.bitmaps.size > this.cacheBitmaps) {
      const oldest = this.bitmaps.keys().next().value;
      if (oldest !== undefined) this.bitmaps.delete(oldest);
    }
    return bytes.bytes;
  }

  /** Fills out[at, at + length) with media bytes [offset, offset + length) of one block. */
  private async readInBlock(offset: number, length: number, out: Uint8Array, at: number): Promise<void> {
    const block = Math.floor(offset / this.blockSize);
    const within = offset - block * this.blockSize;
    const entry = this.bat![block]!;
    if (entry === UNALLOCATED) {
      if (this.parent !== undefined) out.set(await this.parent.read(offset, length), at);
      else out.fill(0, at, at + length);
      return;
    }
    const dataStart = entry * SECTOR + this.bitmapSize;
    if (dataStart + within + length > this.file.size) {
      throw new FormatError(
        FORMAT,
        'block allocation table',
        block * 4,
        `block ${block} lies past the end of the file`,
        this.name,
      );
    }
    if (this.parent === undefined) {
      out.set(await this.file.read(dataStart + within, length), at);
      return;
    }
    // Differencing: runs of sectors by bitmap bit (set = in this file, clear = in the parent).
    const bitmap = await this.bitmap(block, entry);
    let position = within;
    const end = within + length;
    while (position < end) {
      const sector = Math.floor(position / SECTOR);
      const mine = ((bitmap[sector >>> 3]! >>> (7 - (sector & 7))) & 1) === 1;
      let runEnd = (sector + 1) * SECTOR;
      while (runEnd < end) {
        const next = runEnd / SECTOR;
        if ((((bitmap[next >>> 3]! >>> (7 - (next & 7))) & 1) === 1) !== mine) break;
        runEnd += SECTOR;
      }
      runEnd = Math.min(runEnd, end);
      const take = runEnd - position;
      const bytes = mine
        ? await this.file.read(dataStart + position, take)
        : await this.parent.read(block * this.blockSize + position, take);
      out.set(bytes, at + position - within);
      position = runEnd;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (this.bat === undefined) {
      const available = this.file.size - FOOTER_SIZE;
      if (offset + length > available) {
        throw new FormatError(
          FORMAT,
          'data',
          Math.max(offset, available),
          'the image is truncated here',
          this.name,
        );
      }
      return this.file.read(offset, length);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const blockEnd = (Math.floor(position / this.blockSize) + 1) * this.blockSize;
      const take = Math.min(blockEnd - position, length - done);
      await this.readInBlock(position, take, out, done);
      done += take;
    }
    return out;
  }

  async close(): Promise<void> {
    this.bitmaps.clear();
    await this.parent?.close();
    await this.file.close();
  }
}

/** Opens a VHD (fixed, dynamic, differencing with its parent beside it) read-only. */
export function openVhd(path: string, options: VhdOptions = {}): Promise<VhdImage> {
  return VhdImage.open(path, options);
}
