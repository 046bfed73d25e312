/**
 * EVT: every record of the real XP SysEvent.Evt (corpus) and of a ~102 MB wrapped log built
 * from its records, through openEvt and through libevt's evtexport (output to /dev/null).
 * Inputs are read once first (page cache warm); ours runs 3 times (median), evtexport 3 times
 * on the corpus log and once on the large one. Ours is
 * timed inside its worker (parse only) and, in a row of its own, as a whole process the way the
 * CLI runs it (node on the compiled dist/, start-up included), which is how evtexport is timed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath, openCorpusFile } from '../parsers/io/test-support/corpus.js';
import {
  benchDir,
  benchNodes,
  distFresh,
  ensureWorkDir,
  fileSize,
  type Measurement,
  median,
  printTable,
  repoRoot,
  runMeasured,
  runWorker,
  toolAvailable,
} from './lib.js';

const CORPUS_NAME = 'evt/log2timeline_plaso__SysEvent.Evt.gz';
const LARGE_SIZE = 102 * 1024 * 1024;
const RUNS = 3;
/** evtexport takes ~5 s a run on the large log: once; ours (under a second) still 3 times. */
const LARGE_RUNS = 1;

async function prepare(): Promise<{ corpus: string; large: string } | undefined> {
  if (corpusPath(CORPUS_NAME) === undefined) {
    process.stdout.write(
      `\n(evt bench skipped: ${CORPUS_NAME} not found in the corpus (../shared/corpus))\n`,
    );
    return undefined;
  }
  const out = ensureWorkDir();
  const corpus = await openCorpusFile(CORPUS_NAME);
  const large = join(out, 'SysEvent-large.Evt');
  // Built in its own process: Linux keeps a process's peak RSS across exec, so building
  // 100 MB here would be billed to every worker this bench spawns afterwards.
  if (fileSize(large) !== LARGE_SIZE) runWorker('evt-build.ts', [corpus, large, String(LARGE_SIZE)]);
  return { corpus, large };
}

function evtexportRow(
  path: string,
  label: string,
  mode: string,
  records: number | undefined,
  runs: number,
): Measurement {
  const run = median(
    Array.from({ length: runs }, () => runMeasured(['evtexport', '-m', mode, path], { stdoutToNull: true })),
  );
  return {
    tool: `evtexport -m ${mode}`,
    input: label,
    bytes: fileSize(path),
    ...(records === undefined ? {} : { records }),
    seconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
  };
}

function countEvtexport(path: string, mode: string): number {
  const run = runMeasured(['sh', '-c', `evtexport -m ${mode} "$0" | grep -c '^Event number'`, path]);
  return Number(run.stdout.trim());
}

/** Reads a file once so every tool finds it in the page cache. */
function warm(path: string): void {
  readFileSync(path);
}

/** The walk as the CLI runs it: plain node on the compiled dist/ (no TypeScript loader). */
const DIST_SCRIPT = `
const [{ openEvt }, { FileReader }] = await Promise.all([
  import(${JSON.stringify(join(repoRoot, 'dist/parsers/evt/index.js'))}),
  import(${JSON.stringify(join(repoRoot, 'dist/parsers/io/index.js'))}),
]);
const reader = await FileReader.open(process.argv[1]);
const log = await openEvt(reader);
let records = 0;
for await (const batch of log.recordBatches()) records += batch.length;
await reader.close();
console.log(records);
`;

/** One whole-process row per Node.js binary (bench/lib.ts benchNodes). */
function wholeProcessRows(path: string, label: string, runs: number): Measurement[] {
  const fresh = distFresh(['evt', 'io']);
  if (!fresh)
    process.stdout.write('\n(dist/ is stale: whole-process rows run through tsx; run npm run build)\n');
  return benchNodes().map((node) => {
    const command = fresh
      ? [node.path, '--input-type=module', '-e', DIST_SCRIPT, path]
      : [node.path, '--import', 'tsx', join(benchDir, 'workers', 'evt-walk.ts'), path];
    const run = median(Array.from({ length: runs }, () => runMeasured(command, { stdoutToNull: true })));
    return {
      tool: `blaster-triage openEvt, whole process, node ${node.label}${fresh ? ', compiled dist/' : ' + tsx'}`,
      input: label,
      bytes: fileSize(path),
      seconds: run.seconds,
      peakRssMiB: run.peakRssMiB,
    };
  });
}

const inputs = await prepare();
if (inputs !== undefined) {
  for (const [label, path] of [
    ['SysEvent.Evt (corpus, XP, dirty+wrapped)', inputs.corpus],
    ['generated wrapped log (102 MiB)', inputs.large],
  ] as const) {
    const runs = path === inputs.large ? LARGE_RUNS : RUNS;
    warm(path);
    const ours = median(Array.from({ length: RUNS }, () => runWorker('evt-walk.ts', [path])));
    const rows: Measurement[] = [
      {
        tool: 'blaster-triage openEvt (live + recovered), in-worker',
        input: label,
        bytes: ours.bytes,
        records: ours.records,
        seconds: ours.seconds,
        peakRssMiB: ours.peakRssMiB,
      },
    ];
    for (const row of wholeProcessRows(path, label, RUNS)) rows.push({ ...row, records: ours.records });
    if (toolAvailable('evtexport')) {
      rows.push(evtexportRow(path, label, 'all', countEvtexport(path, 'all'), runs));
      rows.push(evtexportRow(path, label, 'items', countEvtexport(path, 'items'), runs));
    } else {
      process.stdout.write('\n(evtexport not installed: reference rows omitted)\n');
    }
    printTable(`EVT: every record, ${label}`, rows);
  }
}
