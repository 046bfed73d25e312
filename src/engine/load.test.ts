import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCatalog, loadRules, parseRule, readCatalog } from './load.js';

const good = `id: t-msblast
title: msblast
description: test
worm: blaster
variant: A
level: high
confidence: H
diagnostic: infection
evidence: binary
catalog: [BLA-F1]
references: [S01, 'https://example.org/x']
kind: file
match:
  field: name
  equals: msblast.exe
tests:
  defaults: &d
    host: PC-1
    artifact: bodyfile
    sourceFile: a.body
    path: '\\WINDOWS\\system32\\msblast.exe'
    extension: exe
    size: 6176
    deleted: false
    isDirectory: false
    timeSource: bodyfile
  match:
    - name: msblast.exe
  nomatch:
    - name: other.exe
`;

/** Replace one line of the good rule (1-based) and return the load errors as strings. */
function errorsWith(line: number, replacement: string): string[] {
  const lines = good.split('\n');
  lines[line - 1] = replacement;
  return parseRule(lines.join('\n'), 'rules/blaster/x.yml').errors.map((e) => e.message);
}

describe('parseRule', () => {
  it('loads a valid rule with its tests, defaults merged and typed', () => {
    const { rule, errors } = parseRule(good, 'rules/blaster/x.yml');
    expect(errors).toEqual([]);
    expect(rule!.id).toBe('t-msblast');
    expect(rule!.tests.match[0]!.records[0]).toMatchObject({ kind: 'file', name: 'msblast.exe', size: 6176 });
    expect(rule!.tests.match[0]!.line).toBe(28);
    expect(rule!.tests.nomatch[0]!.name).toBe('nomatch #1');
  });

  it('reports schema errors with file and line', () => {
    expect(errorsWith(4, 'worm: conficker')).toEqual([
      'rules/blaster/x.yml:4: worm must be one of blaster, welchia, generic',
    ]);
    expect(errorsWith(5, 'variant: AB')).toEqual([
      'rules/blaster/x.yml:5: variant: must be null or one capital letter (A, B, ...)',
    ]);
    expect(errorsWith(10, 'catalog: [bla-f1]')[0]).toMatch(
      /^rules\/blaster\/x\.yml:10: catalog\.0 must match pattern/,
    );
    expect(errorsWith(2, 'titel: msblast')).toEqual([
      'rules/blaster/x.yml:1: (root): missing required property "title"',
      'rules/blaster/x.yml:2: unknown property "titel" in (root)',
    ]);
  });

  it('reports match expression errors at the line of the bad part', () => {
    expect(errorsWith(14, '  field: nmae')).toEqual([
      'rules/blaster/x.yml:14: record kind "file" has no field "nmae"',
    ]);
    expect(errorsWith(15, "  regex: '('")[0]).toMatch(/^rules\/blaster\/x\.yml:15: bad regex/);
    expect(errorsWith(15, '  equalz: msblast.exe')).toEqual([
      'rules/blaster/x.yml:15: unknown property "equalz" in match',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const errors = errorsWith(9, 'evidence: [binary');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^rules\/blaster\/x\.yml:(9|10):/);
  });

  it('checks test records against the record model', () => {
    expect(errorsWith(28, '    - name: msblast.exe\n      sizee: 1')).toEqual([
      'rules/blaster/x.yml:29: record kind "file" has no field "sizee"',
    ]);
    expect(errorsWith(28, "    - name: msblast.exe\n      size: '6176'")).toEqual([
      'rules/blaster/x.yml:29: "size" must be a number',
    ]);
    expect(errorsWith(28, "    - name: msblast.exe\n      created: 'last tuesday'")[0]).toMatch(
      /x\.yml:29: "created" must be a time/,
    );
    expect(errorsWith(20, '')).toEqual([
      'rules/blaster/x.yml:28: test record (file) lacks required field "sourceFile"',
      'rules/blaster/x.yml:30: test record (file) lacks required field "sourceFile"',
    ]);
  });

  it('turns time fields of test records into bigint micros', () => {
    const { rule } = parseRule(
      good.replace(
        '    - name: msblast.exe\n',
        "    - name: msblast.exe\n      created: '1970-01-01T00:00:02Z'\n",
      ),
      'x.yml',
    );
    expect(rule!.tests.match[0]!.records[0]).toMatchObject({ created: 2_000_000n });
  });

  it('refuses a rule without tests, and sequences for a plain rule', () => {
    const noTests = good.slice(0, good.indexOf('tests:'));
    expect(parseRule(noTests, 'r.yml').errors.map((e) => e.message)).toEqual([
      'r.yml:1: rule has no tests (add "tests:" or a sibling .tests.yml file)',
    ]);
    const seq = good.replace('    - name: other.exe\n', '    - records: [{name: a.exe}, {name: b.exe}]\n');
    expect(parseRule(seq, 'r.yml').errors.map((e) => e.message)).toEqual([
      'r.yml:30: a sequence of records only makes sense for an aggregate rule',
    ]);
  });

  it('validates aggregate specs', () => {
    const agg = (text: string) =>
      parseRule(good.replace('tests:', `${text}\ntests:`), 'r.yml').errors.map((e) => e.message);
    expect(agg('aggregate:\n  distinct: nosuch\n  atLeast: 2')).toEqual([
      'r.yml:17: record kind "file" has no field "nosuch"',
    ]);
    expect(agg('aggregate:\n  count: true\n  distinct: name\n  atLeast: 2')[0]).toMatch(
      /r\.yml:16: aggregate needs exactly one of/,
    );
    expect(agg('aggregate:\n  count: true\n  window: 60 seconds\n  atLeast: 2')[0]).toMatch(
      /r\.yml:18: aggregate\.window must match/,
    );
    expect(agg('aggregate:\n  count: true\n  atLeast: 0')[0]).toMatch(
      /r\.yml:18: aggregate\.atLeast must be >= 1/,
    );
  });
});

describe('hostile rule files', () => {
  it('mutated and truncated rule files give errors, never exceptions (fixed seed)', () => {
    let seed = 20030811;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ':-[]{}&*!|>\'"%@`#,?\\\n \t0aZ';
    let withErrors = 0;
    for (let i = 0; i < 400; i++) {
      let text = good;
      const edits = 1 + rand(4);
      for (let e = 0; e < edits; e++) {
        const at = rand(text.length);
        const op = rand(3);
        if (op === 0) text = text.slice(0, at);
        else if (op === 1) text = text.slice(0, at) + alphabet[rand(alphabet.length)]! + text.slice(at + 1);
        else text = text.slice(0, at) + text.slice(at + 1 + rand(20));
      }
      const result = parseRule(text, 'fuzz.yml');
      for (const error of result.errors) expect(error.message).toMatch(/^fuzz\.yml:\d+: /);
      if (result.errors.length > 0) withErrors++;
      else expect(result.rule).toBeDefined();
    }
    expect(withErrors).toBeGreaterThan(100);
  });

  it('refuses alias bombs', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
    const result = parseRule(bomb, 'bomb.yml');
    expect(result.errors.length).toBeGreaterThan(0);
  });
});

