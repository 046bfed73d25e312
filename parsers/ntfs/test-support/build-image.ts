/**
 * Builds small NTFS test images with the real ntfs-3g tools, so that tests compare our reader
 * with The Sleuth Kit on a file system we did not write ourselves.
 *
 * What real tools make: the volume (mkntfs -Q), the directory tree, file content, alternate data
 * streams, DOS 8.3 names (ntfs-3g xattr system.ntfs_dos_name), LZNT1-compressed files (ntfs-3g
 * compresses files created in a directory whose FILE_ATTRIBUTE_COMPRESSED is set through the
 * system.ntfs_attrib_be xattr), sparse files (holes written by seek), a fragmented file (gaps left
 * by deleted filler files), deleted files, a hard link, a directory of 400 files ($INDEX_ALLOCATION)
 * and deleted files with their deleted parent directory. All of it goes through an ntfs-3g FUSE
 * mount of the image file; where FUSE is unavailable the builder says why and tests skip.
 * Nothing here is written by our own code: the image is entirely ntfs-3g's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BuiltFile {
  /** Path inside the volume with '/' separators, stream as `path:name`. */
  path: string;
  sha256: string;
  size: number;
}

export interface BuiltImage {
  dir: string;
  image: string;
  files: BuiltFile[];
  deleted: string[];
  cleanup(): void;
}

