/**
 * Reading rule files: YAML with line numbers, the JSON Schema, a trial compile of the match
 * expression, and the test records checked against the record model. Every problem becomes a
 * `RuleLoadError` naming the file and line (`rules/blaster/x.yml:12: ...`); one bad rule never stops
 * the others from loading.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { NormalizedRecord, RecordKind } from '../model/index.js';
import { parseWindow } from './aggregate.js';
import { fieldSpecOf, kindFields } from './fields.js';
import { compileMatch, type Path, parseTimeLiteral, RuleCompileError } from './matcher.js';
import { ruleSchema, testsSchema } from './schema.js';
import type { RuleDefinition, RuleTestCase } from './types.js';

export class RuleLoadError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'RuleLoadError';
  }
}

export interface LoadResult {
  rules: RuleDefinition[];
  errors: RuleLoadError[];
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
const validateRule = ajv.compile(ruleSchema);
const validateTests = ajv.compile(testsSchema);

interface SourceDoc {
  file: string;
  doc: Document;
  lines: LineCounter;
}

function lineAt(source: SourceDoc, offset: number): number {
  return source.lines.linePos(offset).line;
}

/** The line of the node at `path` (or of its key `key`), falling back to the nearest ancestor found. */
function lineOf(source: SourceDoc, path: Path, key?: string): number {
  let node: unknown = source.doc.contents;
  let line = 1;
  const take = (n: unknown) => {
    const range = (n as Node | null)?.range;
    if (range) line = lineAt(source, range[0]);
  };
  take(node);
  for (const seg of [...path, ...(key === undefined ? [] : [key])]) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (seg === key) {
        take(pair.key);
        break;
      }
      node = pair.value;
      // The key's line: for a block mapping or list the value starts on the next line.
      take(pair.key);
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      node = item;
      take(item);
    } else break;
  }
  return line;
}

function parseYaml(
  text: string,
  file: string,
): { source: SourceDoc; value: unknown; errors: RuleLoadError[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false });
  const source = { file, doc, lines };
  const errors = doc.errors.map(
    (e) => new RuleLoadError(file, lineAt(source, e.pos[0]), e.message.split('\n')[0]!),
  );
  if (errors.length > 0) return { source, value: undefined, errors };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    errors.push(new RuleLoadError(file, 1, (error as Error).message));
  }
  return { source, value, errors };
}

const anyOfHints: Record<string, string> = {
  variant: 'must be null or one capital letter (A, B, ...)',
  equals: 'must be a string, number, boolean or a list of them',
  range: 'must be "min-max" (e.g. "2500-2520") or {min, max}',
};

