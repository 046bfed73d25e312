/**
 * Compiles one Sigma rule (https://sigmahq.io/docs/basics/rules.html) into the project's own
 * RuleDefinition: kind `event`, a `match` expression of all/any/not and field leaves. The engine
 * then runs it like any YAML rule, on .evt and .evtx events alike. Anything the engine cannot
 * express exactly is refused with the reason (never approximated).
 */
import { parseAllDocuments } from 'yaml';
import { parseRuleTests } from '../load.js';
import { compileMatch, RuleCompileError } from '../matcher.js';
import type {
  Confidence,
  Diagnostic,
  Evidence,
  Level,
  MatchExpression,
  MatchLeaf,
  RuleDefinition,
  Worm,
} from '../types.js';
import { type ConditionNode, expandPattern, parseCondition, SigmaConditionError } from './condition.js';
import { mapSigmaField, sigmaLevelNames, sigmaServiceChannels } from './fields.js';

/** A Sigma rule that could not be used, and why. */
export interface SigmaProblem {
  file: string;
  reason: string;
}

class SigmaError extends Error {}

const SUPPORTED_MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  're',
  'i',
  'all',
  'cidr',
  'exists',
  'cased',
  'gt',
  'gte',
  'lt',
  'lte',
]);
const LEVELS: readonly Level[] = ['critical', 'high', 'medium', 'low', 'informational'];
const DIAGNOSTICS: readonly Diagnostic[] = ['infection', 'attack', 'exposure', 'corroborative'];
const WORMS: readonly Worm[] = ['blaster', 'welchia', 'generic'];
const CONFIDENCES: readonly Confidence[] = ['H', 'M', 'L'];
const EVIDENCE: readonly Evidence[] = [
  'binary',
  'hash',
  'persistence',
  'service',
  'network',
  'event',
  'remnant',
  'configuration',
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A Sigma string value: `*` and `?` are wildcards unless escaped; `\*`, `\?` and `\\` are the
 * literal characters; any other backslash is a literal backslash. Returns the literal text when
 * there is no wildcard, else a regex body (unanchored).
 */
export function parseSigmaString(value: string): { literal: string } | { regex: string } {
  let literal = '';
  let regex = '';
  let wildcard = false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        regex += escapeRegex(next);
        i += 1;
      } else {
        literal += c;
        regex += '\\\\';
      }
    } else if (c === '*') {
      wildcard = true;
      regex += '.*';
    } else if (c === '?') {
      wildcard = true;
      regex += '.';
    } else {
      literal += c;
      regex += escapeRegex(c);
    }
  }
  return wildcard ? { regex } : { literal };
}

type Op = 'equals' | 'contains' | 'startswith' | 'endswith';

/** One value under one operator as a leaf. */
function valueLeaf(field: string, op: Op, value: unknown, caseSensitive: boolean): MatchLeaf {
  const cs = caseSensitive ? { caseSensitive: true } : {};
  if (value === null) return { field, exists: false };
  if (typeof value === 'number' || typeof value === 'boolean') {
    if (op !== 'equals') return { field, ...cs, [op]: String(value) };
    return { field, equals: value };
  }
  if (typeof value !== 'string')
    throw new SigmaError(`field ${field}: values must be strings, numbers or null`);
  const parsed = parseSigmaString(value);
  if ('literal' in parsed) return { field, ...cs, [op]: parsed.literal };
  const body = parsed.regex;
  const anchored =
    op === 'equals' ? `^${body}$` : op === 'startswith' ? `^${body}` : op === 'endswith' ? `${body}$` : body;
  return { field, ...cs, regex: anchored };
}

function levelValue(value: unknown): unknown {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)))
    return sigmaLevelNames[String(value)] ?? value;
  return value;
}

