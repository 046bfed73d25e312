/**
 * NTFS listing: our MFT scan and bodyfile vs The Sleuth Kit `fls -r -m /` (and libfsntfs's
 * `fsntfsinfo -H -B`) on the same image, hot page cache, output to /dev/null, medians of 3 runs.
 * Ours is measured twice: inside the worker (the listing alone) and as a whole process.
 * The image (bench/out/ntfs-bench.raw) is built once with mkntfs and an ntfs-3g FUSE mount:
 * 1 GiB, 100 directories x 1000 files of 0-3 KiB (most resident, some non-resident) plus a few
 * larger files. Without ntfs-3g/FUSE the bench says so and stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchDir,
  benchNodes,
  ensureWorkDir,
  fileSize,
  type Measurement,
  median,
  printTable,
  runMeasured,
  runWorker,
  toolAvailable,
  workDir,
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

// Warm the page cache so that every run (ours and theirs) reads a hot image.
runMeasured(['cat', image], { stdoutToNull: true });

/**
 * Our worker as one plain JavaScript file (esbuild, which tsx brings along), so that the
 * whole-process figure pays Node's start-up but not tsx's on-the-fly TypeScript compilation.
 * Falls back to tsx when esbuild is not there.
 */
async function workerCommand(worker: string): Promise<{ command: string[]; how: string }> {
  const outfile = join(workDir, worker.replace(/\.ts$/, '.mjs'));
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [join(benchDir, 'workers', worker)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    return { command: [process.execPath, outfile], how: 'node, bundled JS' };
  } catch {
    return {
      command: [process.execPath, '--import', 'tsx', join(benchDir, 'workers', worker)],
      how: 'node --import tsx',
    };
  }
}

const RUNS = 3;
const inWorker = median(Array.from({ length: RUNS }, () => runWorker('ntfs-bodyfile.ts', [image])));
const { command, how } = await workerCommand('ntfs-bodyfile.ts');
const wholeProcess = median(
  Array.from({ length: RUNS }, () => runMeasured([...command, image], { stdoutToNull: true })),
);
// The same bundled worker on the Node versions users run (22, 24): start-up differs by build.
const otherNodes = how === 'node, bundled JS' ? benchNodes().slice(1) : [];
const otherWhole = otherNodes.map((node) => ({
  node,
  run: median(
    Array.from({ length: RUNS }, () =>
      runMeasured([node.path, ...command.slice(1), image], { stdoutToNull: true }),
    ),
  ),
}));
const mftRecords = Number(inWorker.extra?.mftRecords ?? 0);
/** Reference tools, timed as whole processes; `lines` = bodyfile lines they wrote. */
const references: Array<Measurement & { lines: number }> = [];
if (toolAvailable('fls')) {
  const fls = median(
    Array.from({ length: RUNS }, () => runMeasured(['fls', '-r', '-m', '/', image], { stdoutToNull: true })),
  );
  const lines = runMeasured(['fls', '-r', '-m', '/', image])
    .stdout.split('\n')
    .filter((line) => line !== '').length;
  references.push({
    tool: 'fls -r -m / (sleuthkit), whole process',
    input: 'ntfs-bench.raw',
    bytes: inWorker.bytes,
    lines,
    seconds: fls.seconds,
    peakRssMiB: fls.peakRssMiB,
  });
}
if (toolAvailable('fsntfsinfo')) {
  // -H walks the hierarchy (without it -B writes nothing); timed with the bodyfile to /dev/null,
  // lines counted from one run into a file.
  const fsntfs = median(
    Array.from({ length: RUNS }, () =>
      runMeasured(['fsntfsinfo', '-H', '-B', '/dev/null', image], { stdoutToNull: true }),
    ),
  );
  const counted = join(workDir, 'ntfs-bench.fsntfsinfo.body');
  runMeasured(['fsntfsinfo', '-H', '-B', counted, image], { stdoutToNull: true });
  const lines = readFileSync(counted, 'utf8')
    .split('\n')
    .filter((line) => line !== '').length;
  rmSync(counted, { force: true });
  references.push({
    tool: 'fsntfsinfo -H -B (libfsntfs), whole process',
    input: 'ntfs-bench.raw',
    bytes: inWorker.bytes,
    lines,
    seconds: fsntfs.seconds,
    peakRssMiB: fsntfs.peakRssMiB,
  });
}
const gib = (fileSize(image) / 2 ** 30).toFixed(1);
const asLines = ({ lines, ...row }: Measurement & { lines: number }): Measurement => ({
  ...row,
  records: lines,
});
const asEntries = ({ lines: _lines, ...row }: Measurement & { lines: number }): Measurement => ({
  ...row,
  records: mftRecords,
});
const oursWhole = {
  tool: `ours bodyfileChunks(), whole process (${how}, node ${benchNodes()[0]!.label})`,
  input: 'ntfs-bench.raw',
  bytes: inWorker.bytes,
  lines: inWorker.records,
  seconds: wholeProcess.seconds,
  peakRssMiB: wholeProcess.peakRssMiB,
};
const oursWholeOther = otherWhole.map(({ node, run }) => ({
  ...oursWhole,
  tool: `ours bodyfileChunks(), whole process (${how}, node ${node.label})`,
  seconds: run.seconds,
  peakRssMiB: run.peakRssMiB,
}));
const oursInProcess = {
  tool: 'ours bodyfileChunks(), listing alone (in-process, no Node start-up)',
  input: 'ntfs-bench.raw',
  bytes: inWorker.bytes,
  lines: inWorker.records,
  seconds: inWorker.seconds,
  peakRssMiB: inWorker.peakRssMiB,
};
const conditions = `image ${gib} GiB, MB = $MFT size, hot cache, output to /dev/null, median of ${RUNS}`;
printTable(
  `NTFS full listing, whole process vs whole process: bodyfile lines/s (${conditions})`,
  [oursWhole, ...oursWholeOther, ...references].map(asLines),
);
for (const ours of [oursWhole, ...oursWholeOther]) {
  process.stdout.write(
    `\n${ours.tool}: ${references.map((ref) => `${ref.tool.split(' (')[0]} ${(ref.seconds / ours.seconds).toFixed(2)}x`).join(', ')} (above 1: ours faster)`,
  );
}
process.stdout.write('\n');
printTable(
  `NTFS full listing, whole process vs whole process: MFT entries/s (same runs, ${mftRecords} entries each)`,
  [oursWhole, ...oursWholeOther, ...references].map(asEntries),
);
printTable(
  `NTFS full listing, ours in-process (the listing alone, no Node start-up) vs the tools' whole process (same runs)`,
  [
    { ...asLines(oursInProcess), note: `(${(mftRecords / oursInProcess.seconds).toFixed(0)} MFT entries/s)` },
    ...references.map(asLines),
  ],
);

const mft = median(Array.from({ length: RUNS }, () => runWorker('ntfs-mft.ts', [image])));
printTable(
  `NTFS MFT scan as objects (records() with fixups and attribute headers, no paths; median of ${RUNS})`,
  [
    {
      tool: 'ours NtfsVolume.records()',
      input: 'ntfs-bench.raw',
      bytes: mft.bytes,
      records: mft.records,
      seconds: mft.seconds,
      peakRssMiB: mft.peakRssMiB,
    },
  ],
);
