/**
 * Loads a folder of Sigma rules (`*.yml`/`*.yaml`, recursively; `<rule>.tests.yml` beside a rule
 * holds its test cases in the project's format). A rule that cannot be used is a problem with its
 * file and reason, never fatal.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { RuleDefinition } from '../types.js';
import { compileSigmaRule, type SigmaProblem } from './compile.js';

export interface SigmaLoadResult {
  rules: RuleDefinition[];
  problems: SigmaProblem[];
}

/** Files larger than this are not Sigma rules (bounded reads on a hostile folder). */
const MAX_RULE_BYTES = 1024 * 1024;
const MAX_DEPTH = 16;

function walk(dir: string, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const stats = statSync(full);
    if (stats.isDirectory()) walk(full, out, depth + 1);
    else if (stats.isFile()) out.push(full);
  }
}

const testsSuffix = /\.tests\.ya?ml$/i;

export function loadSigmaRules(dir: string): SigmaLoadResult {
  const files: string[] = [];
  walk(dir, files, 0);
  const display = (f: string) => join(basename(dir), relative(dir, f)).split('\\').join('/');
  const yamlFiles = new Set(files.filter((f) => /\.ya?ml$/i.test(f)));
  const rules: RuleDefinition[] = [];
  const problems: SigmaProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of yamlFiles) {
    if (testsSuffix.test(file)) continue;
    if (statSync(file).size > MAX_RULE_BYTES) {
      problems.push({ file: display(file), reason: `larger than ${MAX_RULE_BYTES} bytes` });
      continue;
    }
    const testsPath = [
      file.replace(/\.ya?ml$/i, '.tests.yml'),
      file.replace(/\.ya?ml$/i, '.tests.yaml'),
    ].find((f) => yamlFiles.has(f));
    const result = compileSigmaRule(
      readFileSync(file, 'utf8'),
      display(file),
      testsPath === undefined ? undefined : readFileSync(testsPath, 'utf8'),
      testsPath === undefined ? undefined : display(testsPath),
    );
    problems.push(...result.problems);
    if (result.rule === undefined) continue;
    const prior = seen.get(result.rule.id);
    if (prior !== undefined) {
      problems.push({ file: result.rule.file, reason: `duplicate Sigma id (also in ${prior})` });
      continue;
    }
    seen.set(result.rule.id, result.rule.file);
    rules.push(result.rule);
  }
  return { rules, problems };
}
