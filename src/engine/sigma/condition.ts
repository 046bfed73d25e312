/**
 * Sigma `condition` expressions: `and`, `or`, `not`, parentheses, `1 of <pattern>`, `all of
 * <pattern>`, `any of` (= `1 of`), `them`. Precedence (Sigma specification): not > and > or. An
 * aggregation (`| count() ...`) is not supported and is reported as such.
 */

export type ConditionNode =
  | { type: 'and' | 'or'; parts: ConditionNode[] }
  | { type: 'not'; part: ConditionNode }
  | { type: 'selection'; name: string }
  | { type: 'of'; quantifier: 'one' | 'all'; pattern: string };

export class SigmaConditionError extends Error {
  override readonly name = 'SigmaConditionError';
}

type Token = { kind: 'word'; text: string } | { kind: '(' } | { kind: ')' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|(\|)|([A-Za-z0-9_*.-]+)|(\S))/y;
  re.lastIndex = 0;
  while (re.lastIndex < text.length) {
    const match = re.exec(text);
    if (match === null) break;
    if (match[1] !== undefined) tokens.push({ kind: '(' });
    else if (match[2] !== undefined) tokens.push({ kind: ')' });
    else if (match[3] !== undefined)
      throw new SigmaConditionError('aggregation expressions ("| count() ...") are not supported');
    else if (match[4] !== undefined) tokens.push({ kind: 'word', text: match[4] });
    else if (match[5] !== undefined) throw new SigmaConditionError(`unexpected character "${match[5]}"`);
    else break;
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of']);

/** Parses one condition string. */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  let at = 0;
  const peekWord = (): string | undefined => {
    const token = tokens[at];
    return token?.kind === 'word' ? token.text.toLowerCase() : undefined;
  };
  const parseOr = (depth: number): ConditionNode => {
    const parts = [parseAnd(depth)];
    while (peekWord() === 'or') {
      at += 1;
      parts.push(parseAnd(depth));
    }
    return parts.length === 1 ? parts[0]! : { type: 'or', parts };
  };
  const parseAnd = (depth: number): ConditionNode => {
    const parts = [parseNot(depth)];
    while (peekWord() === 'and') {
      at += 1;
      parts.push(parseNot(depth));
    }
    return parts.length === 1 ? parts[0]! : { type: 'and', parts };
  };
  const parseNot = (depth: number): ConditionNode => {
    if (peekWord() === 'not') {
      at += 1;
      return { type: 'not', part: parseNot(depth) };
    }
    return parsePrimary(depth);
  };
  const parsePrimary = (depth: number): ConditionNode => {
    // Bounded nesting: a crafted condition cannot exhaust the stack.
    if (depth > 64) throw new SigmaConditionError('condition nested too deeply');
    const token = tokens[at];
    if (token === undefined) throw new SigmaConditionError('condition ends too early');
    if (token.kind === '(') {
      at += 1;
      const inner = parseOr(depth + 1);
      if (tokens[at]?.kind !== ')') throw new SigmaConditionError('missing ")"');
      at += 1;
      return inner;
    }
    if (token.kind === ')') throw new SigmaConditionError('unexpected ")"');
    const word = token.text.toLowerCase();
    const next = tokens[at + 1];
    if (
      (word === '1' || word === 'all' || word === 'any') &&
      next?.kind === 'word' &&
      next.text.toLowerCase() === 'of'
    ) {
      const target = tokens[at + 2];
      if (target?.kind !== 'word')
        throw new SigmaConditionError(`"${token.text} of" needs a name pattern or "them"`);
      at += 3;
      return { type: 'of', quantifier: word === 'all' ? 'all' : 'one', pattern: target.text };
    }
    if (KEYWORDS.has(word)) throw new SigmaConditionError(`unexpected "${token.text}"`);
    if (token.text.includes('*'))
      throw new SigmaConditionError(`a wildcard name (${token.text}) needs "1 of" or "all of"`);
    at += 1;
    return { type: 'selection', name: token.text };
  };
  const tree = parseOr(0);
  if (at < tokens.length) {
    const token = tokens[at]!;
    throw new SigmaConditionError(
      `unexpected ${token.kind === 'word' ? `"${token.text}"` : `"${token.kind}"`}`,
    );
  }
  return tree;
}

/** Selection names a `1 of` / `all of` pattern stands for (`them` = all not starting with `_`). */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((name) => !name.startsWith('_'));
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return names.filter((name) => re.test(name));
}
