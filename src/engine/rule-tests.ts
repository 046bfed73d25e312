/**
 * The rule test runner (`blaster-triage rules test`): every rule's `match` cases must produce a hit
 * (aggregate rules: a finding), every `nomatch` case must not, and every rule needs at least one of
 * each. Like ESLint's RuleTester, the cases live beside the rule.
 */

import { compileRules } from './engine.js';
import { summarizeRecord } from './fields.js';
import { checkCatalog, loadRules, type RuleLoadError } from './load.js';
import type { RuleDefinition, RuleTestCase } from './types.js';

export interface RuleCaseResult {
  name: string;
  expect: 'match' | 'nomatch';
  /** 1-based line of the case in its file. */
  line: number;
  passed: boolean;
  reason?: string;
}

export interface RuleTestResult {
  ruleId: string;
  file: string;
  passed: boolean;
  cases: RuleCaseResult[];
  /** Problems with the rule as a whole (missing match or nomatch cases). */
  problems: string[];
}

export interface RuleTestReport {
  passed: boolean;
  rules: RuleTestResult[];
  /** Files that could not be loaded (schema, YAML, compile or catalog errors). */
  errors: RuleLoadError[];
}

export interface RuleTestOptions {
  /** Text of indicators.md: when given, catalog IDs and source keys are checked against it. */
  catalog?: string;
}

/** Run one case of one rule. */
export function runRuleCase(
  rule: RuleDefinition,
  testCase: RuleTestCase,
  expect: 'match' | 'nomatch',
): RuleCaseResult {
  const engine = compileRules([rule]);
  let hit = false;
  for (const record of testCase.records) if (engine.observe(record).includes(rule.id)) hit = true;
  const findings = engine.finish();
  const matched = rule.aggregate ? findings.length > 0 : hit;
  const result: RuleCaseResult = {
    name: testCase.name,
    expect,
    line: testCase.line,
    passed: matched === (expect === 'match'),
  };
  if (!result.passed) {
    const first = testCase.records[0];
    const what = rule.aggregate
      ? `${testCase.records.length} record(s)${findings[0] ? `, peak ${findings[0].peak}` : ''}`
      : first
        ? summarizeRecord(first)
        : 'no record';
    result.reason = `${rule.file}:${testCase.line}: expected ${expect === 'match' ? 'a match' : 'no match'} (${what})`;
  }
  return result;
}

/** Run every case of one rule. */
export function testRule(rule: RuleDefinition): RuleTestResult {
  const cases = [
    ...rule.tests.match.map((c) => runRuleCase(rule, c, 'match')),
    ...rule.tests.nomatch.map((c) => runRuleCase(rule, c, 'nomatch')),
  ];
  const problems: string[] = [];
  if (rule.tests.match.length === 0) problems.push(`${rule.file}: rule ${rule.id} has no "match" test case`);
  if (rule.tests.nomatch.length === 0)
    problems.push(`${rule.file}: rule ${rule.id} has no "nomatch" test case`);
  return {
    ruleId: rule.id,
    file: rule.file,
    passed: problems.length === 0 && cases.every((c) => c.passed),
    cases,
    problems,
  };
}

/** Load every rule under `rulesDir` and run its tests. */
export function runRuleTests(rulesDir: string, options: RuleTestOptions = {}): RuleTestReport {
  const { rules, errors } = loadRules(rulesDir);
  if (options.catalog !== undefined) errors.push(...checkCatalog(rules, options.catalog));
  const results = rules.map(testRule);
  return { passed: errors.length === 0 && results.every((r) => r.passed), rules: results, errors };
}