export function toolMissing(): string | undefined {
  for (const tool of ['mkntfs', 'ntfs-3g', 'fls', 'icat', 'python3', 'umount']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed`;
  }
  return undefined;
}

/** Deterministic bytes (xorshift32), optionally made compressible by repeating a short pattern. */
export function testBytes(size: number, seed: number, compressible = false): Uint8Array {
  const out = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < size; index += 1) {
    if (compressible) {
      out[index] = 0x41 + ((index * 7 + seed) % 23) * ((index >> 9) % 2);
      continue;
    }
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[index] = state & 0xff;
  }
  return out;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs Python for the calls Node lacks (setxattr, seek-past-end writes with holes). */
function python(script: string, ...args: string[]): void {
  run('python3', ['-c', script, ...args]);
}

const SET_ATTRIB = `import os,sys; os.setxattr(sys.argv[1], 'system.ntfs_attrib_be', int(sys.argv[2],16).to_bytes(4,'big'))`;
const SET_DOS_NAME = `import os,sys; os.setxattr(sys.argv[1], 'system.ntfs_dos_name', sys.argv[2].encode())`;

/**
 * Builds the Windows-like test volume. Throws with a reason when a tool or FUSE is unavailable
 * (callers turn that into a skip).
 */
export function buildTestImage(sizeMiB = 48): BuiltImage {
  const dir = mkdtempSync(join(tmpdir(), 'ntfs-test-'));
  const image = join(dir, 'volume.raw');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const files: BuiltFile[] = [];
  const deleted: string[] = [];
  let mounted = false;
  const cleanup = (): void => {
    if (mounted) spawnSync('umount', [mnt]);
    mounted = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(image, new Uint8Array(0));
    run('truncate', ['-s', `${sizeMiB}M`, image]);
    run('mkntfs', ['-F', '-Q', '-q', '-L', 'BLASTER', image]);
    run('ntfs-3g', ['-o', 'streams_interface=windows', image, mnt]);
    mounted = true;
    const put = (path: string, bytes: Uint8Array): void => {
      writeFileSync(join(mnt, path), bytes);
      files.push({ path: `/${path}`, sha256: sha256(bytes), size: bytes.length });
    };
    const mkdir = (path: string): void => {
      mkdirSync(join(mnt, path), { recursive: true });
    };

    mkdir('WINDOWS/system32/config');
    mkdir('WINDOWS/system32/wins');
    put('WINDOWS/system32/config/SYSTEM', testBytes(300_000, 1));
    put('WINDOWS/system32/config/SOFTWARE', testBytes(520_000, 2));
    put('WINDOWS/system32/msblast.exe', testBytes(6176, 3));
    put('WINDOWS/system32/wins/dllhost.exe', testBytes(10_240, 4));
    put('WINDOWS/system32/TFTP1234', testBytes(6176, 3));
    put('WINDOWS/tiny.txt', new TextEncoder().encode('resident data\r\n'));
    put('WINDOWS/empty.log', new Uint8Array(0));
    // Long name with a DOS 8.3 alias: two $FILE_NAME attributes (Win32 + DOS).
    put('WINDOWS/A very long file name for Windows.txt', testBytes(2000, 5));
    python(SET_DOS_NAME, join(mnt, 'WINDOWS/A very long file name for Windows.txt'), 'AVERYL~1.TXT');
    put('Documents and Settings ünïcødé.txt', testBytes(700, 6));
    // Alternate data streams, one resident, one non-resident.
    put('WINDOWS/download.exe', testBytes(9000, 7));
    put('WINDOWS/download.exe:Zone.Identifier', new TextEncoder().encode('[ZoneTransfer]\r\nZoneId=3\r\n'));
    put('WINDOWS/download.exe:payload', testBytes(20_000, 8));
    // Hard link: one MFT record, two names in two directories.
    run('ln', [join(mnt, 'WINDOWS/system32/msblast.exe'), join(mnt, 'WINDOWS/msblast-link.exe')]);
    files.push({
      ...files.find((file) => file.path.endsWith('msblast.exe'))!,
      path: '/WINDOWS/msblast-link.exe',
    });
    // Compressed directory (LZNT1): compressible, incompressible, mixed and sparse units.
    mkdir('compressed');
    python(SET_ATTRIB, join(mnt, 'compressed'), '00000810');
    put('compressed/text.log', testBytes(300_000, 9, true));
    put('compressed/random.bin', testBytes(150_000, 10));
    const mixed = new Uint8Array(400_000);
    mixed.set(testBytes(100_000, 11, true), 0);
    mixed.set(testBytes(70_000, 12), 200_000);
    put('compressed/mixed.dat', mixed);
    // Sparse file (holes written by seeking past the end).
    const sparse = new Uint8Array(3 * 1024 * 1024);
    sparse.set(testBytes(5000, 13), 1024 * 1024);
    sparse.set(testBytes(4096, 14), 3 * 1024 * 1024 - 4096);
    python(
      `import sys
f=open(sys.argv[1],'wb')
f.seek(1048576); f.write(open(sys.argv[2],'rb').read()[1048576:1048576+5000])
f.seek(3*1048576-4096); f.write(open(sys.argv[2],'rb').read()[3*1048576-4096:])
f.close()`,
      join(mnt, 'sparse.bin'),
      stage(dir, 'sparse', sparse),
    );
    files.push({ path: '/sparse.bin', sha256: sha256(sparse), size: sparse.length });
    // Fragmentation: fill the volume (one big zero file, then 12 KiB files), delete every other
    // small file, then write a file that can only go into the gaps.
    mkdir('fill');
    const free = statfsSync(mnt).bavail * statfsSync(mnt).bsize;
    writeFileSync(join(mnt, 'fill/big.bin'), new Uint8Array(Math.max(0, free - 80 * 12_288)));
    spawnSync('sync');
    let small = 0;
    try {
      for (; small < 200; small += 1)
        writeFileSync(join(mnt, `fill/f${small}.bin`), testBytes(12_288, 100 + small));
    } catch {
      // ENOSPC: the volume is full, which is the point.
      rmSync(join(mnt, `fill/f${small}.bin`), { force: true });
    }
    for (let index = 0; index < small; index += 2) {
      rmSync(join(mnt, `fill/f${index}.bin`));
      deleted.push(`/fill/f${index}.bin`);
    }
    for (let index = 1; index < small; index += 2) {
      files.push({
        path: `/fill/f${index}.bin`,
        sha256: sha256(testBytes(12_288, 100 + index)),
        size: 12_288,
      });
    }
    spawnSync('sync');
    put('fragmented.bin', testBytes(20 * 12_288, 15));
    rmSync(join(mnt, 'fill/big.bin'));
    // A large directory: 400 entries need $INDEX_ALLOCATION.
    mkdir('WINDOWS/Prefetch');
    for (let index = 0; index < 400; index += 1) {
      put(
        `WINDOWS/Prefetch/PROGRAM${String(index).padStart(4, '0')}.EXE-1A2B3C4D.pf`,
        testBytes(64 + index, 200 + index),
      );
    }
    put('README.TXT', new TextEncoder().encode('blaster triage test volume\n'));
    // Deletions last, so that no later file reuses their MFT records.
    // Deleted file whose parent still exists.
    writeFileSync(join(mnt, 'WINDOWS/system32/deleted-worm.exe'), testBytes(6176, 16));
    rmSync(join(mnt, 'WINDOWS/system32/deleted-worm.exe'));
    deleted.push('/WINDOWS/system32/deleted-worm.exe');
    // A deleted directory with a deleted file in it (the tests derive an orphan from it).
    mkdir('tempdir');
    writeFileSync(join(mnt, 'tempdir/orphan.txt'), testBytes(3000, 17));
    rmSync(join(mnt, 'tempdir'), { recursive: true });
    deleted.push('/tempdir/orphan.txt');
    spawnSync('sync');
    run('umount', [mnt]);
    mounted = false;
    return { dir, image, files, deleted, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

function stage(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, `${name}.stage`);
  writeFileSync(path, bytes);
  return path;
}

if (process.argv[1]?.endsWith('build-image.ts')) {
  const built = buildTestImage();
  process.stdout.write(`${built.image}\n`);
}
