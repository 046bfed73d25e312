/**
 * NTFS listing: our MFT scan and bodyfile vs The Sleuth Kit `fls -r -m /` on the same image.
 * The image (bench/out/ntfs-bench.raw) is built once with mkntfs and an ntfs-3g FUSE mount:
 * 1 GiB, 100 directories x 1000 files of 0-3 KiB (most resident, some non-resident) plus a few
 * larger files. Without ntfs-3g/FUSE the bench says so and stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureWorkDir,
  fileSize,
  type Measurement,
  printTable,
  runMeasured,
  runWorker,
  toolAvailable,
} from './lib.js';

const DIRECTORIES = 100;
const FILES_PER_DIRECTORY = 1000;

function buildImage(path: string): string | undefined {
  for (const tool of ['mkntfs', 'ntfs-3g', 'umount']) if (!toolAvailable(tool)) return `${tool} missing`;
  const temporary = `${path}.partial`;
  const mnt = `${path}.mnt`;
  rmSync(temporary, { force: true });
  mkdirSync(mnt, { recursive: true });
  spawnSync('truncate', ['-s', '1G', temporary]);
  if (spawnSync('mkntfs', ['-F', '-Q', '-q', temporary]).status !== 0) return 'mkntfs failed';
  if (spawnSync('ntfs-3g', [temporary, mnt]).status !== 0) return 'ntfs-3g mount failed (no FUSE?)';
  try {
    const started = Date.now();
    const content = new Uint8Array(3 * 1024);
    for (let index = 0; index < content.length; index += 1) content[index] = (index * 31) & 0xff;
    for (let directory = 0; directory < DIRECTORIES; directory += 1) {
      const dir = join(mnt, `dir${String(directory).padStart(3, '0')}`);
      mkdirSync(dir);
      for (let file = 0; file < FILES_PER_DIRECTORY; file += 1) {
        writeFileSync(join(dir, `file-${file}.dat`), content.subarray(0, (file * 37) % content.length));
      }
    }
    for (let index = 0; index < 20; index += 1)
      writeFileSync(join(mnt, `big${index}.bin`), new Uint8Array(8 * 1024 * 1024).fill(index));
    process.stderr.write(
      `built ${DIRECTORIES * FILES_PER_DIRECTORY} files in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
  } finally {
    spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
  renameSync(temporary, path);
  return undefined;
}

const image = join(ensureWorkDir(), 'ntfs-bench.raw');
if (!existsSync(image)) {
  const why = buildImage(image);
  if (why !== undefined) {
    process.stdout.write(`\n## NTFS listing\n\nskipped: ${why}\n`);
    process.exit(0);
  }
}

const rows: Measurement[] = [];
const bodyfile = runWorker('ntfs-bodyfile.ts', [image]);
rows.push({
  tool: 'ours openNtfs().bodyfile()',
  input: 'ntfs-bench.raw',
  bytes: bodyfile.bytes,
  records: bodyfile.records,
  seconds: bodyfile.seconds,
  peakRssMiB: bodyfile.peakRssMiB,
  note: `(${bodyfile.extra?.mftRecords} MFT records, MB = $MFT size)`,
});
if (toolAvailable('fls')) {
  const fls = runMeasured(['fls', '-r', '-m', '/', image], { stdoutToNull: true });
  const lines = runMeasured(['fls', '-r', '-m', '/', image])
    .stdout.split('\n')
    .filter((line) => line !== '').length;
  rows.push({
    tool: 'fls -r -m / (sleuthkit)',
    input: 'ntfs-bench.raw',
    bytes: bodyfile.bytes,
    records: lines,
    seconds: fls.seconds,
    peakRssMiB: fls.peakRssMiB,
  });
}
if (toolAvailable('fsntfsinfo')) {
  // -H walks the hierarchy (without it -B writes nothing); bodyfile and stdout to /dev/null.
  const fsntfs = runMeasured(['fsntfsinfo', '-H', '-B', '/dev/null', image], { stdoutToNull: true });
  rows.push({
    tool: 'fsntfsinfo -H -B (libfsntfs)',
    input: 'ntfs-bench.raw',
    bytes: bodyfile.bytes,
    seconds: fsntfs.seconds,
    peakRssMiB: fsntfs.peakRssMiB,
  });
}
printTable(
  `NTFS full listing, bodyfile to /dev/null (image ${(fileSize(image) / 2 ** 30).toFixed(1)} GiB)`,
  rows,
);

const mft = runWorker('ntfs-mft.ts', [image]);
printTable('NTFS MFT scan (records parsed with fixups and attribute headers, no paths)', [
  {
    tool: 'ours NtfsVolume.records()',
    input: 'ntfs-bench.raw',
    bytes: mft.bytes,
    records: mft.records,
    seconds: mft.seconds,
    peakRssMiB: mft.peakRssMiB,
  },
]);
