/**
 * Builds small Windows-like disk images with real tools, for the end-to-end image tests:
 * - NTFS: mkntfs makes the volume and every file goes through an ntfs-3g FUSE mount (the sample
 *   host WS-ACCT-07: its SYSTEM/SOFTWARE hives, SysEvent.Evt, the msblast.exe stand-in, the TFTP
 *   leftover, a deleted file, an alternate data stream), then sfdisk partitions a disk that holds
 *   the volume at 1 MiB;
 * - FAT: mkfs.vfat + mmd/mcopy (times set by mtools from the staged files' mtimes, as local time);
 * - containers: `ewfacquire` (E01, deflate, split into segments) and `qemu-img convert`
 *   (VMDK, VHD, VHDX) of the raw disk.
 * Nothing here is written by our own code except the file contents (sample-hosts.ts).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SAMPLE_DISK_SIGNATURE, SAMPLE_SYSTEM_PARTITION_START } from '../../samples/sample-hives.js';
import { infectedHost, type SampleFile } from '../../samples/sample-hosts.js';

export const PARTITION_START = SAMPLE_SYSTEM_PARTITION_START;

export function hasTools(...tools: string[]): string | undefined {
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed`;
  }
  return undefined;
}

export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' },
    ...(input === undefined ? {} : { input }),
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic incompressible bytes (xorshift32). */
export function randomBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < size; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[index] = state & 0xff;
  }
  return out;
}

/** The infected sample host's files that live on its C: volume (paths without the `C/`). */
export function volumeFiles(): SampleFile[] {
  return infectedHost()
    .filter((file) => file.path.startsWith('C/'))
    .map((file) => ({ ...file, path: file.path.slice(2) }));
}

export interface BuiltDisk {
  dir: string;
  /** The raw partitioned disk (MBR, one partition at PARTITION_START). */
  disk: string;
  /** The bare volume. */
  volume: string;
  files: SampleFile[];
  cleanup(): void;
}

/** Puts a volume image into a new MBR disk at 1 MiB with sfdisk. */
function partitionedDisk(dir: string, volume: string, volumeBytes: number, type: string): string {
  const disk = join(dir, 'disk.raw');
  run('truncate', ['-s', String(PARTITION_START + volumeBytes + 1024 * 1024), disk]);
  // The sample SYSTEM hive's MountedDevices names C: by this disk signature and offset.
  const labelId = `0x${SAMPLE_DISK_SIGNATURE.toString(16).padStart(8, '0')}`;
  run(
    'sfdisk',
    ['-q', disk],
    `label: dos\nlabel-id: ${labelId}\nstart=${PARTITION_START / 512}, size=${volumeBytes / 512}, type=${type}\n`,
  );
  run('dd', [
    `if=${volume}`,
    `of=${disk}`,
    'bs=1M',
    `seek=${PARTITION_START / (1024 * 1024)}`,
    'conv=notrunc',
    'status=none',
  ]);
  return disk;
}

/**
 * The NTFS sample host: a 16 MiB volume written through an ntfs-3g mount, in an MBR disk.
 * Throws with a reason when FUSE or a tool is unavailable (callers skip).
 */
export function buildNtfsDisk(): BuiltDisk {
  const dir = mkdtempSync(join(tmpdir(), 'scan-image-'));
  const volume = join(dir, 'volume.raw');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  let mounted = false;
  const cleanup = (): void => {
    if (mounted) spawnSync('umount', [mnt]);
    mounted = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const size = 16 * 1024 * 1024;
    run('truncate', ['-s', String(size), volume]);
    run('mkntfs', ['-F', '-Q', '-q', '-L', 'WINXP', volume]);
    run('ntfs-3g', ['-o', 'streams_interface=windows', volume, mnt]);
    mounted = true;
    const files = volumeFiles();
    mkdirSync(join(mnt, 'Documents and Settings/Administrator'), { recursive: true });
    mkdirSync(join(mnt, 'WINDOWS/Temp'), { recursive: true });
    for (const file of files) {
      const target = join(mnt, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.data);
    }
    // An alternate data stream, and a deleted file whose record stays unused afterwards.
    writeFileSync(join(mnt, 'WINDOWS/notepad.exe'), new TextEncoder().encode('MZ notepad stand-in'));
    writeFileSync(join(mnt, 'WINDOWS/notepad.exe:Zone.Identifier'), '[ZoneTransfer]\r\nZoneId=3\r\n');
    // Incompressible bytes so that a compressed E01 still needs several 1 MiB segments.
    mkdirSync(join(mnt, 'WINDOWS/Driver Cache/i386'), { recursive: true });
    writeFileSync(join(mnt, 'WINDOWS/Driver Cache/i386/driver.cab'), randomBytes(2_600_000, 7));
    writeFileSync(join(mnt, 'WINDOWS/Temp/setup.tmp'), new Uint8Array(3000).fill(0x41));
    rmSync(join(mnt, 'WINDOWS/Temp/setup.tmp'));
    // Times last: ntfs-3g sets $SI times from utimes; $FN keeps the creation-time copy.
    for (const file of files) utimesSync(join(mnt, file.path), file.mtime, file.mtime);
    spawnSync('sync');
    run('umount', [mnt]);
    mounted = false;
    const disk = partitionedDisk(dir, volume, size, '7');
    return { dir, disk, volume, files, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** The sample host's files on a FAT16 volume (mtools), in an MBR disk. */
export function buildFatDisk(keep: (path: string) => boolean = () => true): BuiltDisk {
  const dir = mkdtempSync(join(tmpdir(), 'scan-image-fat-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const volume = join(dir, 'volume.raw');
    const sizeKiB = 16 * 1024;
    run('mkfs.vfat', ['-C', '-F', '16', '-n', 'WINXP', volume, String(sizeKiB)]);
    const files = volumeFiles().filter((file) => keep(file.path));
    const made = new Set<string>();
    const staging = join(dir, 'staging');
    for (const file of files) {
      const parts = file.path.split('/');
      for (let depth = 1; depth < parts.length; depth += 1) {
        const folder = parts.slice(0, depth).join('/');
        if (made.has(folder)) continue;
        made.add(folder);
        run('mmd', ['-i', volume, `::/${folder}`]);
      }
      const staged = join(staging, file.path);
      mkdirSync(dirname(staged), { recursive: true });
      writeFileSync(staged, file.data);
      utimesSync(staged, file.mtime, file.mtime);
      // -m keeps the staged file's mtime; with TZ=UTC mtools writes it as the "local" time.
      run('mcopy', ['-m', '-i', volume, staged, `::/${file.path}`]);
    }
    const disk = partitionedDisk(dir, volume, sizeKiB * 1024, '6');
    return { dir, disk, volume, files, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** E01 (deflate, segments of at most `segmentBytes`) of a raw disk, made by ewfacquire. */
export function toE01(disk: string, target: string, segmentBytes = 1024 * 1024): string {
  run('ewfacquire', ['-u', '-q', '-c', 'deflate:best', '-S', String(segmentBytes), '-t', target, disk]);
  return `${target}.E01`;
}

/** `qemu-img convert` of a raw disk into vmdk / vpc (VHD) / vhdx. */
export function toQemu(disk: string, format: 'vmdk' | 'vpc' | 'vhdx', target: string): string {
  run('qemu-img', ['convert', '-f', 'raw', '-O', format, disk, target]);
  return target;
}
