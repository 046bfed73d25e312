import { fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { glob } from 'tinyglobby';
import { writeFileAtomic } from '../report/atomic-write.js';
import { csvLine } from '../report/csv.js';
import { stableJson } from '../report/plain.js';
import type { ScanSummary } from '../scan/scan-job.js';

export interface BatchJob {
  evidence: string;
  outDir: string;
  rulesDir?: string;
}

export type BatchOutcome = { ok: true; summary: ScanSummary } | { ok: false; error: string };

/** Runs one scan job; the default runs it in a child process so a crash cannot take the batch down. */
export type JobRunner = (job: BatchJob) => Promise<BatchOutcome>;

export interface BatchProgress {
  done: number;
  failed: number;
  running: number;
  total: number;
  last?: { evidence: string; outcome: BatchOutcome };
}

export interface BatchOptions {
  inputs: string[];
  outDir: string;
  rulesDir?: string;
  jobs?: number;
  runner?: JobRunner;
  onProgress?: (progress: BatchProgress) => void;
}

export interface BatchRow {
  evidence: string;
  host: string;
  status: 'ok' | 'failed';
  verdict: string;
  worm: string;
  variant: string;
  confidence: string;
  findings: number;
  artifacts_parsed: number;
  artifacts_failed: number;
  out_dir: string;
  error: string;
}

const GLOB_CHARACTERS = /[*?[\]{}]/;

/**
 * Expands globs (quoted, so the shell does not hit its argument limit), keeps plain paths.
 * The order is the order given, each glob's matches sorted, so the summary reads the same
 * wherever the batch runs; a path named twice is scanned once.
 */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const input of inputs) {
    if (GLOB_CHARACTERS.test(input)) {
      // An absolute pattern gives absolute paths (tinyglobby would make them relative to the cwd).
      const matches = await glob(input, {
        onlyFiles: false,
        expandDirectories: false,
        absolute: isAbsolute(input),
      });
      for (const path of matches.sort()) out.add(path);
    } else {
      out.add(input);
    }
  }
  return [...out];
}

/** One folder per evidence, named after it; collisions get a numeric suffix. */
export function jobFolders(inputs: string[]): string[] {
  const used = new Map<string, number>();
  return inputs.map((input) => {
    const base = basename(input.replace(/[/\\]+$/, '')).replace(/[^A-Za-z0-9._-]+/g, '_') || 'evidence';
    const seen = used.get(base.toLowerCase()) ?? 0;
    used.set(base.toLowerCase(), seen + 1);
    return seen === 0 ? base : `${base}-${seen + 1}`;
  });
}

/** The child-process runner: `scan-worker` runs the job and reports back over IPC. */
export function childProcessRunner(workerPath: string, execArgv: string[] = []): JobRunner {
  return (job) =>
    new Promise((resolve) => {
      // 'advanced' serialization carries bigint times in the summary.
      const child = fork(workerPath, [], {
        execArgv,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      let stderr = '';
      let settled = false;
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      child.on('message', (message: BatchOutcome) => {
        settled = true;
        resolve(message);
        child.disconnect();
      });
      child.on('exit', (code, signal) => {
        if (!settled) {
          settled = true;
          resolve({
            ok: false,
            error: `scan process ended (${signal ?? `exit ${code}`}) without a result${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
          });
        }
      });
      child.send(job);
    });
}

function rowOf(evidence: string, outDir: string, outcome: BatchOutcome): BatchRow {
  if (!outcome.ok) {
    return {
      evidence,
      host: '',
      status: 'failed',
      verdict: '',
      worm: '',
      variant: '',
      confidence: '',
      findings: 0,
      artifacts_parsed: 0,
      artifacts_failed: 0,
      out_dir: outDir,
      error: outcome.error,
    };
  }
  const { summary } = outcome;
  return {
    evidence,
    host: summary.host,
    status: 'ok',
    verdict: summary.verdict.verdict,
    worm: summary.verdict.worms.map((assessment) => assessment.worm).join(';'),
    variant: summary.verdict.variants.join(';'),
    confidence: summary.verdict.confidence ?? '',
    findings: summary.findings,
    artifacts_parsed: summary.artifacts.parsed,
    artifacts_failed: summary.artifacts.failed,
    out_dir: outDir,
    error: '',
  };
}

/**
 * Scans many pieces of evidence, `jobs` at a time, one sub-folder each. A failure in one input
 * is recorded in the summary and never stops the rest; the summary rows keep input order.
 */
export async function runBatch(
  options: BatchOptions,
): Promise<{ rows: BatchRow[]; counts: Record<string, number> }> {
  const inputs = await expandInputs(options.inputs);
  await mkdir(options.outDir, { recursive: true });
  const folders = jobFolders(inputs);
  const runner = options.runner;
  if (runner === undefined) throw new Error('runBatch needs a job runner');
  const jobs = Math.max(1, options.jobs ?? 2);
  const rows: BatchRow[] = new Array(inputs.length);
  const progress: BatchProgress = { done: 0, failed: 0, running: 0, total: inputs.length };
  let next = 0;

  const work = async (): Promise<void> => {
    while (next < inputs.length) {
      const index = next;
      next += 1;
      const evidence = inputs[index]!;
      const outDir = join(options.outDir, folders[index]!);
      progress.running += 1;
      options.onProgress?.({ ...progress });
      let outcome: BatchOutcome;
      try {
        outcome = await runner({
          evidence,
          outDir,
          ...(options.rulesDir ? { rulesDir: options.rulesDir } : {}),
        });
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      rows[index] = rowOf(evidence, outDir, outcome);
      progress.running -= 1;
      progress.done += 1;
      if (!outcome.ok) progress.failed += 1;
      options.onProgress?.({ ...progress, last: { evidence, outcome } });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, inputs.length)) }, work));

  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = row.status === 'failed' ? 'failed' : row.verdict;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const columns = Object.keys(rowOf('', '', { ok: false, error: '' })) as Array<keyof BatchRow>;
  const csv = [
    csvLine(columns),
    ...rows.map((row) => csvLine(columns.map((column) => String(row[column])))),
  ].join('');
  await writeFileAtomic(join(options.outDir, 'batch-summary.csv'), csv);
  await writeFileAtomic(join(options.outDir, 'batch-summary.json'), stableJson({ hosts: rows, counts }));
  return { rows, counts };
}