function schemaErrors(
  source: SourceDoc,
  errors: ErrorObject[] | null | undefined,
  base: Path,
): RuleLoadError[] {
  const out: RuleLoadError[] = [];
  const seen = new Set<string>();
  const all = errors ?? [];
  // anyOf/oneOf report every branch's complaint as well; keep only the combined error.
  const combined = all.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const isBranch = (e: ErrorObject) =>
    combined.some(
      (c) => c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`),
    );
  for (const e of all) {
    if (isBranch(e)) continue;
    const path = [
      ...base,
      ...e.instancePath
        .split('/')
        .slice(1)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')),
    ];
    const where = path.join('.') || '(root)';
    let message: string;
    let key: string | undefined;
    if (e.keyword === 'additionalProperties') {
      key = String((e.params as { additionalProperty: string }).additionalProperty);
      message = `unknown property "${key}" in ${where}`;
    } else if (e.keyword === 'required') {
      message = `${where}: missing required property "${(e.params as { missingProperty: string }).missingProperty}"`;
    } else if (e.keyword === 'enum') {
      message = `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (e.keyword === 'oneOf' && path[path.length - 1] === 'aggregate') {
      message = 'aggregate needs exactly one of "count: true" or "distinct: <field>"';
    } else if (e.keyword === 'anyOf') {
      message = `${where}: ${anyOfHints[String(path[path.length - 1])] ?? 'has the wrong type'}`;
    } else {
      message = `${where} ${e.message ?? e.keyword}`;
    }
    const line = lineOf(source, path, key);
    const text = `${line}:${message}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(new RuleLoadError(source.file, line, message));
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Check and convert one test record (with the defaults merged in) against the record model. */
function toRecord(
  raw: unknown,
  defaults: Record<string, unknown>,
  kind: RecordKind,
  source: SourceDoc,
  path: Path,
  errors: RuleLoadError[],
): NormalizedRecord | undefined {
  if (!isObject(raw)) {
    errors.push(new RuleLoadError(source.file, lineOf(source, path), 'a test record must be a mapping'));
    return undefined;
  }
  const merged: Record<string, unknown> = { kind, ...defaults, ...raw };
  const recordKind = merged.kind;
  if (typeof recordKind !== 'string' || !(recordKind in kindFields)) {
    errors.push(
      new RuleLoadError(
        source.file,
        lineOf(source, path, 'kind'),
        `unknown record kind ${String(recordKind)}`,
      ),
    );
    return undefined;
  }
  const table = kindFields[recordKind as RecordKind];
  const before = errors.length;
  const fail = (key: string | undefined, message: string) =>
    errors.push(new RuleLoadError(source.file, lineOf(source, path, key), message));
  for (const [name, spec] of Object.entries(table)) {
    if (spec.required && merged[name] === undefined)
      fail(undefined, `test record (${recordKind}) lacks required field "${name}"`);
  }
  for (const [name, value] of Object.entries(merged)) {
    const spec = table[name];
    if (!spec) {
      fail(name, `record kind "${recordKind}" has no field "${name}"`);
      continue;
    }
    if (value === undefined || value === null) {
      delete merged[name];
      continue;
    }
    switch (spec.type) {
      case 'string':
        if (typeof value !== 'string') fail(name, `"${name}" must be a string`);
        break;
      case 'number':
        if (typeof value !== 'number') fail(name, `"${name}" must be a number`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') fail(name, `"${name}" must be true or false`);
        break;
      case 'time': {
        const t = parseTimeLiteral(value);
        if (t === undefined) fail(name, `"${name}" must be a time (ISO 8601 or integer microseconds)`);
        else merged[name] = t;
        break;
      }
      case 'string[]':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
          fail(name, `"${name}" must be a list of strings`);
        break;
      case 'map':
        if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string'))
          fail(name, `"${name}" must be a mapping of strings`);
        break;
    }
  }
  if (recordKind !== kind)
    fail('kind', `test record kind "${recordKind}" differs from the rule's kind "${kind}"`);
  return errors.length === before ? (merged as unknown as NormalizedRecord) : undefined;
}

function readCases(
  tests: Record<string, unknown>,
  kind: RecordKind,
  aggregate: boolean,
  source: SourceDoc,
  base: Path,
  errors: RuleLoadError[],
): { match: RuleTestCase[]; nomatch: RuleTestCase[] } {
  const defaults = isObject(tests.defaults) ? tests.defaults : {};
  const out = { match: [] as RuleTestCase[], nomatch: [] as RuleTestCase[] };
  for (const expect of ['match', 'nomatch'] as const) {
    const list = Array.isArray(tests[expect]) ? tests[expect] : [];
    list.forEach((raw: unknown, i: number) => {
      const path = [...base, expect, i];
      const line = lineOf(source, path);
      let name = `${expect} #${i + 1}`;
      let items: unknown[];
      let itemPath: (j: number) => Path;
      if (isObject(raw) && ('record' in raw || 'records' in raw)) {
        if (typeof raw.name === 'string') name = `${name}: ${raw.name}`;
        if ('records' in raw) {
          if (!Array.isArray(raw.records) || raw.records.length === 0) {
            errors.push(new RuleLoadError(source.file, line, '"records" must be a non-empty list'));
            return;
          }
          items = raw.records;
          itemPath = (j) => [...path, 'records', j];
        } else {
          items = [raw.record];
          itemPath = () => [...path, 'record'];
        }
        const extra = Object.keys(raw).filter((k) => k !== 'name' && k !== 'record' && k !== 'records');
        if (extra.length > 0)
          errors.push(
            new RuleLoadError(
              source.file,
              line,
              `a test case takes name and record(s), not ${extra.join(', ')}`,
            ),
          );
      } else {
        items = [raw];
        itemPath = () => path;
      }
      if (!aggregate && items.length > 1) {
        errors.push(
          new RuleLoadError(
            source.file,
            line,
            'a sequence of records only makes sense for an aggregate rule',
          ),
        );
        return;
      }
      const records: NormalizedRecord[] = [];
      items.forEach((item, j) => {
        const rec = toRecord(item, defaults, kind, source, itemPath(j), errors);
        if (rec) records.push(rec);
      });
      if (records.length === items.length) out[expect].push({ name, records, line });
    });
  }
  return out;
}

/**
 * Parse one rule from YAML text. `testsText` is the content of a sibling `<rule>.tests.yml`, when the
 * rule keeps its tests there. Returns the rule, or undefined with errors.
 */
export function parseRule(
  text: string,
  file: string,
  testsText?: string,
  testsFile?: string,
): { rule?: RuleDefinition; errors: RuleLoadError[] } {
  const { source, value, errors } = parseYaml(text, file);
  if (errors.length > 0) return { errors };
  if (!validateRule(value)) return { errors: schemaErrors(source, validateRule.errors, []) };
  const doc = value as Record<string, unknown> & Omit<RuleDefinition, 'tests' | 'file' | 'line'>;
  const kind = doc.kind;
  // Trial compile: bad regexes, unknown fields, empty combinators.
  try {
    compileMatch(doc.match, kind, ['match']);
  } catch (error) {
    if (error instanceof RuleCompileError)
      errors.push(new RuleLoadError(file, lineOf(source, error.path), error.message));
    else throw error;
  }
  if (doc.aggregate) {
    const agg = doc.aggregate;
    for (const [i, name] of [agg.distinct, ...(agg.groupBy ?? [])].entries()) {
      if (name !== undefined && !fieldSpecOf(kind, name)) {
        const path: Path = i === 0 ? ['aggregate', 'distinct'] : ['aggregate', 'groupBy', i - 1];
        errors.push(
          new RuleLoadError(file, lineOf(source, path), `record kind "${kind}" has no field "${name}"`),
        );
      }
    }
    if (agg.window !== undefined && parseWindow(agg.window) === undefined)
      errors.push(
        new RuleLoadError(file, lineOf(source, ['aggregate', 'window']), `bad window "${agg.window}"`),
      );
  }
  let tests = { match: [] as RuleTestCase[], nomatch: [] as RuleTestCase[] };
  const inline = doc.tests as Record<string, unknown> | undefined;
  if (inline && testsText !== undefined)
    errors.push(new RuleLoadError(file, lineOf(source, ['tests']), `tests both inline and in ${testsFile}`));
  if (inline) {
    tests = readCases(inline, kind, doc.aggregate !== undefined, source, ['tests'], errors);
  } else if (testsText !== undefined) {
    const t = parseYaml(testsText, testsFile ?? `${file}.tests`);
    errors.push(...t.errors);
    if (t.errors.length === 0) {
      if (!validateTests(t.value)) errors.push(...schemaErrors(t.source, validateTests.errors, []));
      else
        tests = readCases(
          t.value as unknown as Record<string, unknown>,
          kind,
          doc.aggregate !== undefined,
          t.source,
          [],
          errors,
        );
    }
  } else {
    errors.push(new RuleLoadError(file, 1, 'rule has no tests (add "tests:" or a sibling .tests.yml file)'));
  }
  if (errors.length > 0) return { errors };
  const rule: RuleDefinition = {
    id: doc.id,
    title: doc.title,
    description: doc.description,
    worm: doc.worm,
    variant: doc.variant,
    level: doc.level,
    confidence: doc.confidence,
    diagnostic: doc.diagnostic,
    evidence: doc.evidence,
    catalog: doc.catalog,
    references: doc.references,
    kind,
    match: doc.match,
    tests,
    file,
    line: 1,
  };
  if (doc.aggregate) rule.aggregate = doc.aggregate;
  return { rule, errors };
}

/**
 * Test cases from the text of a `<rule>.tests.yml` file (the mapping `defaults`/`match`/`nomatch`),
 * checked against the record model for `kind`: for rules built elsewhere (Sigma rules) that keep
 * their cases in the project's format.
 */
export function parseRuleTests(
  text: string,
  file: string,
  kind: RecordKind,
  aggregate = false,
): { tests: { match: RuleTestCase[]; nomatch: RuleTestCase[] }; errors: RuleLoadError[] } {
  const t = parseYaml(text, file);
  const errors = [...t.errors];
  let tests = { match: [] as RuleTestCase[], nomatch: [] as RuleTestCase[] };
  if (errors.length === 0) {
    if (!validateTests(t.value)) errors.push(...schemaErrors(t.source, validateTests.errors, []));
    else
      tests = readCases(t.value as unknown as Record<string, unknown>, kind, aggregate, t.source, [], errors);
  }
  return { tests, errors };
}

/** Sub-folders of the rules folder that hold other rule formats, loaded by their own loaders. */
const foreignRuleDirs = new Set(['sigma']);

function walk(dir: string, out: string[], top = true): void {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      // rules/sigma/ holds Sigma rules (src/engine/sigma/), loaded only with --sigma.
      if (!(top && foreignRuleDirs.has(name.toLowerCase()))) walk(full, out, false);
    } else out.push(full);
  }
}

