import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadRules } from '../engine/load.js';
import { runRuleTests } from '../engine/rule-tests.js';
import { defaultRulesDir, packageRoot } from '../scan/paths.js';
import { EXIT_CLEAN, EXIT_ERROR } from './main.js';

/** The domain catalog, when the shared folder sits beside the checkout, to check rule IDs against. */
function catalogText(): string | undefined {
  const path = join(packageRoot(), '..', 'shared', 'domain', 'indicators.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('list the rules or run their test cases');
  rules
    .command('test')
    .description("run every rule's own test cases (match / nomatch), check schemas and catalog IDs")
    .option('--rules <dir>', 'rules folder', defaultRulesDir())
    .action((options: { rules: string }) => {
      const catalog = catalogText();
      const report = runRuleTests(options.rules, catalog === undefined ? {} : { catalog });
      for (const error of report.errors) process.stdout.write(`ERROR ${error.message}\n`);
      let cases = 0;
      let failedCases = 0;
      for (const rule of report.rules) {
        cases += rule.cases.length;
        const failed = rule.cases.filter((testCase) => !testCase.passed);
        failedCases += failed.length;
        process.stdout.write(
          `${rule.passed ? 'ok  ' : 'FAIL'} ${rule.ruleId} (${rule.cases.length} cases) ${rule.file}\n`,
        );
        for (const problem of rule.problems) process.stdout.write(`       ${problem}\n`);
        for (const testCase of failed) {
          process.stdout.write(
            `       ${rule.file}:${testCase.line} ${testCase.expect} "${testCase.name}": ${testCase.reason ?? 'failed'}\n`,
          );
        }
      }
      const failedRules = report.rules.filter((rule) => !rule.passed).length;
      process.stdout.write(
        `${report.rules.length} rules, ${cases} cases: ${cases - failedCases} passed, ${failedCases} failed; ${failedRules} rules failing, ${report.errors.length} load errors${catalog === undefined ? ' (catalog not found: IDs not checked)' : ''}\n`,
      );
      process.exitCode = report.passed ? EXIT_CLEAN : EXIT_ERROR;
    });
  rules
    .command('list')
    .description('list the rules with their catalog IDs')
    .option('--rules <dir>', 'rules folder', defaultRulesDir())
    .action((options: { rules: string }) => {
      const { rules: loaded, errors } = loadRules(options.rules);
      for (const rule of loaded) {
        process.stdout.write(
          `${rule.id}\t${rule.level}\t${rule.worm}${rule.variant ? ` ${rule.variant}` : ''}\t${rule.kind}\t${rule.catalog.join(',')}\t${rule.title}\n`,
        );
      }
      for (const error of errors) process.stdout.write(`ERROR ${error.message}\n`);
      process.exitCode = errors.length === 0 ? EXIT_CLEAN : EXIT_ERROR;
    });
}
