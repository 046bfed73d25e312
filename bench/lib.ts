/**
 * Benchmark helpers. Every measurement runs in its own process so that peak RSS is that
 * measurement's alone; our parsers run through a worker script that reports the parse
 * time it measured itself (so Node start-up is not billed to the parser), reference tools
 * are timed as whole processes. Figures are printed side by side with ratios from the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusDir as findCorpusDir } from '../parsers/io/test-support/corpus.js';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(benchDir, '..');
export const workDir = join(benchDir, 'out');
/** The shared corpus (see parsers/io/test-support/corpus.ts for where it is looked for). */
export const corpusDir = findCorpusDir() ?? resolve(repoRoot, '..', 'shared', 'corpus');

export function ensureWorkDir(): string {
  mkdirSync(workDir, { recursive: true });
  return workDir;
}

export interface Measurement {
  tool: string;
  input: string;
  bytes: number;
  records?: number;
  seconds: number;
  peakRssMiB: number;
  note?: string;
}

/**
 * Runs a command, returning wall seconds, peak RSS of the child (getrusage of the waited
 * child, through python3: Node cannot read it for a spawned process) and its stdout.
 */
export function runMeasured(
  command: string[],
  options: { stdoutToNull?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { seconds: number; peakRssMiB: number; stdout: string; status: number } {
  const script = [
    'import resource, subprocess, sys, time, json',
    'out = subprocess.DEVNULL if sys.argv[1] == "null" else subprocess.PIPE',
    't = time.perf_counter()',
    'p = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)',
    'e = time.perf_counter() - t',
    'r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss',
    'sys.stderr.write(json.dumps({"seconds": e, "rss": r, "status": p.returncode}) + "\\n")',
    'if p.stdout: sys.stdout.buffer.write(p.stdout)',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, options.stdoutToNull ? 'null' : 'pipe', ...command], {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    maxBuffer: 1024 * 1024 * 1024,
    encoding: 'utf8',
  });
  const lastLine = result.stderr.trim().split('\n').pop() ?? '{}';
  const stats = JSON.parse(lastLine) as { seconds: number; rss: number; status: number };
  return {
    seconds: stats.seconds,
    peakRssMiB: stats.rss / 1024,
    stdout: result.stdout,
    status: stats.status,
  };
}

/** Result line a worker prints as its last stdout line. */
export interface WorkerResult {
  bytes: number;
  records: number;
  seconds: number;
  peakRssMiB: number;
  extra?: Record<string, number | string>;
}

/** Runs one of our bench workers (a TypeScript file under bench/workers) in its own process. */
export function runWorker(worker: string, args: string[]): WorkerResult {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(benchDir, 'workers', worker), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (result.status !== 0) throw new Error(`worker ${worker} failed: ${result.stderr.slice(-2000)}`);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as WorkerResult;
}

/**
 * Peak RSS of this process in MiB. VmHWM belongs to the address space made at exec, so unlike
 * getrusage's maxrss it does not inherit the high-water mark of the process that spawned us.
 */
export function peakRssMiB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Called by workers: time `work`, then print the result line. */
export async function workerMain(
  work: () => Promise<{ bytes: number; records: number; extra?: Record<string, number | string> }>,
): Promise<void> {
  const start = process.hrtime.bigint();
  const { bytes, records, extra } = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result: WorkerResult = {
    bytes,
    records,
    seconds,
    peakRssMiB: peakRssMiB(),
    ...(extra ? { extra } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function toolAvailable(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/**
 * Prints a table: throughput, records/s, peak RSS, and each row's speed relative to the
 * first row (ours), e.g. "ours 3.1x faster".
 */
export function printTable(title: string, rows: Measurement[]): void {
  const lines = [
    `\n## ${title}`,
    '',
    '| tool | input | MB | records | s | MB/s | records/s | peak RSS MiB | vs ours |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const ours = rows[0];
  for (const row of rows) {
    const mbps = row.bytes / 1e6 / row.seconds;
    const ratio = ours && row !== ours ? `ours ${fixed(row.seconds / ours.seconds, 2)}x faster` : '';
    lines.push(
      `| ${row.tool} | ${row.input} | ${fixed(row.bytes / 1e6)} | ${row.records ?? '-'} | ${fixed(row.seconds, 3)} | ${fixed(mbps)} | ${row.records === undefined ? '-' : fixed(row.records / row.seconds, 0)} | ${fixed(row.peakRssMiB)} | ${ratio}${row.note ? ` ${row.note}` : ''} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Median of several runs of a measurement (the machine is noisy). */
export function median<T extends { seconds: number }>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** True when dist/ holds a build of these parser packages newer than their sources. */
export function distFresh(packages: string[]): boolean {
  for (const pkg of packages) {
    const dir = join(repoRoot, 'parsers', pkg);
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const built = join(repoRoot, 'dist', 'parsers', pkg, name.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(dir, name)).mtimeMs) return false;
    }
  }
  return true;
}

export interface NodeBinary {
  /** "v24.9.0 (this machine)" or "v22.23.3". */
  label: string;
  path: string;
}

let nodeBinaries: NodeBinary[] | undefined;

/**
 * The Node.js binaries whole-process rows run on: this machine's, then the versions users run
 * (22 and 24, fetched once by scripts/fetch-node.sh; BENCH_NODE_VERSIONS="" or "24" to choose).
 * Start-up differs a lot between builds (here Debian's Node 20 boots in ~55 ms, the official
 * 22/24 builds in ~18 ms), and for a small input start-up is much of the whole process.
 */
export function benchNodes(): NodeBinary[] {
  if (nodeBinaries !== undefined) return nodeBinaries;
  nodeBinaries = [{ label: `${process.version} (this machine)`, path: process.execPath }];
  const majors = (process.env.BENCH_NODE_VERSIONS ?? '22 24').split(/[\s,]+/).filter(Boolean);
  for (const major of majors) {
    const fetched = spawnSync('bash', [join(repoRoot, 'scripts', 'fetch-node.sh'), major], {
      encoding: 'utf8',
    });
    const path = fetched.stdout.trim();
    if (fetched.status !== 0 || path === '' || !existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version === process.version) continue;
    nodeBinaries.push({ label: version, path });
  }
  return nodeBinaries;
}
