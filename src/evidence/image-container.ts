import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { detectEwf, openEwf } from '../../parsers/ewf/index.js';
import {
  asciiBytes,
  ByteView,
  type FormatErrorRecord,
  type RandomAccessReader,
} from '../../parsers/io/index.js';
import { detectBareFileSystem } from '../../parsers/partitions/index.js';
import { detectRaw, openRaw } from '../../parsers/raw/index.js';
import { detectVhd, detectVhdx, openVhd, openVhdx } from '../../parsers/vhd/index.js';
import { detectVmdk, openVmdk } from '../../parsers/vmdk/index.js';

/** Disk image container formats `openEvidence` recognises. */
export type ImageFormat = 'ewf' | 'vmdk' | 'vhd' | 'vhdx' | 'raw';

/** The media of an opened image, with the files it was read from (for hashing). */
export interface OpenedContainer {
  format: ImageFormat;
  media: RandomAccessReader;
  /** Every file of the image set, the named one first (segments, extents, parents). */
  files: string[];
  /** Damage the container parser met while opening. */
  warnings: FormatErrorRecord[];
}

const HEAD_BYTES = 4096;
const TAIL_BYTES = 512;
const BOOT_SIGNATURE = 510;
/** Raw image names: the parser's list, narrowed to what the CLI documents (`.dd/.raw/.img/.bin/.001/.000`). */
const RAW_NAME = /\.(dd|raw|img|bin|000|001)$/i;
const MBR_ENTRIES = 446;
const MBR_ENTRY_SIZE = 16;

/** The first and last bytes of a file, for signature checks. */
export async function readEnds(path: string): Promise<{ head: Uint8Array; tail: Uint8Array; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(TAIL_BYTES, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return { head, tail, size };
  } finally {
    await handle.close();
  }
}

/**
 * An MBR whose four entries are sane: boot flags 0x00/0x80 and at least one used entry. With the
 * 0x55AA signature this tells a partitioned raw disk from any other file ending in 55AA at 510.
 */
function looksLikeMbr(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  const view = new ByteView(head.subarray(0, 512), 0, 'image', 'mbr');
  let used = 0;
  for (let slot = 0; slot < 4; slot += 1) {
    const entry = MBR_ENTRIES + slot * MBR_ENTRY_SIZE;
    const flag = view.u8(entry);
    if (flag !== 0 && flag !== 0x80) return false;
    if (view.u8(entry + 4) !== 0 && view.u32(entry + 12) !== 0) used += 1;
  }
  return used > 0;
}

/**
 * Which image format a file is, from its first and last bytes and its name: signed formats first
 * (EWF, VMDK sparse header or descriptor, VHDX identifier, VHD footer at either end), then raw by
 * name, or raw because sector 0 is a partition table or a volume boot sector.
 */
export function detectImageFormat(head: Uint8Array, tail: Uint8Array, name: string): ImageFormat | undefined {
  if (detectEwf(head, name)) return 'ewf';
  if (detectVmdk(head, name)) return 'vmdk';
  if (detectVhdx(head, name)) return 'vhdx';
  if (detectVhd(head, name, tail)) return 'vhd';
  // A file smaller than one sector holds no disk, whatever its name.
  if (head.length >= 512 && RAW_NAME.test(name) && detectRaw(head, name)) return 'raw';
  if (head.length >= 512 && head[BOOT_SIGNATURE] === 0x55 && head[BOOT_SIGNATURE + 1] === 0xaa) {
    const sector = new ByteView(head.subarray(0, 512), 0, 'image', 'boot sector');
    if (detectBareFileSystem(sector) !== undefined || looksLikeMbr(head)) return 'raw';
  }
  // A GPT disk without a readable protective MBR still has its header at LBA 1.
  if (head.length >= 520 && new ByteView(head, 0, 'image', 'gpt').matches(512, asciiBytes('EFI PART'))) {
    return 'raw';
  }
  return undefined;
}

/** Opens the image read-only as one medium; the container finds its own segments and parents. */
export async function openContainer(path: string, format: ImageFormat): Promise<OpenedContainer> {
  switch (format) {
    case 'ewf': {
      const image = await openEwf(path);
      return { format, media: image, files: [...image.info.segments], warnings: image.warnings };
    }
    case 'vmdk': {
      const image = await openVmdk(path);
      const files = [path];
      for (const extent of image.info.extents) {
        if (extent.file === undefined) continue;
        const file = join(dirname(path), extent.file);
        if (file !== path && basename(file) !== basename(path) && !files.includes(file)) files.push(file);
      }
      if (image.info.parentPath !== undefined) files.push(image.info.parentPath);
      return { format, media: image, files, warnings: [] };
    }
    case 'vhd': {
      const image = await openVhd(path);
      const files = [path, ...(image.info.parentPath === undefined ? [] : [image.info.parentPath])];
      return { format, media: image, files, warnings: image.warnings };
    }
    case 'vhdx': {
      const image = await openVhdx(path);
      return { format, media: image, files: [path], warnings: image.warnings };
    }
    case 'raw': {
      const image = await openRaw(path);
      return { format, media: image, files: [...image.segments], warnings: [] };
    }
  }
}
