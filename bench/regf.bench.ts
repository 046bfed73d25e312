/**
 * regf: full walk of keys and values (all data decoded) of the largest corpus hive and of a
 * generated ~200 MB hive, ours vs hivexml and regfexport (output to /dev/null), same run.
 *
 * Fairness: each file is read once before timing (hot page cache, as for the tools); every
 * measurement runs REGF_BENCH_RUNS times (default 3), interleaved, and the median is shown.
 * Ours runs as compiled JavaScript (tsc into a temp directory; no tsx loader in the
 * process) and gives two rows from the same runs: the time the worker measured itself (open
 * + walk, Node start-up excluded) and the whole process (Node start-up, module loading,
 * walk), which is what the tools' rows are; the whole process also on the Node versions users
 * run (22 and 24, bench/lib.ts benchNodes), whose start-up is much shorter than Debian's Node 20.
 * The deleted-record scan (which the tools do not
 * do, and which the walk no longer triggers: it is lazy) has its own table.
 * REGF_BENCH_RUNS=n changes the number of runs; REGF_BENCH_ONLY=corpus|generated picks one input.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ } from '../parsers/regf/constants.js';
import {
  buildHive,
  dword,
  multiSz,
  utf16,
  type WriterKey,
} from '../parsers/regf/test-support/hive-writer.js';
import {
  benchDir,
  benchNodes,
  corpusDir,
  ensureWorkDir,
  fileSize,
  type Measurement,
  median,
  printTable,
  repoRoot,
  runMeasured,
  runWorker,
  toolAvailable,
  type WorkerResult,
} from './lib.js';

const out = ensureWorkDir();
// A worktree sits one level deeper than the main checkout.
const regfCorpus = [join(corpusDir, 'regf'), resolve(repoRoot, '..', '..', 'shared', 'corpus', 'regf')].find(
  (candidate) => existsSync(candidate),
);

function largestCorpusHive(): string | undefined {
  if (regfCorpus === undefined) return undefined;
  let best: { path: string; size: number } | undefined;
  for (const name of readdirSync(regfCorpus)) {
    if (/\.log\d?(\.gz)?$/i.test(name) || /NotAHive|corrupt/i.test(name)) continue;
    const path = join(regfCorpus, name);
    let target = path;
    if (name.endsWith('.gz')) {
      target = join(out, `regf-${name.slice(0, -3)}`);
      if (!existsSync(target)) writeFileSync(target, gunzipSync(readFileSync(path)));
    }
    const size = statSync(target).size;
    if (best === undefined || size > best.size) best = { path: target, size };
  }
  return best?.path;
}

function generatedHive(): string {
  const path = join(out, 'regf-generated-200m.hive');
  if (existsSync(path) && statSync(path).size > 150e6) return path;
  const blob = new Uint8Array(180).map((_, index) => index);
  const groups: WriterKey[] = [];
  for (let group = 0; group < 400; group += 1) {
    const keys: WriterKey[] = [];
    for (let index = 0; index < 560; index += 1) {
      keys.push({
        name: `Service${group}_${index}`,
        values: [
          { name: 'DisplayName', type: REG_SZ, data: utf16(`Generated service ${group} ${index}`) },
          { name: 'ImagePath', type: REG_EXPAND_SZ, data: utf16(`%SystemRoot%\\system32\\svc${index}.exe`) },
          { name: 'Start', type: REG_DWORD, data: dword(index % 5) },
          { name: 'Type', type: REG_DWORD, data: dword(16) },
          { name: 'DependOnService', type: REG_MULTI_SZ, data: multiSz(['RpcSs', 'Tcpip']) },
          { name: 'Blob', type: REG_BINARY, data: blob },
          { name: 'Description', type: REG_SZ, data: utf16('x'.repeat(40 + (index % 60))) },
        ],
      });
    }
    groups.push({ name: `Group${group}`, list: group % 2 ? 'ri' : 'lh', riLeafSize: 128, subkeys: keys });
  }
  writeFileSync(path, buildHive({ root: { name: 'ROOT', subkeys: groups } }));
  return path;
}

const RUNS = Math.max(1, Number(process.env.REGF_BENCH_RUNS ?? 3) || 3);

/** Compiles the worker and what it imports to JavaScript; undefined when tsc is unavailable. */
function compileWorker(): string | undefined {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  // Outside the repository: compiled JavaScript under bench/out would be linted by `biome check .`.
  const outDir = join(tmpdir(), `blaster-triage-regf-bench-${process.getuid?.() ?? 0}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  const worker = join(benchDir, 'workers', 'regf-walk.ts');
  if (!existsSync(tsc)) return undefined;
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
      ...['--outDir', outDir, '--rootDir', repoRoot, '--skipLibCheck', '--types', 'node'],
      ...['--noCheck', '--sourceMap', 'false', worker],
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  const compiled = join(outDir, 'bench', 'workers', 'regf-walk.js');
  if (result.status !== 0 || !existsSync(compiled)) {
    process.stderr.write(`regf bench: tsc failed, running the worker through tsx\n${result.stdout}\n`);
    return undefined;
  }
  return compiled;
}

/** Reads the file once so every measurement starts from a hot page cache. */
function warm(path: string): void {
  const buffer = new Uint8Array(1 << 20);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buffer) > 0) {
      // Discarded: only the page cache matters.
    }
  } finally {
    closeSync(fd);
  }
}

interface OursRun {
  worker: WorkerResult;
  process: { seconds: number; peakRssMiB: number };
}

function runOurs(compiled: string | undefined, path: string, mode: string): OursRun {
  if (compiled === undefined) {
    const worker = runWorker('regf-walk.ts', [path, mode]);
    const whole = runMeasured(
      [process.execPath, '--import', 'tsx', join(benchDir, 'workers', 'regf-walk.ts'), path, mode],
      {},
    );
    return { worker, process: { seconds: whole.seconds, peakRssMiB: whole.peakRssMiB } };
  }
  const run = runMeasured([process.execPath, compiled, path, mode]);
  if (run.status !== 0) throw new Error(`regf worker failed on ${path}`);
  const worker = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as WorkerResult;
  return { worker, process: { seconds: run.seconds, peakRssMiB: run.peakRssMiB } };
}

function medianOf(runs: { seconds: number; peakRssMiB: number }[]): { seconds: number; peakRssMiB: number } {
  const middle = median(runs);
  return { seconds: middle.seconds, peakRssMiB: Math.max(...runs.map((run) => run.peakRssMiB)) };
}

function measure(compiled: string | undefined, path: string, label: string): void {
  const bytes = fileSize(path);
  warm(path);
  const tools = ['hivexml', 'regfexport'].filter((tool) => toolAvailable(tool));
  const ours: OursRun[] = [];
  const toolRuns = new Map<string, { seconds: number; peakRssMiB: number; status: number }[]>();
  // The compiled worker on the other Node versions users run (start-up differs between builds).
  const otherNodes = compiled === undefined ? [] : benchNodes().slice(1);
  const otherRuns = new Map<string, { seconds: number; peakRssMiB: number }[]>();
  for (let round = 0; round < RUNS; round += 1) {
    ours.push(runOurs(compiled, path, 'walk'));
    for (const node of otherNodes) {
      const run = runMeasured([node.path, compiled!, path, 'walk']);
      if (run.status !== 0) throw new Error(`regf worker failed on ${path} under node ${node.label}`);
      otherRuns.set(node.label, [...(otherRuns.get(node.label) ?? []), run]);
    }
    for (const tool of tools) {
      const run = runMeasured([tool, path], { stdoutToNull: true });
      toolRuns.set(tool, [...(toolRuns.get(tool) ?? []), run]);
    }
  }
  const records = ours[0]!.worker.records;
  const worker = medianOf(ours.map((run) => run.worker));
  const whole = medianOf(ours.map((run) => run.process));
  const how = compiled === undefined ? 'tsx' : 'compiled JS';
  const rows: Measurement[] = [
    {
      tool: `blaster-triage regf: open + walk, timed in the worker (${how})`,
      input: label,
      bytes,
      records,
      ...worker,
    },
    {
      tool: `blaster-triage regf: whole process incl. Node start-up, node ${benchNodes()[0]!.label} (${how})`,
      input: label,
      bytes,
      records,
      ...whole,
    },
    ...otherNodes.map((node) => ({
      tool: `blaster-triage regf: whole process incl. Node start-up, node ${node.label} (${how})`,
      input: label,
      bytes,
      records,
      ...medianOf(otherRuns.get(node.label)!),
    })),
  ];
  for (const tool of tools) {
    const runs = toolRuns.get(tool)!;
    const failed = runs.find((run) => run.status !== 0);
    rows.push({
      tool: `${tool} (whole process, output to /dev/null)`,
      input: label,
      bytes,
      records,
      ...medianOf(runs),
      ...(failed === undefined ? {} : { note: `exit ${failed.status}` }),
    });
  }
  printTable(`regf: ${label}, every key and value of the live tree (median of ${RUNS})`, rows);
  const wholeRows = rows.filter((row) => row.tool.includes('whole process incl.'));
  for (const ourRow of wholeRows) {
    process.stdout.write(
      `\nours (${ourRow.tool.replace(/.*node /, 'node ')}) vs the tools, whole process against whole process: ${tools
        .map(
          (tool) =>
            `${tool} ${(rows.find((row) => row.tool.startsWith(tool))!.seconds / ourRow.seconds).toFixed(2)}x`,
        )
        .join(', ')} (above 1: ours faster)`,
    );
  }
  process.stdout.write('\n');

  const passes: { mode: string; what: string; runs: OursRun[] }[] = [
    { mode: 'rows', what: 'walkHive rows of the live tree (JSONL shape: ISO times, hex)', runs: [] },
    { mode: 'deleted', what: 'open + deleted-record scan alone (recoverDeleted())', runs: [] },
  ];
  for (let round = 0; round < RUNS; round += 1) {
    for (const pass of passes) pass.runs.push(runOurs(compiled, path, pass.mode));
  }
  // One table per pass: a ratio between two different passes would mean nothing.
  for (const pass of passes) {
    printTable(`regf: ${label}, ${pass.what} (ours only: the tools have no such pass)`, [
      {
        tool: `blaster-triage regf, timed in the worker (${how})`,
        input: label,
        bytes,
        records: pass.runs[0]!.worker.records,
        ...medianOf(pass.runs.map((run) => run.worker)),
      },
    ]);
  }
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
process.stdout.write(
  `\nregf bench: load average ${load()} at start (2-core machine; figures move with load)\n`,
);
const compiled = compileWorker();
// REGF_BENCH_ONLY=corpus or =generated runs one of the two inputs.
const only = process.env.REGF_BENCH_ONLY;
const largest = only === 'generated' ? undefined : largestCorpusHive();
if (largest !== undefined) measure(compiled, largest, largest.split('/').pop()!);
else if (only !== 'generated')
  process.stdout.write('\nregf bench: corpus absent, skipping the corpus hive\n');
if (only !== 'corpus') measure(compiled, generatedHive(), 'generated');
process.stdout.write(`\nregf bench: load average ${load()} at end\n`);
