import { basename, dirname, isAbsolute, join } from 'node:path';
import { ByteView } from '../io/byte-view.js';
import { ConcatReader } from '../io/concat-reader.js';
import { FormatError } from '../io/format-error.js';
import {
  FileReader,
  fileExists,
  type RandomAccessReader,
  readPastEnd,
  SliceReader,
} from '../io/random-access-reader.js';
import {
  type Descriptor,
  type ExtentDescription,
  looksLikeDescriptor,
  parseDescriptor,
} from './descriptor.js';
import { SparseExtent } from './sparse-extent.js';
import { COWD, KDMV } from './sparse-extent-header.js';

const FORMAT = 'vmdk';
const SECTOR = 512;
/** A text descriptor larger than this is not a descriptor. */
const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const MAX_PARENT_DEPTH = 16;
const NO_PARENT = 'ffffffff';

export interface VmdkOptions {
  cacheTables?: number;
  cacheGrains?: number;
}

export interface VmdkInfo {
  createType: string;
  descriptor: Descriptor;
  extents: { type: string; sectors: number; file?: string }[];
  /** The parent opened for a child (delta) disk. */
  parentPath?: string;
}

/** `KDMV` sparse extent, or a text descriptor (by name `.vmdk` and content). */
export function detectVmdk(firstBytes: Uint8Array, name: string): boolean {
  const view = new ByteView(firstBytes);
  if (firstBytes.length >= 4 && view.matches(0, KDMV)) return true;
  if (!/\.vmdk$/i.test(name)) return false;
  const text = new TextDecoder('latin1').decode(firstBytes.subarray(0, 4096));
  return looksLikeDescriptor(text);
}

/** Every byte zero: ZERO extents. */
class ZeroReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  constructor(name: string, size: number) {
    this.name = name;
    this.size = size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) throw readPastEnd(this, offset, length);
    return new Uint8Array(length);
  }
  async close(): Promise<void> {}
}

