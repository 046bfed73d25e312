import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DirectorySource } from './directory-source.js';
import { detectImageFormat, readEnds } from './image-container.js';
import { ImageSource } from './image-source.js';
import { SingleFileSource } from './single-file-source.js';
import { EvidenceError, type EvidenceSource } from './vfs.js';
import { type ZipLimits, ZipSource } from './zip-source.js';

export interface OpenOptions {
  zipLimits?: Partial<ZipLimits>;
}

const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY_ARCHIVE = [0x50, 0x4b, 0x05, 0x06];

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

/**
 * Opens a piece of evidence by what it is: a directory, a zip (signature), a disk image (EWF,
 * VMDK, VHD, VHDX by signature; raw by name or by a partition table / boot sector in sector 0),
 * or else a single loose artifact file.
 */
export async function openEvidence(path: string, options: OpenOptions = {}): Promise<EvidenceSource> {
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(path);
  } catch (error) {
    throw new EvidenceError(path, '', `cannot open: ${(error as Error).message}`);
  }
  if (stats.isDirectory()) return DirectorySource.open(path);
  if (!stats.isFile()) throw new EvidenceError(path, '', 'neither a file nor a directory');
  const head = await readHead(path, 4096);
  if (startsWith(head, ZIP_LOCAL_HEADER) || startsWith(head, ZIP_EMPTY_ARCHIVE)) {
    return ZipSource.open(path, options.zipLimits);
  }
  const { tail } = await readEnds(path);
  const format = detectImageFormat(head, tail, basename(path));
  if (format !== undefined) return ImageSource.open(path, format);
  // Anything else is taken as one loose artifact; the locator decides by name and content
  // whether it is one it knows.
  return SingleFileSource.open(path);
}
