import type { Command } from 'commander';
import { scanEvidence } from '../scan/scan-job.js';
import { EXIT_CLEAN, EXIT_FOUND, positiveInteger } from './main.js';
import { formatScanSummary } from './output.js';

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      "scan one host's evidence (a zip, a directory, an image, loose artifacts) into one output folder",
    )
    .argument('<evidence...>', 'evidence of one host')
    .requiredOption('-o, --out <dir>', 'output folder (created; existing outputs are replaced atomically)')
    .option('--rules <dir>', 'rules folder (default: the rules shipped with the tool)')
    .option('--sigma <dir>', 'also run the Sigma rules in this folder (e.g. rules/sigma; none by default)')
    .option('--host <name>', 'host name to report (default: from the registry, else the evidence name)')
    .option('--max-zip-ratio <n>', 'largest compression ratio accepted for a big zip entry', positiveInteger)
    .option('--json', 'print the summary as JSON instead of text')
    .action(
      async (
        evidence: string[],
        options: {
          out: string;
          rules?: string;
          sigma?: string;
          host?: string;
          maxZipRatio?: number;
          json?: boolean;
        },
      ) => {
        const summary = await scanEvidence({
          evidence,
          outDir: options.out,
          ...(options.rules ? { rulesDir: options.rules } : {}),
          ...(options.sigma ? { sigmaDir: options.sigma } : {}),
          ...(options.host ? { host: options.host } : {}),
          ...(options.maxZipRatio ? { open: { zipLimits: { maxRatio: options.maxZipRatio } } } : {}),
        });
        process.stdout.write(
          options.json
            ? `${JSON.stringify(summary, (_key, value) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`
            : formatScanSummary(summary),
        );
        process.exitCode = summary.exitCode === 2 ? EXIT_FOUND : EXIT_CLEAN;
      },
    );
}