/** A VMDK disk (descriptor plus extents, or a monolithic sparse file) as one read-only medium. */
export class VmdkImage implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  readonly info: VmdkInfo;
  private readonly media: ConcatReader;
  private readonly files: FileReader[];
  private readonly parent: RandomAccessReader | undefined;

  private constructor(
    name: string,
    info: VmdkInfo,
    media: ConcatReader,
    files: FileReader[],
    parent: RandomAccessReader | undefined,
  ) {
    this.name = name;
    this.info = info;
    this.media = media;
    this.size = media.size;
    this.files = files;
    this.parent = parent;
  }

  static async open(path: string, options: VmdkOptions = {}, depth = 0): Promise<VmdkImage> {
    const files: FileReader[] = [];
    let parent: RandomAccessReader | undefined;
    try {
      const first = await FileReader.open(path);
      files.push(first);
      const head = new ByteView(await first.read(0, Math.min(first.size, 512)), 0, FORMAT, 'file header');
      let descriptor: Descriptor;
      let embedded = false;
      if (head.length >= 4 && head.matches(0, KDMV)) {
        embedded = true;
        const header = await SparseExtent.readHeader(first);
        if (header.descriptorOffset > 0 && header.descriptorSize > 0) {
          const size = Math.min(header.descriptorSize * SECTOR, MAX_DESCRIPTOR_BYTES);
          const text = new TextDecoder('utf-8').decode(
            await first.read(header.descriptorOffset * SECTOR, size),
          );
          descriptor = parseDescriptor(text, path);
        } else {
          descriptor = { extents: [], ddb: {} };
        }
        if (descriptor.extents.length === 0) {
          // No (usable) embedded descriptor: the file is the whole disk.
          descriptor.extents = [
            { access: 'RW', sectors: header.capacity, type: 'SPARSE', file: basename(path), offset: 0 },
          ];
        }
      } else if (head.length >= 4 && head.matches(0, COWD)) {
        throw new FormatError(
          FORMAT,
          'file header',
          0,
          'ESX COWD (vmfsSparse) extents are not supported',
          path,
        );
      } else {
        if (first.size > MAX_DESCRIPTOR_BYTES) {
          throw new FormatError(
            FORMAT,
            'descriptor',
            0,
            'neither a KDMV sparse extent nor a descriptor file',
            path,
          );
        }
        const text = new TextDecoder('utf-8').decode(await first.read(0, first.size));
        if (!looksLikeDescriptor(text)) {
          throw new FormatError(
            FORMAT,
            'descriptor',
            0,
            'neither a KDMV sparse extent nor a descriptor file',
            path,
          );
        }
        descriptor = parseDescriptor(text, path);
      }
      if (descriptor.extents.length === 0) {
        throw new FormatError(FORMAT, 'descriptor', 0, 'descriptor lists no extents', path);
      }
      const hint = descriptor.parentFileNameHint;
      if (
        descriptor.parentCid !== undefined &&
        descriptor.parentCid.toLowerCase() !== NO_PARENT &&
        hint !== undefined
      ) {
        if (depth + 1 > MAX_PARENT_DEPTH) {
          throw new FormatError(
            FORMAT,
            'descriptor',
            0,
            `parent chain deeper than ${MAX_PARENT_DEPTH}`,
            path,
          );
        }
        const parentPath = join(dirname(path), hint.replace(/^.*[\\/]/, ''));
        if (!(await fileExists(parentPath))) {
          throw new FormatError(FORMAT, 'descriptor', 0, `parent "${hint}" not found beside the child`, path);
        }
        parent = await VmdkImage.open(parentPath, options, depth + 1);
      }
      const parts: RandomAccessReader[] = [];
      const byName = new Map<string, FileReader>([[basename(path), first]]);
      const only = descriptor.extents[0]!;
      if (embedded && descriptor.extents.length === 1 && only.type === 'SPARSE' && only.file !== undefined) {
        // A descriptor inside a sparse extent describes that very file, whatever it is now called.
        byName.set(only.file, first);
      }
      let start = 0;
      for (const extent of descriptor.extents) {
        parts.push(await VmdkImage.extentReader(extent, path, start, byName, files, parent, options));
        start += extent.sectors * SECTOR;
      }
      const media = new ConcatReader(parts, path);
      if (parent !== undefined && parent.size < media.size) {
        throw new FormatError(FORMAT, 'descriptor', 0, 'parent disk is smaller than the child', path);
      }
      const info: VmdkInfo = {
        createType: descriptor.createType ?? 'monolithicSparse',
        descriptor,
        extents: descriptor.extents.map((extent) => ({
          type: extent.type,
          sectors: extent.sectors,
          ...(extent.file === undefined ? {} : { file: extent.file }),
        })),
      };
      if (parent !== undefined) info.parentPath = parent.name;
      return new VmdkImage(path, info, media, files, parent);
    } catch (error) {
      for (const file of files) await file.close();
      await parent?.close();
      if (error instanceof FormatError) error.withFile(path);
      throw error;
    }
  }

  private static async extentReader(
    extent: ExtentDescription,
    descriptorPath: string,
    start: number,
    byName: Map<string, FileReader>,
    files: FileReader[],
    parent: RandomAccessReader | undefined,
    options: VmdkOptions,
  ): Promise<RandomAccessReader> {
    const size = extent.sectors * SECTOR;
    if (extent.type === 'ZERO') return new ZeroReader(`${descriptorPath}:zero@${start}`, size);
    if (extent.file === undefined) {
      throw new FormatError(
        FORMAT,
        'descriptor',
        0,
        `${extent.type} extent without a file name`,
        descriptorPath,
      );
    }
    const name = extent.file;
    const path = isAbsolute(name) ? name : join(dirname(descriptorPath), name);
    let file = byName.get(name);
    if (file === undefined) {
      if (!(await fileExists(path))) {
        throw new FormatError(FORMAT, 'descriptor', 0, `extent file "${name}" is missing`, descriptorPath);
      }
      file = await FileReader.open(path);
      files.push(file);
      byName.set(name, file);
    }
    switch (extent.type) {
      case 'FLAT':
      case 'VMFS': {
        const offset = extent.offset * SECTOR;
        if (offset + size > file.size) {
          throw new FormatError(
            FORMAT,
            'extent',
            offset,
            `flat extent of ${size} bytes does not fit in ${name}`,
            path,
          );
        }
        return new SliceReader(file, offset, size, `${path}@${offset}`);
      }
      case 'SPARSE': {
        const sparse = await SparseExtent.open(file, {
          ...options,
          ...(parent === undefined
            ? {}
            : { fallback: (offset: number, length: number) => parent.read(start + offset, length) }),
        });
        if (sparse.size < size) {
          throw new FormatError(
            FORMAT,
            'extent',
            0,
            `sparse extent capacity ${sparse.size} < ${size} in the descriptor`,
            path,
          );
        }
        return sparse.size === size ? sparse : new SliceReader(sparse, 0, size);
      }
      default:
        throw new FormatError(
          FORMAT,
          'descriptor',
          0,
          `extent type ${extent.type} is not supported`,
          descriptorPath,
        );
    }
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.media.read(offset, length);
  }

  async close(): Promise<void> {
    await this.media.close();
    for (const file of this.files) await file.close();
    await this.parent?.close();
  }
}

/** Opens a VMDK (descriptor file or sparse extent) and its extent files, read-only. */
export function openVmdk(path: string, options: VmdkOptions = {}): Promise<VmdkImage> {
  return VmdkImage.open(path, options);
}
