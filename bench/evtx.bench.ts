/**
 * EVTX: every record rendered, ours vs evtxexport -f xml (libevtx-utils), @ts-evtx/core and
 * python-evtx (evtx_dump.py; run on a small subset only: it renders at ~0.4 MB/s), on the corpus
 * (gunzipped into a temporary folder, see parsers/io/test-support/corpus.ts) and on a ~100 MB log built by repeating the chunks of
 * the largest System/Security file behind one header (CRCs fixed). Inputs are read once first
 * (page cache warm); ours runs 3 times (median), the other tools 3 times on the corpus set and
 * once on the large log. Ours and @ts-evtx/core are timed inside their workers (parse only);
 * ours also as a whole process the way the CLI runs it (node on the compiled dist/), which is
 * how evtxexport is timed.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../parsers/evtx/crc32.js';
import { corpusFiles, openCorpusFile } from '../parsers/io/test-support/corpus.js';
import {
  benchDir,
  benchNodes,
  distFresh,
  ensureWorkDir,
  type Measurement,
  median,
  printTable,
  repoRoot,
  runMeasured,
  runWorker,
  toolAvailable,
} from './lib.js';

const corpusNames = corpusFiles('evtx', (name) => name.includes('.evtx'));
if (corpusNames.length === 0) {
  process.stdout.write('\n## evtx\n\nskipped: no evtx corpus (../shared/corpus/evtx)\n');
  process.exit(0);
}
const files: string[] = [];
for (const name of corpusNames) files.push(await openCorpusFile(name));

/** A valid multi-chunk EVTX of ~targetBytes: one header, the chunks of `base` repeated. */
function buildLarge(base: string, target: string, targetBytes: number): void {
  if (existsSync(target) && statSync(target).size >= targetBytes * 0.9) return;
  const bytes = readFileSync(base);
  const chunks: Uint8Array[] = [];
  for (let offset = 4096; offset + 65536 <= bytes.length; offset += 65536) {
    if (bytes[offset] === 0x45) chunks.push(bytes.subarray(offset, offset + 65536)); // "ElfChnk"
  }
  const repeat = Math.max(1, Math.floor(targetBytes / (chunks.length * 65536)));
  const count = Math.min(65535, chunks.length * repeat);
  const file = new Uint8Array(4096 + count * 65536);
  file.set(bytes.subarray(0, 4096), 0);
  for (let index = 0; index < count; index += 1)
    file.set(chunks[index % chunks.length]!, 4096 + index * 65536);
  const view = new DataView(file.buffer);
  view.setBigUint64(16, BigInt(count - 1), true);
  view.setUint16(42, count, true);
  view.setUint32(124, crc32(file.subarray(0, 120)), true);
  writeFileSync(target, file);
}
const large = join(ensureWorkDir(), 'evtx-large-security.evtx');
const largeBase =
  files.find((file) => file.endsWith('williballenthin_python-evtx__security.evtx')) ?? files[0]!;
buildLarge(largeBase, large, 100_000_000);

const totalBytes = (list: string[]) => list.reduce((sum, file) => sum + statSync(file).size, 0);

function countEvents(stdout: string): number {
  return (stdout.match(/^<Event[ >]/gm) ?? []).length;
}

/** Every record rendered to JSON as the CLI runs it: plain node on the compiled dist/. */
const DIST_SCRIPT = `
const [{ openEvtx }, { FileReader }] = await Promise.all([
  import(${JSON.stringify(join(repoRoot, 'dist/parsers/evtx/index.js'))}),
  import(${JSON.stringify(join(repoRoot, 'dist/parsers/io/index.js'))}),
]);
let records = 0;
for (const file of process.argv.slice(1)) {
  const reader = await FileReader.open(file);
  const log = await openEvtx(reader);
  for await (const record of log.records()) if (record.event !== undefined) records += 1;
  await reader.close();
}
console.log(records);
`;

/** Median of `runs` runs of `measure`. */
function medianOf<T extends { seconds: number }>(runs: number, measure: () => T): T {
  return median(Array.from({ length: runs }, measure));
}

/** Ours runs OURS_RUNS times (median) whatever the input: a run takes at most a few seconds. */
const OURS_RUNS = 3;