const testsSuffix = /\.tests\.ya?ml$/;

/**
 * Load every `*.yml`/`*.yaml` rule under `dir` (recursively, sorted; `*.tests.yml` files are the
 * tests of the rule beside them; a top-level `sigma/` folder is skipped: Sigma rules are loaded by
 * `loadSigmaRules`). File names in messages are given as `<basename(dir)>/<relative>`,
 * e.g. `rules/blaster/x.yml`. Duplicate ids are errors.
 */
export function loadRules(dir: string): LoadResult {
  const files: string[] = [];
  walk(dir, files);
  const display = (f: string) => join(basename(dir), relative(dir, f)).split('\\').join('/');
  const yamlFiles = new Set(files.filter((f) => /\.ya?ml$/.test(f)));
  const rules: RuleDefinition[] = [];
  const errors: RuleLoadError[] = [];
  const byId = new Map<string, RuleDefinition>();
  for (const file of yamlFiles) {
    if (testsSuffix.test(file)) {
      const owner = [file.replace(testsSuffix, '.yml'), file.replace(testsSuffix, '.yaml')];
      if (!owner.some((o) => yamlFiles.has(o)))
        errors.push(new RuleLoadError(display(file), 1, 'tests file without a rule beside it'));
      continue;
    }
    const testsPath = [file.replace(/\.ya?ml$/, '.tests.yml'), file.replace(/\.ya?ml$/, '.tests.yaml')].find(
      (f) => yamlFiles.has(f),
    );
    const result = parseRule(
      readFileSync(file, 'utf8'),
      display(file),
      testsPath === undefined ? undefined : readFileSync(testsPath, 'utf8'),
      testsPath === undefined ? undefined : display(testsPath),
    );
    errors.push(...result.errors);
    if (!result.rule) continue;
    const prior = byId.get(result.rule.id);
    if (prior) {
      errors.push(
        new RuleLoadError(
          result.rule.file,
          1,
          `duplicate rule id "${result.rule.id}" (also in ${prior.file})`,
        ),
      );
      continue;
    }
    byId.set(result.rule.id, result.rule);
    rules.push(result.rule);
  }
  return { rules, errors };
}

