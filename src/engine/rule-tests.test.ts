import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRuleTests } from './rule-tests.js';

const head = (id: string, extra = '') => `id: ${id}
title: t
description: t
worm: welchia
variant: null
level: low
confidence: M
diagnostic: attack
evidence: network
catalog: [WEA-N1]
references: [S36]
kind: connection
match:
  all:
    - field: protocol
      equals: ICMP
    - field: size
      equals: 92
${extra}`;
const defaults = `  defaults:
    host: PC-1
    artifact: firewall-log
    sourceFile: pfirewall.log
    action: DROP
    protocol: ICMP
    srcIp: 10.0.0.1
    dstIp: 10.0.0.2
    size: 92
`;

describe('runRuleTests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-ruletests-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rules = join(dir, 'rules');
  mkdirSync(join(rules, 'welchia'), { recursive: true });
  writeFileSync(
    join(rules, 'welchia', 'good.yml'),
    `${head('good')}tests:\n${defaults}  match:\n    - {}\n  nomatch:\n    - {size: 60}\n`,
  );
  // The nomatch case actually matches: the rule (or the case) is wrong.
  writeFileSync(
    join(rules, 'welchia', 'wrong.yml'),
    `${head('wrong')}tests:\n${defaults}  match:\n    - {}\n  nomatch:\n    - name: a 92-byte ping is not a match?\n      record: {time: '2003-08-18T02:00:00Z'}\n`,
  );
  writeFileSync(
    join(rules, 'welchia', 'half.yml'),
    `${head('half')}tests:\n${defaults}  match:\n    - {}\n  nomatch: []\n`,
  );
  const aggregate = `aggregate:\n  count: true\n  groupBy: [dstIp]\n  window: 10m\n  atLeast: 3\n`;
  const ping = (m: number) => `{time: '2003-08-18T02:0${m}:00Z'}`;
  writeFileSync(
    join(rules, 'welchia', 'agg.yml'),
    `${head('agg', aggregate)}tests:\n${defaults}  match:\n    - records: [${ping(0)}, ${ping(1)}, ${ping(2)}]\n  nomatch:\n    - records: [${ping(0)}, ${ping(1)}]\n    - name: claims 3 pings are not enough\n      records: [${ping(0)}, ${ping(1)}, ${ping(2)}]\n`,
  );
  writeFileSync(join(rules, 'welchia', 'broken.yml'), `${head('broken')}  - oops\n`);

  const report = runRuleTests(rules, { catalog: '| WEA-N1 | x |\n- S36 ISC\n' });
  const byId = new Map(report.rules.map((r) => [r.ruleId, r]));

  it('passes a good rule', () => {
    expect(byId.get('good')).toMatchObject({ passed: true, problems: [] });
    expect(byId.get('good')!.cases.map((c) => [c.name, c.passed])).toEqual([
      ['match #1', true],
      ['nomatch #1', true],
    ]);
  });

  it('fails a case with the file, line and record in the reason', () => {
    const wrong = byId.get('wrong')!;
    expect(wrong.passed).toBe(false);
    const failed = wrong.cases.filter((c) => !c.passed);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.name).toBe('nomatch #1: a 92-byte ping is not a match?');
    expect(failed[0]!.reason).toBe(
      'rules/welchia/wrong.yml:32: expected no match (DROP ICMP 10.0.0.1 -> 10.0.0.2 size 92)',
    );
  });

  it('fails a rule without nomatch cases', () => {
    expect(byId.get('half')).toMatchObject({
      passed: false,
      problems: ['rules/welchia/half.yml: rule half has no "nomatch" test case'],
    });
  });

  it('runs aggregate cases as sequences', () => {
    const agg = byId.get('agg')!;
    expect(agg.cases.map((c) => c.passed)).toEqual([true, true, false]);
    expect(agg.cases[2]!.reason).toMatch(/agg\.yml:\d+: expected no match \(3 record\(s\), peak 3\)/);
  });

  it('reports files that do not load, and fails overall', () => {
    expect([...new Set(report.errors.map((e) => e.file))]).toEqual(['rules/welchia/broken.yml']);
    expect(report.errors[0]!.message).toMatch(/^rules\/welchia\/broken\.yml:19: /);
    expect(report.passed).toBe(false);
  });
});