/** `Field|mod|mod: value(s)` as a match expression. */
function fieldExpression(key: string, raw: unknown): MatchExpression {
  const [name = '', ...modifiers] = key.split('|');
  const field = mapSigmaField(name);
  if (field === undefined)
    throw new SigmaError(`field name "${name}" cannot be mapped (dotted names are not supported)`);
  for (const modifier of modifiers)
    if (!SUPPORTED_MODIFIERS.has(modifier))
      throw new SigmaError(`unsupported modifier "${modifier}" (${key})`);
  const has = (m: string) => modifiers.includes(m);
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new SigmaError(`field ${key}: empty value list`);
  const mapped = field === 'level' ? values.map(levelValue) : values;
  const combine = (leaves: MatchExpression[]): MatchExpression =>
    leaves.length === 1 ? leaves[0]! : has('all') ? { all: leaves } : { any: leaves };

  if (has('exists')) {
    if (values.length !== 1 || typeof values[0] !== 'boolean')
      throw new SigmaError(`field ${key}: "exists" takes true or false`);
    return { field, exists: values[0] };
  }
  if (has('re')) {
    return combine(
      mapped.map((value) => {
        if (typeof value !== 'string') throw new SigmaError(`field ${key}: "re" takes strings`);
        // Sigma regexes are case-sensitive unless |i or a leading (?i).
        const inline = value.startsWith('(?i)');
        const source = inline ? value.slice(4) : value;
        return { field, regex: source, ...(has('i') || inline ? {} : { caseSensitive: true }) };
      }),
    );
  }
  if (has('i')) throw new SigmaError(`field ${key}: "i" only goes with "re"`);
  if (has('cidr')) {
    return combine(
      mapped.map((value) => {
        if (typeof value !== 'string') throw new SigmaError(`field ${key}: "cidr" takes strings`);
        return { field, cidr: value };
      }),
    );
  }
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (has(op)) {
      return combine(
        mapped.map((value) => {
          if (typeof value !== 'number') throw new SigmaError(`field ${key}: "${op}" takes numbers`);
          return { field, [op]: value };
        }),
      );
    }
  }
  const op: Op = has('contains')
    ? 'contains'
    : has('startswith')
      ? 'startswith'
      : has('endswith')
        ? 'endswith'
        : 'equals';
  if ([has('contains'), has('startswith'), has('endswith')].filter(Boolean).length > 1)
    throw new SigmaError(`field ${key}: contains/startswith/endswith are exclusive`);
  const leaves = mapped.map((value) => valueLeaf(field, op, value, has('cased')));
  // Plain values of one operator fold into one leaf with a value list (one set lookup).
  if (!has('all')) {
    const plain = leaves.filter(
      (leaf): leaf is MatchLeaf => 'field' in leaf && op in leaf && !('regex' in leaf),
    );
    if (plain.length > 1 && plain.every((leaf) => typeof leaf[op] === 'string' || op === 'equals')) {
      const others = leaves.filter((leaf) => !plain.includes(leaf as MatchLeaf));
      const folded = {
        field,
        ...(has('cased') ? { caseSensitive: true } : {}),
        [op]: plain.map((leaf) => leaf[op] as string),
      } as MatchLeaf;
      return combine([folded, ...others]);
    }
  }
  return combine(leaves);
}

/** Keyword lists (a selection that is a list of strings): the message or an insertion string contains one. */
function keywordExpression(values: unknown[]): MatchExpression {
  const leaves: MatchExpression[] = values.map((value) => {
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new SigmaError('keyword lists take strings');
    return {
      any: [
        valueLeaf('message', 'contains', String(value), false),
        valueLeaf('strings', 'contains', String(value), false),
      ],
    };
  });
  return leaves.length === 1 ? leaves[0]! : { any: leaves };
}

function selectionExpression(name: string, body: unknown): MatchExpression {
  const mapExpression = (map: Record<string, unknown>): MatchExpression => {
    const parts = Object.entries(map).map(([key, value]) => fieldExpression(key, value));
    if (parts.length === 0) throw new SigmaError(`selection ${name} is empty`);
    return parts.length === 1 ? parts[0]! : { all: parts };
  };
  if (isObject(body)) return mapExpression(body);
  if (Array.isArray(body) && body.length > 0) {
    if (body.every(isObject)) {
      const parts = body.map(mapExpression);
      return parts.length === 1 ? parts[0]! : { any: parts };
    }
    if (body.every((item) => !isObject(item) && !Array.isArray(item))) return keywordExpression(body);
  }
  throw new SigmaError(`selection ${name} must be a map, a list of maps or a list of keywords`);
}

function conditionExpression(node: ConditionNode, selections: Map<string, MatchExpression>): MatchExpression {
  switch (node.type) {
    case 'and':
      return { all: node.parts.map((part) => conditionExpression(part, selections)) };
    case 'or':
      return { any: node.parts.map((part) => conditionExpression(part, selections)) };
    case 'not':
      return { not: conditionExpression(node.part, selections) };
    case 'selection': {
      const expression = selections.get(node.name);
      if (expression === undefined)
        throw new SigmaError(`condition names an unknown selection "${node.name}"`);
      return expression;
    }
    case 'of': {
      const names = expandPattern(node.pattern, [...selections.keys()]);
      if (names.length === 0) throw new SigmaError(`"of ${node.pattern}" matches no selection`);
      const parts = names.map((name) => selections.get(name)!);
      if (parts.length === 1) return parts[0]!;
      return node.quantifier === 'all' ? { all: parts } : { any: parts };
    }
  }
}

function logsourceExpression(logsource: unknown): MatchExpression | undefined {
  if (!isObject(logsource)) throw new SigmaError('logsource missing');
  const product = logsource.product;
  if (product !== undefined && String(product).toLowerCase() !== 'windows')
    throw new SigmaError(`unsupported logsource product "${String(product)}" (Windows event logs only)`);
  if (logsource.category !== undefined)
    throw new SigmaError(
      `unsupported logsource category "${String(logsource.category)}" (no Windows event log maps to it here; use service)`,
    );
  if (logsource.service === undefined) {
    if (product === undefined) throw new SigmaError('logsource names neither product nor service');
    return undefined;
  }
  const channel = sigmaServiceChannels[String(logsource.service).toLowerCase()];
  if (channel === undefined) throw new SigmaError(`unknown logsource service "${String(logsource.service)}"`);
  return { field: 'channel', equals: channel };
}