/** Catalog IDs (first column of the tables) and source keys (`- S01 ...`) defined in indicators.md. */
export function readCatalog(indicatorsMarkdown: string): { ids: Set<string>; sources: Set<string> } {
  const ids = new Set<string>();
  for (const m of indicatorsMarkdown.matchAll(/^\|\s*([A-Z]{3}-[A-Za-z0-9]+)\s*\|/gm)) ids.add(m[1]!);
  const sources = new Set<string>();
  for (const m of indicatorsMarkdown.matchAll(/^-\s+(S\d{2}[a-z]?)\s/gm)) sources.add(m[1]!);
  return { ids, sources };
}

/** Errors for catalog IDs and source keys a rule names that indicators.md does not define. */
export function checkCatalog(rules: readonly RuleDefinition[], indicatorsMarkdown: string): RuleLoadError[] {
  const { ids, sources } = readCatalog(indicatorsMarkdown);
  const errors: RuleLoadError[] = [];
  for (const rule of rules) {
    for (const id of rule.catalog)
      if (!ids.has(id))
        errors.push(new RuleLoadError(rule.file, rule.line, `catalog ID ${id} is not in indicators.md`));
    for (const ref of rule.references)
      if (/^S\d/.test(ref) && !sources.has(ref))
        errors.push(new RuleLoadError(rule.file, rule.line, `source ${ref} is not in indicators.md §12`));
  }
  return errors;
}