describe('loadRules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rules = join(dir, 'rules');
  mkdirSync(join(rules, 'blaster'), { recursive: true });
  mkdirSync(join(rules, 'welchia'), { recursive: true });
  writeFileSync(join(rules, 'blaster', 'a.yml'), good);
  writeFileSync(join(rules, 'welchia', 'dup.yml'), good);
  const sibling = good.slice(0, good.indexOf('tests:')).replace('t-msblast', 't-sibling');
  const testsPart = good.slice(good.indexOf('tests:') + 'tests:\n'.length).replace(/^ {2}/gm, '');
  writeFileSync(join(rules, 'blaster', 'b.yml'), sibling);
  writeFileSync(join(rules, 'blaster', 'b.tests.yml'), testsPart);
  writeFileSync(join(rules, 'blaster', 'orphan.tests.yml'), testsPart);
  writeFileSync(join(rules, 'blaster', 'notes.txt'), 'not a rule');

  it('loads a folder, sibling test files, and reports duplicates and orphans by relative path', () => {
    const result = loadRules(rules);
    expect(result.rules.map((r) => r.id).sort()).toEqual(['t-msblast', 't-sibling']);
    expect(result.rules.find((r) => r.id === 't-sibling')!.tests.match).toHaveLength(1);
    expect(result.errors.map((e) => e.message).sort()).toEqual([
      'rules/blaster/orphan.tests.yml:1: tests file without a rule beside it',
      'rules/welchia/dup.yml:1: duplicate rule id "t-msblast" (also in rules/blaster/a.yml)',
    ]);
  });
});

describe('catalog', () => {
  const md = `| ID | x |\n|---|---|\n| BLA-F1 | file |\n| BLA-R1b | reg |\n\n## 12. Sources\n- S01 Symantec\n- S14b OpenVAS\n`;
  it('reads IDs and source keys', () => {
    const { ids, sources } = readCatalog(md);
    expect([...ids]).toEqual(['BLA-F1', 'BLA-R1b']);
    expect([...sources]).toEqual(['S01', 'S14b']);
  });
  it('flags unknown IDs and sources, ignores URLs', () => {
    const { rule } = parseRule(good, 'r.yml');
    expect(checkCatalog([rule!], md)).toEqual([]);
    const bad = { ...rule!, catalog: ['BLA-F9'], references: ['S99', 'https://x.org'] };
    expect(checkCatalog([bad], md).map((e) => e.message)).toEqual([
      'r.yml:1: catalog ID BLA-F9 is not in indicators.md',
      'r.yml:1: source S99 is not in indicators.md §12',
    ]);
  });
});
