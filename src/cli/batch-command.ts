import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { type BatchProgress, childProcessRunner, runBatch } from '../batch/batch.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, positiveInteger } from './main.js';

function progressPrinter(): (progress: BatchProgress) => void {
  const tty = process.stderr.isTTY === true;
  return (progress) => {
    if (tty) {
      const width = 30;
      const filled = progress.total === 0 ? width : Math.round((progress.done / progress.total) * width);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress.done}/${progress.total} done, ${progress.failed} failed, ${progress.running} running `,
      );
      if (progress.done === progress.total && progress.last) process.stderr.write('\n');
      return;
    }
    if (progress.last === undefined) return;
    const { evidence, outcome } = progress.last;
    const result = outcome.ok
      ? `${outcome.summary.host}: ${outcome.summary.verdict.verdict}${outcome.summary.verdict.worms.length ? ` (${outcome.summary.verdict.worms.map((assessment) => assessment.worm).join(', ')})` : ''}`
      : `FAILED: ${outcome.error}`;
    process.stderr.write(`[${progress.done}/${progress.total}] ${evidence}: ${result}\n`);
  };
}

export function registerBatchCommand(program: Command): void {
  program
    .command('batch')
    .description('scan many pieces of evidence in parallel, one sub-folder each, with a summary across hosts')
    .argument('<inputs...>', 'evidence paths or quoted globs ("collections/*.zip")')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-j, --jobs <n>', 'scans run at once (default: number of CPUs)', positiveInteger)
    .option('--rules <dir>', 'rules folder')
    .action(async (inputs: string[], options: { out: string; jobs?: number; rules?: string }) => {
      // From dist/ the worker is JavaScript; from source (tests, tsx) it is TypeScript and the child
      // inherits the loader through execArgv.
      const fromSource = import.meta.url.endsWith('.ts');
      const worker = fileURLToPath(
        new URL(fromSource ? './scan-worker.ts' : './scan-worker.js', import.meta.url),
      );
      const { rows, counts } = await runBatch({
        inputs,
        outDir: options.out,
        jobs: options.jobs ?? availableParallelism(),
        runner: childProcessRunner(worker, fromSource ? process.execArgv : []),
        onProgress: progressPrinter(),
        ...(options.rules ? { rulesDir: options.rules } : {}),
      });
      const parts = Object.entries(counts)
        .sort()
        .map(([verdict, count]) => `${count} ${verdict}`);
      process.stdout.write(
        `${rows.length} evidence items: ${parts.join(', ')}\nsummary: ${options.out}/batch-summary.csv, batch-summary.json\n`,
      );
      // Indicators anywhere win; otherwise a failed input makes the batch exit 1.
      const found = rows.some((row) => row.status === 'ok' && row.verdict !== 'clean');
      const failed = rows.some((row) => row.status === 'failed');
      process.exitCode = found ? EXIT_FOUND : failed ? EXIT_ERROR : EXIT_CLEAN;
    });
}
