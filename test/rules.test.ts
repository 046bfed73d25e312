/**
 * Every rule under rules/: loads cleanly (YAML, schema, compile, test records shaped like the model),
 * has a unique id, names catalog IDs and sources that indicators.md defines (when it is present), has
 * at least one match and one nomatch case, and every case passes (one `it` per case).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCatalog, loadRules, runRuleCase } from '../src/engine/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rulesDir = join(root, 'rules');
const indicatorsPath = join(root, '..', 'shared', 'domain', 'indicators.md');
const fallbackIndicators = '/work/shared/domain/indicators.md';
const indicators = [indicatorsPath, fallbackIndicators].find((p) => existsSync(p));

const { rules, errors } = loadRules(rulesDir);

describe('rule files', () => {
  it('all load without errors', () => {
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('there are rules in every family folder', () => {
    for (const family of ['blaster', 'welchia', 'generic', 'exposure'])
      expect(
        rules.some((r) => r.file.startsWith(`rules/${family}/`)),
        family,
      ).toBe(true);
  });

  it('ids are unique', () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every rule has at least one match and one nomatch case', () => {
    const lacking = rules
      .filter((r) => r.tests.match.length === 0 || r.tests.nomatch.length === 0)
      .map((r) => r.id);
    expect(lacking).toEqual([]);
  });

  it('worm folder agrees with the rule worm', () => {
    for (const r of rules) {
      const folder = r.file.split('/')[1];
      if (folder === 'exposure') expect(r.diagnostic, r.id).toBe('exposure');
      else expect(r.worm, r.id).toBe(folder);
    }
  });

  it('implements the indicators file listings, firewall logs and netstat can carry', () => {
    const implemented = new Set(rules.flatMap((r) => r.catalog));
    const expected = [
      ...['BLA-F1', 'BLB-R1', 'BLC-R1', 'BLD-R1', 'BLE-R1', 'BLF-R1', 'BLG-R1', 'BLX-F1'],
      ...['WEA-F1', 'WEA-F2', 'WEA-F3', 'WEB-F1', 'BLA-F4', 'BLA-T1'],
      ...['BLA-N1', 'BLA-N2', 'BLA-N3', 'WEA-N1', 'WEA-N3', 'BLA-X1'],
      ...['BLA-R1', 'BLA-R1b', 'WEA-S1', 'WEA-S2', 'WEB-S1', 'GEN-E1', 'PAT-01', 'PAT-02', 'PAT-07'],
    ];
    expect(expected.filter((id) => !implemented.has(id))).toEqual([]);
  });

  it('every record kind a rule matches is exercised by its own cases (no rule tests another kind)', () => {
    for (const r of rules)
      for (const c of [...r.tests.match, ...r.tests.nomatch])
        for (const rec of c.records) expect(rec.kind, `${r.id} ${c.name}`).toBe(r.kind);
  });

  it.skipIf(!indicators)('catalog IDs and source keys exist in indicators.md', () => {
    expect(checkCatalog(rules, readFileSync(indicators!, 'utf8')).map((e) => e.message)).toEqual([]);
  });
  if (!indicators) console.warn(`indicators.md not found (${indicatorsPath}): catalog check skipped`);
});

for (const rule of rules) {
  describe(`${rule.id} (${rule.file})`, () => {
    for (const [expectation, cases] of [
      ['match', rule.tests.match],
      ['nomatch', rule.tests.nomatch],
    ] as const) {
      for (const testCase of cases) {
        it(testCase.name, () => {
          const result = runRuleCase(rule, testCase, expectation);
          expect(result.reason ?? 'ok').toBe('ok');
        });
      }
    }
  });
}
