/** Rule engine public API: load rules, run them over records, compute a host's verdict, test rules. */
export { type AggregateStats, parseWindow } from './aggregate.js';
export { compareFindings, compileRules, type Engine, type EngineOptions, type RuleStats } from './engine.js';
export { kindFields, recordTime, summarizeRecord } from './fields.js';
export { checkCatalog, type LoadResult, loadRules, parseRule, RuleLoadError, readCatalog } from './load.js';
export { compileMatch, type Matcher, parseTimeLiteral, RuleCompileError } from './matcher.js';
export {
  type RuleCaseResult,
  type RuleTestOptions,
  type RuleTestReport,
  type RuleTestResult,
  runRuleCase,
  runRuleTests,
  testRule,
} from './rule-tests.js';
export { ruleSchema } from './schema.js';
export type * from './types.js';
export { levelRank } from './types.js';
export {
  computeVerdict,
  type HostVerdict,
  type VerdictClass,
  type VerdictConfidence,
  type VerdictReason,
  type WormAssessment,
} from './verdict.js';
