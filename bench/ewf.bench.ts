/**
 * E01 read of every media byte: parsers/ewf vs ewfexport (libewf) and img_cat (sleuthkit)
 * on the same image, built once into bench/out by ewfacquire (deflate, 3 segments) from a
 * generated raw of mixed content (zeros, compressible text, random).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureWorkDir,
  fileSize,
  type Measurement,
  median,
  printTable,
  runMeasured,
  runWorker,
  toolAvailable,
} from './lib.js';

const MEDIA_BYTES = Number(process.env.EWF_BENCH_MIB ?? 1536) * 1024 * 1024;
const RUNS = Number(process.env.EWF_BENCH_RUNS ?? 3);

function buildRaw(path: string): void {
  const fd = openSync(path, 'w');
  const block = 4 * 1024 * 1024;
  const text = Buffer.from(
    'GET /msblast.exe HTTP/1.1 tftp.exe -i 192.168.0.1 GET msblast.exe; HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run windows auto update\r\n'.repeat(
      Math.ceil(block / 120),
    ),
  ).subarray(0, block);
  const zeros = Buffer.alloc(block);
  for (let offset = 0, index = 0; offset < MEDIA_BYTES; offset += block, index += 1) {
    // Thirds of zeros, text and random, interleaved the way a used disk mixes them.
    const kind = index % 3;
    writeSync(fd, kind === 0 ? zeros : kind === 1 ? text : randomBytes(block));
  }
  closeSync(fd);
}

const dir = ensureWorkDir();
const first = join(dir, 'ewf-bench.E01');
if (!toolAvailable('ewfacquire')) {
  process.stdout.write('\n## E01 read: skipped (ewfacquire not installed)\n');
  process.exit(0);
}
if (!existsSync(first) || fileSize(join(dir, 'ewf-bench.raw')) !== MEDIA_BYTES) {
  for (const name of readdirSync(dir)) if (name.startsWith('ewf-bench.')) rmSync(join(dir, name));
  const raw = join(dir, 'ewf-bench.raw');
  process.stderr.write(`building ${MEDIA_BYTES} bytes of media and its E01 in ${dir}...\n`);
  buildRaw(raw);
  // About a third of the media is random (incompressible): aim for 3 segments.
  const segmentBytes = Math.ceil(MEDIA_BYTES / 3 / 3 + 8 * 1024 * 1024);
  const result = spawnSync(
    'ewfacquire',
    ['-u', '-q', '-c', 'deflate:best', '-S', String(segmentBytes), '-t', join(dir, 'ewf-bench'), raw],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (result.status !== 0) throw new Error('ewfacquire failed');
}
const segments = readdirSync(dir).filter((name) => /^ewf-bench\.E\d\d$/.test(name)).length;
const input = `${(MEDIA_BYTES / 2 ** 30).toFixed(1)} GiB media, deflate, ${segments} segments`;

const rows: Measurement[] = [];
const ours = median(Array.from({ length: RUNS }, () => runWorker('ewf-read.ts', [first])));
rows.push({
  tool: 'parsers/ewf',
  input,
  bytes: ours.bytes,
  seconds: ours.seconds,
  peakRssMiB: ours.peakRssMiB,
});
if (toolAvailable('ewfexport')) {
  const runs = Array.from({ length: RUNS }, () =>
    runMeasured(['ewfexport', '-u', '-q', '-t', '-', first], { stdoutToNull: true }),
  );
  const run = median(runs);
  rows.push({
    tool: 'ewfexport -u -t -',
    input,
    bytes: MEDIA_BYTES,
    seconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
  });
}
if (toolAvailable('img_cat')) {
  const run = median(
    Array.from({ length: RUNS }, () => runMeasured(['img_cat', first], { stdoutToNull: true })),
  );
  rows.push({ tool: 'img_cat', input, bytes: MEDIA_BYTES, seconds: run.seconds, peakRssMiB: run.peakRssMiB });
}
printTable('E01 read, every media byte', rows);
