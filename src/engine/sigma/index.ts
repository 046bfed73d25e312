/** Sigma rules compiled into the project's RuleDefinition (see README.md in this folder). */

export { compileSigmaRule, parseSigmaString, type SigmaProblem } from './compile.js';
export { type ConditionNode, expandPattern, parseCondition, SigmaConditionError } from './condition.js';
export { mapSigmaField, sigmaFieldMap, sigmaServiceChannels } from './fields.js';
export { loadSigmaRules, type SigmaLoadResult } from './load.js';
