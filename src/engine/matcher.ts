/**
 * Compiles a rule's `match` expression into one closure tree, once per rule: no YAML is looked at
 * while records flow. Semantics (Sigma-like):
 * - a leaf `{field, <op>: value, ...}` holds when every operator in it holds; a value list means
 *   "any of"; strings compare case-insensitively unless `caseSensitive: true`;
 * - an array field (e.g. `hotfixes`, `strings`) satisfies a leaf when one element does (so `not`
 *   around it means "no element does");
 * - a missing field satisfies no operator except `exists: false`.
 */
import type { NormalizedRecord, RecordKind } from '../model/index.js';
import { type FieldSpec, fieldSpecOf } from './fields.js';
import { type Cidr, cidrContains, parseCidr } from './ip.js';

export type Matcher = (record: NormalizedRecord) => boolean;
export type Path = readonly (string | number)[];

/** A rule that cannot be compiled; `path` points into the rule document (mapped to a line by the loader). */
export class RuleCompileError extends Error {
  constructor(
    message: string,
    readonly path: Path,
  ) {
    super(message);
    this.name = 'RuleCompileError';
  }
}

const operators = [
  'equals',
  'in',
  'contains',
  'startswith',
  'endswith',
  'regex',
  'glob',
  'range',
  'gt',
  'gte',
  'lt',
  'lte',
  'cidr',
  'exists',
] as const;
type Operator = (typeof operators)[number];
const operatorSet = new Set<string>(operators);