function pick<T extends string>(
  doc: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = doc[key];
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new SigmaError(`${key} must be one of ${allowed.join(', ')}`);
}

function stringList(value: unknown, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new SigmaError(`${key} must be a list of strings`);
}

/**
 * One Sigma rule file (and the text of its sibling `.tests.yml`) to a RuleDefinition. The id is
 * `sigma-<Sigma id>`; custom fields `worm`, `variant`, `diagnostic`, `confidence`, `evidence`,
 * `catalog` set the project's rule fields (tags `blaster-triage.worm.<worm>` also set the worm).
 */
export function compileSigmaRule(
  text: string,
  file: string,
  testsText?: string,
  testsFile?: string,
): { rule?: RuleDefinition; problems: SigmaProblem[] } {
  const fail = (reason: string) => ({ problems: [{ file, reason }] });
  let doc: unknown;
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
    if (!Array.isArray(docs)) return fail('not YAML');
    if (docs.length !== 1) return fail('multi-document Sigma rule collections are not supported');
    const only = docs[0]!;
    if (only.errors.length > 0) return fail(`YAML: ${only.errors[0]!.message.split('\n')[0]}`);
    doc = only.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(`YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    if (!isObject(doc)) throw new SigmaError('a Sigma rule is a mapping');
    if (typeof doc.title !== 'string' || doc.title === '') throw new SigmaError('title missing');
    const sigmaId = typeof doc.id === 'string' && doc.id !== '' ? doc.id : undefined;
    if (sigmaId === undefined) throw new SigmaError('id missing');
    const detection = doc.detection;
    if (!isObject(detection)) throw new SigmaError('detection missing');
    if (detection.timeframe !== undefined) throw new SigmaError('timeframe (aggregation) is not supported');
    const conditionRaw = detection.condition;
    const conditions = Array.isArray(conditionRaw) ? conditionRaw : [conditionRaw];
    if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string'))
      throw new SigmaError('detection.condition must be a string (or a list of strings)');
    const selections = new Map<string, MatchExpression>();
    for (const [name, body] of Object.entries(detection)) {
      if (name === 'condition' || name === 'timeframe') continue;
      selections.set(name, selectionExpression(name, body));
    }
    let condition: MatchExpression;
    try {
      const trees = (conditions as string[]).map((c) => conditionExpression(parseCondition(c), selections));
      condition = trees.length === 1 ? trees[0]! : { any: trees };
    } catch (error) {
      if (error instanceof SigmaConditionError) throw new SigmaError(`condition: ${error.message}`);
      throw error;
    }
    const channel = logsourceExpression(doc.logsource);
    const match: MatchExpression = channel === undefined ? condition : { all: [channel, condition] };
    try {
      compileMatch(match, 'event');
    } catch (error) {
      if (error instanceof RuleCompileError) throw new SigmaError(error.message);
      throw error;
    }
    const tags = stringList(doc.tags, 'tags');
    const tagWorm = tags
      .map((tag) => /^blaster-triage\.worm\.(\w+)$/.exec(tag)?.[1])
      .find((w) => w !== undefined);
    const worm = pick(
      doc,
      'worm',
      WORMS,
      (WORMS as readonly string[]).includes(tagWorm ?? '') ? (tagWorm as Worm) : 'generic',
    );
    const variant = doc.variant === undefined || doc.variant === null ? null : String(doc.variant);
    if (variant !== null && !/^[A-Z]$/.test(variant))
      throw new SigmaError('variant must be one capital letter');
    const rule: RuleDefinition = {
      id: `sigma-${sigmaId}`,
      title: doc.title,
      description: typeof doc.description === 'string' ? doc.description.trim() : doc.title,
      worm,
      variant,
      level: pick(doc, 'level', LEVELS, 'medium'),
      confidence: pick(doc, 'confidence', CONFIDENCES, 'M'),
      diagnostic: pick(doc, 'diagnostic', DIAGNOSTICS, 'corroborative'),
      evidence: pick(doc, 'evidence', EVIDENCE, 'event'),
      catalog: stringList(doc.catalog, 'catalog'),
      references: stringList(doc.references, 'references'),
      kind: 'event',
      match,
      tests: { match: [], nomatch: [] },
      file,
      line: 1,
    };
    if (testsText !== undefined) {
      const parsed = parseRuleTests(testsText, testsFile ?? `${file}.tests`, 'event');
      if (parsed.errors.length > 0)
        return {
          problems: parsed.errors.map((error) => ({
            file: error.file,
            reason: `${error.line}: ${error.reason}`,
          })),
        };
      rule.tests = parsed.tests;
    }
    return { rule, problems: [] };
  } catch (error) {
    if (error instanceof SigmaError) return fail(error.message);
    throw error;
  }
}
