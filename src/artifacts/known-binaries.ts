import { createHash } from 'node:crypto';
import { type RandomAccessReader, readBlocks } from '../../parsers/io/index.js';

/**
 * The worm binaries of the catalog (indicators.md §2 and §7), by name and place: these files are
 * hashed when a file system is listed, so a known hash (BLA-F3) can match. Nothing else is read.
 */
const KNOWN_NAMES = new Set([
  'msblast.exe',
  'penis32.exe',
  'teekids.exe',
  'mspatch.exe',
  'mslaugh.exe',
  'enbiei.exe',
  'eschlp.exe',
  'svchosthlp.exe',
  'rpcservicepack.exe',
]);
const KNOWN_PLACES = /\\(wins\\dllhost\.exe|wins\\svchost\.exe|drivers\\svchost\.exe)$/;
const TFTP_LEFTOVER = /^tftp\d+$/;
/** Blaster.A / .E (6,176 bytes) and Welchia.A (10,240 bytes) in system32 or system32\wins. */
const KNOWN_SIZES = new Set([6176, 10_240]);
const SYSTEM32_FILE = /\\system32(\\wins)?\\[^\\]+$/;
/** Larger files are not the worms' (all are tens of KiB): not read. */
export const MAX_HASHED_BYTES = 64 * 1024 * 1024;

/** Whether a file (Windows path from the volume root, size in bytes) should be hashed. */
export function isKnownBinaryCandidate(windowsPath: string, size: number): boolean {
  if (size > MAX_HASHED_BYTES) return false;
  const lower = windowsPath.toLowerCase();
  const name = lower.slice(lower.lastIndexOf('\\') + 1);
  if (KNOWN_NAMES.has(name) || TFTP_LEFTOVER.test(name) || KNOWN_PLACES.test(lower)) return true;
  return KNOWN_SIZES.has(size) && SYSTEM32_FILE.test(lower);
}

export interface FileHashes {
  md5: string;
  sha1: string;
  sha256: string;
}

/** MD5, SHA-1 and SHA-256 of a file's bytes, read once in 1 MiB blocks. */
export async function hashReader(reader: RandomAccessReader): Promise<FileHashes> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  for await (const block of readBlocks(reader, 1024 * 1024)) {
    md5.update(block);
    sha1.update(block);
    sha256.update(block);
  }
  return { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex') };
}
