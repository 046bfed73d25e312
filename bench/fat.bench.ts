/**
 * FAT: listing a FAT32 volume as a body file (ours vs `fls -r -m /`) and extracting a large
 * file (ours vs `icat`). The volume is built once in bench/out with mkfs.vfat + mtools.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWorkDir, fileSize, median, printTable, runMeasured, runWorker, toolAvailable } from './lib.js';

const tools = ['mkfs.vfat', 'mcopy', 'mmd', 'fls', 'icat'];
if (!tools.every(toolAvailable)) {
  process.stdout.write(`\n## FAT\n\nskipped: needs ${tools.join(', ')}\n`);
  process.exit(0);
}

const dir = ensureWorkDir();
const image = join(dir, 'fat32-bench.img');
const bigFile = '/WINDOWS/system32/big.bin';
const env = { ...process.env, TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' };
if (!existsSync(image)) {
  const staging = join(dir, 'fat32-bench-files');
  for (let folder = 0; folder < 20; folder += 1) {
    const path = join(staging, 'tree', `DIR${folder}`);
    mkdirSync(path, { recursive: true });
    for (let file = 0; file < 200; file += 1)
      writeFileSync(join(path, `file number ${file}.txt`), `${folder}/${file}\n`.repeat(50));
  }
  const big = Buffer.alloc(200 * 1024 * 1024);
  for (let index = 0; index < big.length; index += 4096) big.writeUInt32LE(index, index);
  writeFileSync(join(staging, 'big.bin'), big);
  const sh = (command: string) => spawnSync('sh', ['-c', command], { env, stdio: 'inherit' });
  sh(`mkfs.vfat -C -F 32 '${image}' 512000 >/dev/null`);
  sh(`mmd -i '${image}' ::/WINDOWS ::/WINDOWS/system32`);
  sh(`mcopy -i '${image}' '${join(staging, 'big.bin')}' ::${bigFile}`);
  sh(`mcopy -s -i '${image}' '${join(staging, 'tree')}' ::/tree`);
}

const size = fileSize(image);
const listing = median([1, 2, 3].map(() => runWorker('fat-walk.ts', [image, 'bodyfile'])));
const fls = median(
  [1, 2, 3].map(() => runMeasured(['fls', '-r', '-m', '/', image], { stdoutToNull: true, env })),
);
printTable('FAT32 body file listing (500 MB volume, 4000 files)', [
  {
    tool: 'ours bodyfile()',
    input: 'fat32-bench.img',
    bytes: size,
    records: listing.records,
    seconds: listing.seconds,
    peakRssMiB: listing.peakRssMiB,
  },
  {
    tool: 'fls -r -m /',
    input: 'fat32-bench.img',
    bytes: size,
    seconds: fls.seconds,
    peakRssMiB: fls.peakRssMiB,
  },
]);

const inode = spawnSync('ifind', ['-n', bigFile, image], { encoding: 'utf8' }).stdout.trim();
const extract = median([1, 2, 3].map(() => runWorker('fat-walk.ts', [image, 'extract', bigFile])));
const icat = median([1, 2, 3].map(() => runMeasured(['icat', image, inode], { stdoutToNull: true })));
printTable('FAT32 file extraction (200 MB file, SHA-256 on our side)', [
  {
    tool: 'ours openFile()',
    input: bigFile,
    bytes: extract.bytes,
    seconds: extract.seconds,
    peakRssMiB: extract.peakRssMiB,
  },
  { tool: 'icat', input: bigFile, bytes: extract.bytes, seconds: icat.seconds, peakRssMiB: icat.peakRssMiB },
]);
