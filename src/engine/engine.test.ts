import { describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../model/index.js';
import { compileRules } from './engine.js';
import { at, conn, file, makeRule, regValue } from './test-support/records.js';

const binary = makeRule({
  id: 'b-binary',
  kind: 'file',
  evidence: 'binary',
  level: 'high',
  match: { field: 'name', equals: 'msblast.exe' },
});
const anyExe = makeRule({
  id: 'a-any-exe',
  kind: 'file',
  evidence: 'binary',
  level: 'low',
  match: { field: 'extension', equals: 'exe' },
});
const run = makeRule({
  id: 'c-run',
  kind: 'registry-value',
  evidence: 'persistence',
  level: 'critical',
  match: { field: 'data', startswith: 'msblast.exe' },
});
const sweep = makeRule({
  id: 'd-sweep',
  kind: 'connection',
  match: { field: 'dstPort', equals: 135 },
  aggregate: { distinct: 'dstIp', window: '60s', atLeast: 3 },
});
const rules = [sweep, run, binary, anyExe];

const ser = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

describe('observe', () => {
  it('returns the sorted ids of the plain rules a record matched, never aggregate ones', () => {
    const engine = compileRules(rules);
    expect(engine.observe(file('\\WINDOWS\\system32\\msblast.exe'))).toEqual(['a-any-exe', 'b-binary']);
    expect(engine.observe(file('\\WINDOWS\\notepad.exe'))).toEqual(['a-any-exe']);
    expect(engine.observe(file('\\boot.ini'))).toEqual([]);
    expect(engine.observe(conn())).toEqual([]);
    expect(engine.observe(regValue())).toEqual(['c-run']);
  });

  it('gives the highest level of a set of hits for the timeline', () => {
    const engine = compileRules(rules);
    expect(engine.highestLevel(engine.observe(file('\\WINDOWS\\system32\\msblast.exe')))).toBe('high');
    expect(engine.highestLevel(['a-any-exe'])).toBe('low');
    expect(engine.highestLevel(['a-any-exe', 'c-run'])).toBe('critical');
    expect(engine.highestLevel([])).toBe('');
    expect(engine.highestLevel(['no-such-rule'])).toBe('');
  });

  it('matches only records of the rule kind', () => {
    const engine = compileRules([
      makeRule({ id: 'x', kind: 'service', match: { field: 'name', exists: true } }),
    ]);
    expect(engine.observe(file('\\x.exe'))).toEqual([]);
  });

  it('refuses duplicate ids and misuse', () => {
    expect(() => compileRules([binary, binary])).toThrow(/duplicate rule id "b-binary"/);
    const engine = compileRules(rules);
    engine.finish();
    expect(() => engine.finish()).toThrow(/twice/);
    expect(() => engine.observe(file('\\x'))).toThrow(/after finish/);
  });
});

describe('findings', () => {
  const records: NormalizedRecord[] = [
    file('\\WINDOWS\\system32\\msblast.exe', { created: at('2003-08-12T03:14:07Z'), sourceLine: 9 }),
    file('\\WINNT\\system32\\msblast.exe', { host: 'PC-001', created: at('2003-08-13T00:00:00Z') }),
    file('\\backup\\msblast.exe', { created: at('2003-08-11T00:00:00Z'), sourceLine: 3 }),
    regValue({ keyLastWrite: at('2003-08-12T03:14:09Z') }),
    conn({ dstIp: '10.0.0.1', time: at('2003-08-12T04:00:00Z') }),
    conn({ dstIp: '10.0.0.2', time: at('2003-08-12T04:00:10Z') }),
    conn({ dstIp: '10.0.0.3', time: at('2003-08-12T04:00:20Z') }),
  ];
  const findingsOf = (input: NormalizedRecord[], options = {}) => {
    const engine = compileRules(rules, options);
    for (const r of input) engine.observe(r);
    return engine.finish();
  };

  it('one finding per rule and host, sorted by host, level, rule id', () => {
    const findings = findingsOf(records);
    expect(findings.map((f) => f.id)).toEqual([
      'b-binary@PC-001',
      'a-any-exe@PC-001',
      'c-run@PC-042',
      'b-binary@PC-042',
      'd-sweep@PC-042',
      'a-any-exe@PC-042',
    ]);
  });

  it('carries the rule metadata, counts, first/last seen and earliest-first supporting records', () => {
    const f = findingsOf(records).find((x) => x.id === 'b-binary@PC-042')!;
    expect(f).toMatchObject({
      ruleId: 'b-binary',
      worm: 'blaster',
      level: 'high',
      diagnostic: 'infection',
      evidence: 'binary',
      catalog: ['BLA-N1'],
      host: 'PC-042',
      count: 2,
      supportingTotal: 2,
      firstSeen: at('2003-08-11T00:00:00Z'),
      lastSeen: at('2003-08-12T03:14:07Z'),
    });
    expect(f.supporting.map((s) => [s.sourceLine, s.summary])).toEqual([
      [3, 'file \\backup\\msblast.exe (6176 bytes)'],
      [9, 'file \\WINDOWS\\system32\\msblast.exe (6176 bytes)'],
    ]);
    expect(f.supporting[0]!.record).toBe(records[2]);
    const agg = findingsOf(records).find((x) => x.ruleId === 'd-sweep')!;
    expect(agg).toMatchObject({ count: 3, peak: 3, firstSeen: at('2003-08-12T04:00:00Z') });
    expect(agg.group).toBeUndefined();
  });

  it('is deterministic: the same records in any order give byte-identical findings', () => {
    const a = ser(findingsOf(records));
    expect(ser(findingsOf([...records].reverse()))).toBe(a);
    expect(ser(findingsOf([records[3]!, records[0]!, ...records.slice(4), records[2]!, records[1]!]))).toBe(
      a,
    );
  });

  it('caps supporting records and keeps the earliest', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      file('\\x\\msblast.exe', { created: at('2003-08-12T00:00:00Z') + BigInt(50 - i), sourceLine: i }),
    );
    const f = findingsOf(many, { maxSupporting: 3 }).find((x) => x.ruleId === 'b-binary')!;
    expect(f.supportingTotal).toBe(50);
    expect(f.supporting.map((s) => s.sourceLine)).toEqual([49, 48, 47]);
  });

  it('reports counters per rule', () => {
    const engine = compileRules(rules);
    for (const r of records) engine.observe(r);
    engine.finish();
    const stats = engine.stats();
    expect(stats.map((s) => [s.ruleId, s.matched, s.groups])).toEqual([
      ['a-any-exe', 3, 2],
      ['b-binary', 3, 2],
      ['c-run', 1, 1],
      ['d-sweep', 3, 1],
    ]);
  });
});