function measureSet(title: string, list: string[], withPython: boolean, runs: number): void {
  const rows: Measurement[] = [];
  const bytes = totalBytes(list);
  const input = list.length === 1 ? 'large' : `${list.length} files`;
  for (const file of list) readFileSync(file); // page cache warm for every tool
  const ours = medianOf(OURS_RUNS, () => runWorker('evtx-ours.ts', list));
  rows.push({
    tool: 'ours (JSON), in-worker',
    input,
    bytes,
    records: ours.records,
    seconds: ours.seconds,
    peakRssMiB: ours.peakRssMiB,
  });
  const oursXml = medianOf(OURS_RUNS, () => runWorker('evtx-ours.ts', ['--xml', ...list]));
  rows.push({
    tool: 'ours (JSON + XML), in-worker',
    input,
    bytes,
    records: oursXml.records,
    seconds: oursXml.seconds,
    peakRssMiB: oursXml.peakRssMiB,
  });
  const fresh = distFresh(['evtx', 'io']);
  for (const node of benchNodes()) {
    const command = fresh
      ? [node.path, '--input-type=module', '-e', DIST_SCRIPT, ...list]
      : [node.path, '--import', 'tsx', join(benchDir, 'workers', 'evtx-ours.ts'), ...list];
    const whole = medianOf(OURS_RUNS, () => runMeasured(command, { stdoutToNull: true }));
    rows.push({
      tool: `ours (JSON), whole process, node ${node.label}${fresh ? ', compiled dist/' : ' + tsx (dist/ stale: npm run build)'}`,
      input,
      bytes,
      records: ours.records,
      seconds: whole.seconds,
      peakRssMiB: whole.peakRssMiB,
    });
  }
  if (toolAvailable('evtxexport')) {
    const exported = medianOf(runs, () => {
      let seconds = 0;
      let peak = 0;
      let records = 0;
      let failed = 0;
      for (const file of list) {
        const run = runMeasured(['evtxexport', '-f', 'xml', file]);
        seconds += run.seconds;
        peak = Math.max(peak, run.peakRssMiB);
        records += countEvents(run.stdout);
        if (run.status !== 0) failed += 1;
      }
      return { seconds, peak, records, failed };
    });
    rows.push({
      tool: 'evtxexport -f xml',
      input,
      bytes,
      records: exported.records,
      seconds: exported.seconds,
      peakRssMiB: exported.peak,
      ...(exported.failed ? { note: `(${exported.failed} failed)` } : {}),
    });
  }
  const peer = medianOf(runs, () => runWorker('evtx-ts-evtx.ts', list));
  rows.push({
    tool: '@ts-evtx/core, in-worker',
    input,
    bytes,
    records: peer.records,
    seconds: peer.seconds,
    peakRssMiB: peer.peakRssMiB,
  });
  printTable(title, rows);
  if (withPython && toolAvailable('evtx_dump.py')) {
    // python-evtx renders at ~0.4 MB/s: only the small files (< 300 kB), in a table of their own.
    const small = list.filter((file) => statSync(file).size < 300_000);
    let seconds = 0;
    let peak = 0;
    let records = 0;
    for (const file of small) {
      const run = runMeasured(['/usr/bin/python3', '/usr/bin/evtx_dump.py', file]);
      seconds += run.seconds;
      peak = Math.max(peak, run.peakRssMiB);
      records += countEvents(run.stdout);
    }
    const oursSmall = runWorker('evtx-ours.ts', small);
    const smallBytes = totalBytes(small);
    const label = `${small.length} small files`;
    printTable(`evtx: python-evtx subset (${small.length} corpus files < 300 kB)`, [
      {
        tool: 'ours (JSON), in-worker',
        input: label,
        bytes: smallBytes,
        records: oursSmall.records,
        seconds: oursSmall.seconds,
        peakRssMiB: oursSmall.peakRssMiB,
      },
      {
        tool: 'python-evtx (evtx_dump.py)',
        input: label,
        bytes: smallBytes,
        records,
        seconds,
        peakRssMiB: peak,
      },
    ]);
  }
}

measureSet(`evtx: corpus (${files.length} files, every record rendered; median of 3)`, files, true, 3);
measureSet(
  `evtx: ${(statSync(large).size / 1e6).toFixed(0)} MB log (security.evtx chunks repeated; ours median of 3, others 1 run)`,
  [large],
  false,
  1,
);