type Scalar = (value: unknown) => boolean;
type Getter = (record: NormalizedRecord) => unknown;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Read a dotted path; one closure per depth so the common one-segment case is a single property load. */
export function makeGetter(path: string): Getter {
  const parts = path.split('.');
  if (parts.length === 1) {
    const [a] = parts as [string];
    return (r) => (r as unknown as Record<string, unknown>)[a];
  }
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return (r) => {
      const v = (r as unknown as Record<string, unknown>)[a];
      return isObject(v) ? v[b] : undefined;
    };
  }
  return (r) => {
    let v: unknown = r;
    for (const p of parts) {
      if (!isObject(v)) return undefined;
      v = v[p];
    }
    return v;
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Glob to regex: `*` = any run inside one path component, `**` = any run across components, `?` = one
 * character other than a separator; `\` and `/` both stand for either separator. Anchored.
 */
export function globToRegexSource(glob: string): string {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^\\\\/]*';
    } else if (c === '?') out += '[^\\\\/]';
    else if (c === '\\' || c === '/') out += '[\\\\/]';
    else out += escapeRegex(c);
  }
  return `${out}$`;
}

/** Time literals: integer microseconds, or an ISO 8601 date/time (UTC unless it carries an offset). */
export function parseTimeLiteral(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string') {
    if (/^-?\d+$/.test(value)) return BigInt(value);
    const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
    if (!iso) return undefined;
    const fraction = iso[3] ? iso[3].slice(1).padEnd(6, '0') : '000000';
    const withoutFraction = iso[3] ? value.replace(iso[3], '') : value;
    const zoned = iso[4] ? withoutFraction : `${withoutFraction.replace(' ', 'T')}${iso[1] ? 'Z' : ''}`;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isNaN(ms)) return undefined;
    return BigInt(Math.floor(ms / 1000)) * 1_000_000n + BigInt(fraction);
  }
  return undefined;
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

function toNumber(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Compare across number/bigint without losing bigint precision. */
function compare(a: number | bigint, b: number | bigint): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = typeof a === 'bigint' ? a : BigInt(Math.trunc(a));
  const y = typeof b === 'bigint' ? b : BigInt(Math.trunc(b));
  if (x !== y) return x < y ? -1 : 1;
  // Same integer part: the number's fraction decides.
  const fa = typeof a === 'number' ? a - Math.trunc(a) : 0;
  const fb = typeof b === 'number' ? b - Math.trunc(b) : 0;
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

interface LeafContext {
  spec: FieldSpec;
  caseSensitive: boolean;
  path: Path;
}

function boundOf(value: unknown, ctx: LeafContext, path: Path): number | bigint {
  if (ctx.spec.type === 'time') {
    const t = parseTimeLiteral(value);
    if (t === undefined)
      throw new RuleCompileError(`not a time (integer micros or ISO 8601): ${String(value)}`, path);
    return t;
  }
  const num = typeof value === 'number' ? value : typeof value === 'string' ? toNumber(value) : undefined;
  if (num === undefined) throw new RuleCompileError(`not a number: ${JSON.stringify(value)}`, path);
  return num;
}

function compileOperator(op: Operator, raw: unknown, ctx: LeafContext): Scalar {
  const path = [...ctx.path, op];
  const flags = ctx.caseSensitive ? '' : 'i';
  const strings = (): string[] => {
    const list = asList(raw);
    if (list.length === 0) throw new RuleCompileError(`${op} needs at least one value`, path);
    return list.map((v, i) => {
      if (typeof v !== 'string') throw new RuleCompileError(`${op} takes strings`, [...path, i]);
      return v;
    });
  };
  const textTest = (re: RegExp): Scalar => {
    return (v) => {
      if (typeof v === 'string') return re.test(v);
      const text = toText(v);
      return text !== undefined && re.test(text);
    };
  };
  switch (op) {
    case 'equals':
    case 'in': {
      const list = asList(raw as unknown);
      if (list.length === 0) throw new RuleCompileError(`${op} needs at least one value`, path);
      const strs = new Set<string>();
      const nums = new Set<number>();
      const times = new Set<bigint>();
      const bools = new Set<boolean>();
      list.forEach((v, i) => {
        if (typeof v === 'string') strs.add(ctx.caseSensitive ? v : v.toLowerCase());
        else if (typeof v === 'number') nums.add(v);
        else if (typeof v === 'boolean') bools.add(v);
        else throw new RuleCompileError(`${op} takes strings, numbers or booleans`, [...path, i]);
        if (ctx.spec.type === 'time') {
          const t = parseTimeLiteral(v);
          if (t === undefined) throw new RuleCompileError(`not a time: ${String(v)}`, [...path, i]);
          times.add(t);
        }
      });
      const cs = ctx.caseSensitive;
      return (v) => {
        switch (typeof v) {
          case 'string': {
            if (strs.has(cs ? v : v.toLowerCase())) return true;
            if (nums.size === 0) return false;
            const num = toNumber(v);
            return typeof num === 'number' && nums.has(num);
          }
          case 'number':
            return nums.has(v) || strs.has(String(v));
          case 'boolean':
            return bools.has(v) || strs.has(String(v));
          case 'bigint':
            return times.has(v);
          default:
            return false;
        }
      };
    }
    case 'contains':
      return textTest(new RegExp(strings().map(escapeRegex).join('|'), flags));
    case 'startswith':
      return textTest(new RegExp(`^(?:${strings().map(escapeRegex).join('|')})`, flags));
    case 'endswith':
      return textTest(new RegExp(`(?:${strings().map(escapeRegex).join('|')})$`, flags));
    case 'glob':
      return textTest(new RegExp(strings().map(globToRegexSource).join('|'), flags));
    case 'regex': {
      const sources = strings();
      sources.forEach((source, i) => {
        try {
          new RegExp(source, flags);
        } catch (error) {
          throw new RuleCompileError(
            `bad regex: ${(error as Error).message}`,
            asList(raw).length > 1 ? [...path, i] : path,
          );
        }
      });
      return textTest(new RegExp(sources.map((s) => `(?:${s})`).join('|'), flags));
    }
    case 'range': {
      let min: number | bigint | undefined;
      let max: number | bigint | undefined;
      if (typeof raw === 'string') {
        const m = /^\s*(-?\d+)\s*-\s*(-?\d+)\s*$/.exec(raw);
        if (!m) throw new RuleCompileError(`range must look like "2500-2520" or {min, max}: ${raw}`, path);
        min = boundOf(m[1], ctx, path);
        max = boundOf(m[2], ctx, path);
      } else if (isObject(raw)) {
        if (raw.min === undefined && raw.max === undefined)
          throw new RuleCompileError('range needs min or max', path);
        if (raw.min !== undefined) min = boundOf(raw.min, ctx, [...path, 'min']);
        if (raw.max !== undefined) max = boundOf(raw.max, ctx, [...path, 'max']);
      } else throw new RuleCompileError('range must be "a-b" or {min, max}', path);
      if (min !== undefined && max !== undefined && compare(min, max) > 0)
        throw new RuleCompileError('range min is above max', path);
      return (v) => {
        const num = toNumber(v);
        if (num === undefined) return false;
        return (min === undefined || compare(num, min) >= 0) && (max === undefined || compare(num, max) <= 0);
      };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const bound = boundOf(raw, ctx, path);
      const ok =
        op === 'gt'
          ? (c: number) => c > 0
          : op === 'gte'
            ? (c: number) => c >= 0
            : op === 'lt'
              ? (c: number) => c < 0
              : (c: number) => c <= 0;
      return (v) => {
        const num = toNumber(v);
        return num !== undefined && ok(compare(num, bound));
      };
    }
    case 'cidr': {
      const nets: Cidr[] = strings().map((text, i) => {
        const net = parseCidr(text.trim());
        if (!net) throw new RuleCompileError(`bad CIDR: ${text}`, Array.isArray(raw) ? [...path, i] : path);
        return net;
      });
      return (v) => typeof v === 'string' && nets.some((net) => cidrContains(net, v));
    }
    case 'exists':
      // Handled by the leaf: it looks at presence, not at elements.
      throw new RuleCompileError('exists is compiled by the leaf', path);
  }
}

function compileLeaf(leaf: Record<string, unknown>, kind: RecordKind, path: Path): Matcher {
  const field = leaf.field;
  if (typeof field !== 'string' || field === '')
    throw new RuleCompileError('field must be a non-empty string', [...path, 'field']);
  const spec = fieldSpecOf(kind, field);
  if (!spec) throw new RuleCompileError(`record kind "${kind}" has no field "${field}"`, [...path, 'field']);
  const caseSensitive = leaf.caseSensitive === true;
  const ctx: LeafContext = { spec, caseSensitive, path };
  const tests: Scalar[] = [];
  let exists: boolean | undefined;
  for (const key of Object.keys(leaf)) {
    if (key === 'field' || key === 'caseSensitive') continue;
    if (!operatorSet.has(key)) throw new RuleCompileError(`unknown operator "${key}"`, [...path, key]);
    if (key === 'exists') {
      if (typeof leaf.exists !== 'boolean')
        throw new RuleCompileError('exists takes true or false', [...path, key]);
      exists = leaf.exists;
      continue;
    }
    tests.push(compileOperator(key as Operator, leaf[key], ctx));
  }
  if (tests.length === 0 && exists === undefined)
    throw new RuleCompileError(`leaf on "${field}" has no operator (one of ${operators.join(', ')})`, path);
  const get = makeGetter(field);
  const scalar: Scalar =
    tests.length === 1
      ? tests[0]!
      : (v) => {
          for (const t of tests) if (!t(v)) return false;
          return true;
        };
  // Only list fields need the any-element test; the model says which fields are lists.
  const valueTest =
    spec.type === 'string[]'
      ? (v: unknown): boolean => (Array.isArray(v) ? v.some(scalar) : scalar(v))
      : scalar;
  if (exists === undefined) {
    if (spec.type !== 'string[]')
      return (r) => {
        const v = get(r);
        return v !== undefined && v !== null && scalar(v);
      };
    return (r) => {
      const v = get(r);
      return v !== undefined && v !== null && valueTest(v);
    };
  }
  const want = exists;
  if (tests.length === 0) {
    return (r) => {
      const v = get(r);
      return (v !== undefined && v !== null) === want;
    };
  }
  return (r) => {
    const v = get(r);
    const present = v !== undefined && v !== null;
    return present === want && (!present || valueTest(v));
  };
}

/** Compile a match expression for records of `kind`; throws `RuleCompileError` with a document path. */
export function compileMatch(expression: unknown, kind: RecordKind, path: Path = ['match']): Matcher {
  if (!isObject(expression)) throw new RuleCompileError('a match expression must be a mapping', path);
  const keys = Object.keys(expression);
  const combinators = keys.filter((k) => k === 'all' || k === 'any' || k === 'not');
  if (combinators.length > 0) {
    if (keys.length !== 1)
      throw new RuleCompileError(
        `"${combinators[0]}" must be alone in its mapping (found: ${keys.join(', ')})`,
        path,
      );
    const key = combinators[0]!;
    const body = expression[key];
    if (key === 'not') {
      const inner = compileMatch(body, kind, [...path, 'not']);
      return (r) => !inner(r);
    }
    if (!Array.isArray(body) || body.length === 0)
      throw new RuleCompileError(`"${key}" takes a non-empty list of expressions`, [...path, key]);
    const parts = body.map((e, i) => compileMatch(e, kind, [...path, key, i]));
    if (parts.length === 1) return parts[0]!;
    if (key === 'all') {
      if (parts.length === 2) {
        const [a, b] = parts as [Matcher, Matcher];
        return (r) => a(r) && b(r);
      }
      return (r) => {
        for (const p of parts) if (!p(r)) return false;
        return true;
      };
    }
    return (r) => {
      for (const p of parts) if (p(r)) return true;
      return false;
    };
  }
  if (!('field' in expression))
    throw new RuleCompileError('a match expression needs "field" (a leaf) or one of all/any/not', path);
  return compileLeaf(expression, kind, path);
}
