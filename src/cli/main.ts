import { Command, InvalidArgumentError } from 'commander';
import { toolVersion } from '../scan/paths.js';
import { registerBatchCommand } from './batch-command.js';
import { registerLsCommand } from './ls-command.js';
import { registerParseCommand } from './parse-command.js';
import { registerRulesCommand } from './rules-command.js';
import { registerScanCommand } from './scan-command.js';

/** Exit codes: 0 nothing found, 1 usage or fatal error, 2 indicators found. */
export const EXIT_CLEAN = 0;
export const EXIT_ERROR = 1;
export const EXIT_FOUND = 2;

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return parsed;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('blaster-triage')
    .description('Offline triage of Windows evidence for the 2003 Blaster and Welchia worms.')
    .version(toolVersion())
    .showHelpAfterError()
    .exitOverride();
  registerScanCommand(program);
  registerBatchCommand(program);
  registerRulesCommand(program);
  registerParseCommand(program);
  registerLsCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `blaster-triage parse ... | head`: a closed pipe ends the output, it is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_CLEAN);
    throw error;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
      process.exitCode = EXIT_CLEAN;
      return;
    }
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = EXIT_ERROR;
      return;
    }
    process.stderr.write(`blaster-triage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_ERROR;
  }
}
