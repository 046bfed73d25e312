import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../partitions/test-support/tools.js';

/**
 * Builds a FAT volume on a plain file with dosfstools and mtools (no root): a small
 * Windows XP-like tree with the Blaster/Welchia files, a long name, deleted files, a
 * fragmented file, a directory with hundreds of entries and attribute changes.
 * Returns the SHA-256 of every live file written, by path.
 */
export interface BuiltVolume {
  path: string;
  /** Live files: path -> SHA-256 of the bytes put in. */
  files: Map<string, string>;
  /** Deleted files: path as written -> SHA-256 (content may be recoverable). */
  deleted: Map<string, string>;
  fragmented: string;
}

/** Deterministic bytes (xorshift) so that every run builds the same content. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function buildVolume(
  work: string,
  name: string,
  fatType: 12 | 16 | 32,
  sizeKiB: number,
  extraMkfs: string[] = [],
): BuiltVolume {
  const path = join(work, `${name}.img`);
  const staging = join(work, `${name}-files`);
  mkdirSync(staging, { recursive: true });
  run('mkfs.vfat', ['-C', '-F', String(fatType), '-n', 'BLASTER', ...extraMkfs, path, String(sizeKiB)]);
  const image = ['-i', path];
  const files = new Map<string, string>();
  const deleted = new Map<string, string>();
  let seed = 1;
  const put = (target: string, length: number, keep = true): void => {
    const bytes = patternBytes(length, seed++);
    const local = join(staging, `f${seed}`);
    writeFileSync(local, bytes);
    run('mcopy', [...image, local, `::${target}`]);
    (keep ? files : deleted).set(target, sha256(bytes));
  };
  run('mmd', [
    ...image,
    '::/WINDOWS',
    '::/WINDOWS/system32',
    '::/WINDOWS/system32/wins',
    '::/WINDOWS/Prefetch',
    '::/Documents and Settings',
    '::/Documents and Settings/Administrator',
  ]);
  put('/WINDOWS/system32/msblast.exe', 6176);
  put('/WINDOWS/system32/wins/dllhost.exe', 10240);
  put('/WINDOWS/system32/wins/svchost.exe', 19728);
  put('/WINDOWS/system32/TFTP1234', 6176);
  put('/boot.ini', 211);
  put('/Documents and Settings/Administrator/Blaster removal notes, August 2003.txt', 1500);
  // Deleted: a short name and a long name.
  put('/WINDOWS/system32/PENIS32.EXE', 3000, false);
  put('/WINDOWS/system32/Deleted dropper with a long name.tmp', 700, false);
  // Fragmented: small file, a second file after it, delete the first, then write a larger one.
  put('/WINDOWS/frag-a.tmp', 100, false);
  put('/WINDOWS/frag-b.tmp', 100);
  run('mdel', [...image, '::/WINDOWS/frag-a.tmp']);
  deleted.delete('/WINDOWS/frag-a.tmp');
  if (fatType === 32) resetNextFreeHint(path);
  const fragmented = '/WINDOWS/system32/fragmented.dll';
  put(fragmented, 9000);
  // Hundreds of entries in one directory (one mcopy call).
  const prefetch = join(staging, 'prefetch');
  mkdirSync(prefetch, { recursive: true });
  for (let index = 0; index < 300; index += 1) {
    const bytes = patternBytes(40 + (index % 7), 1000 + index);
    const file = `PF${String(index).padStart(4, '0')}.pf`;
    writeFileSync(join(prefetch, file), bytes);
    files.set(`/WINDOWS/Prefetch/${file}`, sha256(bytes));
  }
  run('sh', ['-c', `mcopy -i '${path}' '${prefetch}'/* ::/WINDOWS/Prefetch/`]);
  run('mattrib', [...image, '+r', '+h', '+s', '::/WINDOWS/system32/msblast.exe']);
  run('mattrib', [...image, '+h', '::/WINDOWS/system32/wins/dllhost.exe']);
  run('mattrib', [...image, '+r', '::/WINDOWS/system32/TFTP1234']);
  // A deleted directory tree (mdeltree marks every entry in it deleted).
  run('mmd', [...image, '::/TEMP', '::/TEMP/SUB']);
  put('/TEMP/SUB/dropped.exe', 500, false);
  put('/TEMP/a.exe', 300, false);
  // Deleted last, so that no later write reuses their directory slots or clusters.
  run('mdel', [
    ...image,
    '::/WINDOWS/system32/PENIS32.EXE',
    '::/WINDOWS/system32/Deleted dropper with a long name.tmp',
  ]);
  run('mdeltree', [...image, '::/TEMP']);
  return { path, files, deleted, fragmented };
}

/**
 * mtools allocates from the FAT32 FSInfo next-free hint, so a freed hole would never be
 * reused; setting the hint to "unknown" (0xFFFFFFFF) makes it search from cluster 2 and
 * fragment the next file. Test fixture preparation only.
 */
function resetNextFreeHint(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const boot = Buffer.alloc(512);
    readSync(fd, boot, 0, 512, 0);
    const fsInfoOffset = boot.readUInt16LE(48) * boot.readUInt16LE(11);
    writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, fsInfoOffset + 492);
  } finally {
    closeSync(fd);
  }
}
