/**
 * End-to-end `scan` of a disk image: an E01 (ewfacquire, deflate, 64 MiB segments) of an MBR
 * disk holding a 512 MiB NTFS volume written through an ntfs-3g FUSE mount: the infected sample
 * host's Windows folder (hives, SysEvent.Evt, msblast.exe stand-in) plus 40 directories x 1000
 * small files. Measures the whole job (hash every segment, list the volume twice — source index
 * and file-system records —, read hives and logs, rules, timeline) with its peak RSS. Built once
 * in bench/out; without ntfs-3g/FUSE/ewfacquire the bench says so and stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { volumeFiles } from '../test/support/windows-image.js';
import { ensureWorkDir, fileSize, printTable, runWorker, toolAvailable } from './lib.js';

const DIRECTORIES = 40;
const FILES_PER_DIRECTORY = 1000;
const VOLUME_BYTES = 512 * 1024 * 1024;

function sh(command: string, args: string[], input?: string): boolean {
  return (
    spawnSync(command, args, {
      ...(input === undefined ? {} : { input }),
      stdio: ['pipe', 'ignore', 'inherit'],
    }).status === 0
  );
}

function buildE01(work: string): string | undefined {
  for (const tool of ['mkntfs', 'ntfs-3g', 'umount', 'sfdisk', 'ewfacquire']) {
    if (!toolAvailable(tool)) return `${tool} missing`;
  }
  const volume = join(work, 'scan-image-volume.raw');
  const disk = join(work, 'scan-image-disk.raw');
  const mnt = join(work, 'scan-image.mnt');
  mkdirSync(mnt, { recursive: true });
  sh('truncate', ['-s', String(VOLUME_BYTES), volume]);
  if (!sh('mkntfs', ['-F', '-Q', '-q', volume])) return 'mkntfs failed';
  if (!sh('ntfs-3g', [volume, mnt])) return 'ntfs-3g mount failed (no FUSE?)';
  try {
    for (const file of volumeFiles()) {
      const target = join(mnt, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.data);
      utimesSync(target, file.mtime, file.mtime);
    }
    const content = new Uint8Array(3 * 1024).map((_, index) => (index * 31) & 0xff);
    for (let directory = 0; directory < DIRECTORIES; directory += 1) {
      const dir = join(mnt, 'Documents and Settings', `user${String(directory).padStart(3, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let file = 0; file < FILES_PER_DIRECTORY; file += 1) {
        writeFileSync(join(dir, `file-${file}.dat`), content.subarray(0, (file * 37) % content.length));
      }
    }
  } finally {
    sh('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
  sh('truncate', ['-s', String(VOLUME_BYTES + 2 * 1024 * 1024), disk]);
  if (!sh('sfdisk', ['-q', disk], `label: dos\nstart=2048, size=${VOLUME_BYTES / 512}, type=7\n`)) {
    return 'sfdisk failed';
  }
  sh('dd', [`if=${volume}`, `of=${disk}`, 'bs=1M', 'seek=1', 'conv=notrunc', 'status=none']);
  rmSync(volume);
  const target = join(work, 'scan-image');
  if (
    !sh('ewfacquire', [
      '-u',
      '-q',
      '-c',
      'deflate:fast',
      '-S',
      String(64 * 1024 * 1024),
      '-t',
      `${target}.partial`,
      disk,
    ])
  ) {
    return 'ewfacquire failed';
  }
  rmSync(disk);
  for (const suffix of ['E01', 'E02', 'E03', 'E04', 'E05', 'E06', 'E07', 'E08']) {
    if (existsSync(`${target}.partial.${suffix}`))
      renameSync(`${target}.partial.${suffix}`, `${target}.${suffix}`);
  }
  return undefined;
}

const work = ensureWorkDir();
const image = join(work, 'scan-image.E01');
if (!existsSync(image)) {
  const why = buildE01(work);
  if (why !== undefined) {
    process.stdout.write(`\n## scan of an E01 image\n\nskipped: ${why}\n`);
    process.exit(0);
  }
}
const result = runWorker('scan-image-scan.ts', [image, join(work, 'scan-image-out')]);
printTable(
  `scan of an E01 image (${DIRECTORIES * FILES_PER_DIRECTORY} files; records = normalized records)`,
  [
    {
      tool: 'blaster-triage scan',
      input: `scan-image.E01 (${result.extra?.segments} segments)`,
      bytes: fileSize(image),
      records: result.records,
      seconds: result.seconds,
      peakRssMiB: result.peakRssMiB,
      note: `${result.extra?.timelineRows} timeline rows, verdict ${result.extra?.verdict}`,
    },
  ],
);
