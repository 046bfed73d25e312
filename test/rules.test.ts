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
