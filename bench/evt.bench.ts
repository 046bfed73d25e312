import { join } from 'node:path';
import { corpusPath, openCorpusFile } from '../parsers/io/test-support/corpus.js';
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

const CORPUS_NAME = 'evt/log2timeline_plaso__SysEvent.Evt.gz';
const LARGE_SIZE = 102 * 1024 * 1024;
const RUNS = 3;
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

const inputs = await prepare();
if (inputs !== undefined) {
  for (const [label, path] of [
    ['SysEvent.Evt (corpus, XP, dirty+wrapped)', inputs.corpus],
    ['generated wrapped log (102 MiB)', inputs.large],
  ] as const) {
    const runs = path === inputs.large ? LARGE_RUNS : RUNS;
    const ours = median(Array.from({ length: runs }, () => runWorker('evt-walk.ts', [path])));
    const rows: Measurement[] = [
      {
        tool: 'blaster-triage openEvt (live + recovered)',
        input: label,
        bytes: ours.bytes,
        records: ours.records,
        seconds: ours.seconds,
        peakRssMiB: ours.peakRssMiB,
      },
    ];
    if (toolAvailable('evtexport')) {
      rows.push(evtexportRow(path, label, 'all', countEvtexport(path, 'all'), runs));
      rows.push(evtexportRow(path, label, 'items', countEvtexport(path, 'items'), runs));
    } else {
      process.stdout.write('\n(evtexport not installed: reference rows omitted)\n');
    }
    printTable(`EVT: every record, ${label}`, rows);
  }
}
