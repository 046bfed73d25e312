/**
 * Sigma: value syntax, the condition grammar, every supported construct compiled and run on
 * records, the unsupported ones reported (never thrown), the shipped rules in rules/sigma (their
 * own cases, and on writer-built .evt and .evtx logs through the engine).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvtLog } from '../../../parsers/evt/test-support/evt-writer.js';
import { buildEvtx } from '../../../parsers/evtx/test-support/evtx-writer.js';
import {
  blasterSystemEvt,
  blasterSystemEvtx,
  MORE_EVT_EVENTS,
  MORE_EVTX_EVENTS,
  micros,
  readLog,
  T0,
} from '../../artifacts/test-support/event-logs.js';
import type { EventRecord } from '../../model/records.js';
import { compileRules } from '../engine.js';
import { loadRules } from '../load.js';
import { compileMatch } from '../matcher.js';
import { runRuleCase } from '../rule-tests.js';
import type { RuleDefinition } from '../types.js';
import { compileSigmaRule, loadSigmaRules, parseCondition, parseSigmaString } from './index.js';

const rulesDir = resolve(import.meta.dirname, '..', '..', '..', 'rules');

function event(overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    kind: 'event',
    host: 'PC-042',
    artifact: 'evt',
    sourceFile: 'SysEvent.Evt',
    channel: 'System',
    provider: 'Service Control Manager',
    eventId: 7045,
    level: 'Information',
    recordId: 1,
    computer: 'PC-042',
    time: 1_060_664_512_000_000n,
    strings: [],
    fields: {},
    message: '',
    ...overrides,
  };
}

/** A Sigma rule from its detection block (logsource windows/system unless given). */
function sigma(
  detection: string,
  extra = '',
  logsource = 'logsource:\n  product: windows\n  service: system\n',
): string {
  return `title: Test rule\nid: 0000-test\n${logsource}detection:\n${detection
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\nlevel: high\n${extra}`;
}

function compile(detection: string, extra = '', logsource?: string): RuleDefinition {
  const { rule, problems } = compileSigmaRule(sigma(detection, extra, logsource), 'test.yml');
  expect(problems).toEqual([]);
  return rule!;
}

function problemOf(text: string): string {
  const { rule, problems } = compileSigmaRule(text, 'bad.yml');
  expect(rule).toBeUndefined();
  expect(problems).toHaveLength(1);
  expect(problems[0]!.file).toBe('bad.yml');
  return problems[0]!.reason;
}

const matches = (rule: RuleDefinition, record: EventRecord): boolean =>
  compileMatch(rule.match, 'event')(record);

describe('Sigma values', () => {
  it('wildcards, escapes and literal backslashes', () => {
    expect(parseSigmaString('C:\\Windows\\wins\\')).toEqual({ literal: 'C:\\Windows\\wins\\' });
    // `\*` is an escaped asterisk (Sigma spec): a backslash before a wildcard is `\\*`.
    expect(parseSigmaString('*\\wins\\*')).toEqual({ regex: '.*\\\\wins\\*' });
    expect(parseSigmaString('*\\\\wins\\\\*')).toEqual({ regex: '.*\\\\wins\\\\.*' });
    expect(parseSigmaString('a\\*b')).toEqual({ literal: 'a*b' });
    expect(parseSigmaString('a\\?b?')).toEqual({ regex: 'a\\?b.' });
    expect(parseSigmaString('x\\\\*')).toEqual({ regex: 'x\\\\.*' });
  });
});

describe('Sigma conditions', () => {
  it('precedence: not > and > or; parentheses', () => {
    expect(parseCondition('a or b and not c')).toEqual({
      type: 'or',
      parts: [
        { type: 'selection', name: 'a' },
        {
          type: 'and',
          parts: [
            { type: 'selection', name: 'b' },
            { type: 'not', part: { type: 'selection', name: 'c' } },
          ],
        },
      ],
    });
    expect(parseCondition('(a or b) and c')).toEqual({
      type: 'and',
      parts: [
        {
          type: 'or',
          parts: [
            { type: 'selection', name: 'a' },
            { type: 'selection', name: 'b' },
          ],
        },
        { type: 'selection', name: 'c' },
      ],
    });
  });

  it('quantifiers', () => {
    expect(parseCondition('1 of selection* and not all of filter_*')).toEqual({
      type: 'and',
      parts: [
        { type: 'of', quantifier: 'one', pattern: 'selection*' },
        { type: 'not', part: { type: 'of', quantifier: 'all', pattern: 'filter_*' } },
      ],
    });
    expect(parseCondition('all of them')).toEqual({ type: 'of', quantifier: 'all', pattern: 'them' });
    expect(parseCondition('any of them')).toEqual({ type: 'of', quantifier: 'one', pattern: 'them' });
  });

  it('malformed conditions throw a typed error', () => {
    for (const text of [
      'a and',
      '(a or b',
      'a b',
      'a )',
      'sel*',
      'selection | count() > 5',
      'not',
      'a & b',
      '1 of',
    ])
      expect(() => parseCondition(text), text).toThrow(/./);
    expect(() => parseCondition(`${'('.repeat(200)}a${')'.repeat(200)}`)).toThrow(/nested too deeply/);
  });
});

describe('Sigma rules compiled to RuleDefinition', () => {
  it('carries the Sigma id, title, level, references; custom fields; defaults', () => {
    const rule = compile(
      'selection:\n  EventID: 7045\ncondition: selection',
      'references:\n  - https://example.org/a\ndiagnostic: infection\nconfidence: H\ncatalog: [WEA-S1]\nvariant: A\ntags:\n  - blaster-triage.worm.welchia\n',
    );
    expect(rule).toMatchObject({
      id: 'sigma-0000-test',
      title: 'Test rule',
      description: 'Test rule',
      worm: 'welchia',
      variant: 'A',
      level: 'high',
      confidence: 'H',
      diagnostic: 'infection',
      evidence: 'event',
      catalog: ['WEA-S1'],
      references: ['https://example.org/a'],
      kind: 'event',
      file: 'test.yml',
    });
    const plain = compile('selection:\n  EventID: 7045\ncondition: selection');
    expect(plain).toMatchObject({
      worm: 'generic',
      variant: null,
      diagnostic: 'corroborative',
      confidence: 'M',
      catalog: [],
    });
  });

  it('field mapping: EventID, Provider_Name, Source, Channel, Computer, Level, EventData names', () => {
    const rule = compile(
      [
        'selection:',
        '  EventID: 7031',
        '  Provider_Name: Service Control Manager',
        '  Computer: pc-042',
        '  Level: 2',
        '  param1: Remote Procedure Call (RPC)',
        'condition: selection',
      ].join('\n'),
    );
    const crash = event({ eventId: 7031, level: 'Error', fields: { param1: 'Remote Procedure Call (RPC)' } });
    expect(matches(rule, crash)).toBe(true);
    expect(matches(rule, { ...crash, level: 'Warning' })).toBe(false);
    expect(matches(rule, { ...crash, channel: 'Application' })).toBe(false);
    expect(matches(rule, { ...crash, fields: {} })).toBe(false);
    const legacy = compile('selection:\n  Source: EventLog\n  EventID: 6008\ncondition: selection');
    expect(matches(legacy, event({ provider: 'EventLog', eventId: 6008 }))).toBe(true);
    const anyChannel = compile(
      'selection:\n  Channel: Security\ncondition: selection',
      '',
      'logsource:\n  product: windows\n',
    );
    expect(matches(anyChannel, event({ channel: 'Security' }))).toBe(true);
    expect(matches(anyChannel, event())).toBe(false);
  });

  it('modifiers: contains, startswith, endswith, all, re (case-sensitive unless i), cidr, exists, lists, null', () => {
    const image = (path: string) => event({ fields: { ImagePath: path } });
    const contains = compile("selection:\n  ImagePath|contains: '\\wins\\'\ncondition: selection");
    expect(matches(contains, image('C:\\WINDOWS\\system32\\WINS\\dllhost.exe'))).toBe(true);
    expect(matches(contains, image('C:\\WINDOWS\\system32\\winsrv.dll'))).toBe(false);
    const starts = compile("selection:\n  ImagePath|startswith: '%System%'\ncondition: selection");
    expect(matches(starts, image('%system%\\wins\\dllhost.exe'))).toBe(true);
    const ends = compile(
      "selection:\n  ImagePath|endswith:\n    - '\\dllhost.exe'\n    - '\\svchost.exe'\ncondition: selection",
    );
    expect(matches(ends, image('x\\svchost.exe'))).toBe(true);
    expect(matches(ends, image('x\\svchost.exe -k netsvcs'))).toBe(false);
    const all = compile(
      'selection:\n  ImagePath|contains|all:\n    - wins\n    - dllhost\ncondition: selection',
    );
    expect(matches(all, image('C:\\wins\\dllhost.exe'))).toBe(true);
    expect(matches(all, image('C:\\wins\\svchost.exe'))).toBe(false);
    const re = compile("selection:\n  ImagePath|re: '\\\\wins\\\\[a-z]+\\.exe$'\ncondition: selection");
    expect(matches(re, image('C:\\wins\\dllhost.exe'))).toBe(true);
    expect(matches(re, image('C:\\WINS\\DLLHOST.EXE'))).toBe(false);
    const rei = compile("selection:\n  ImagePath|re|i: '\\\\wins\\\\[a-z]+\\.exe$'\ncondition: selection");
    expect(matches(rei, image('C:\\WINS\\DLLHOST.EXE'))).toBe(true);
    const inline = compile("selection:\n  ImagePath|re: '(?i)dllhost'\ncondition: selection");
    expect(matches(inline, image('DLLHOST'))).toBe(true);
    const cidr = compile("selection:\n  IpAddress|cidr: '192.168.0.0/16'\ncondition: selection");
    expect(matches(cidr, event({ fields: { IpAddress: '192.168.1.23' } }))).toBe(true);
    expect(matches(cidr, event({ fields: { IpAddress: '10.0.0.1' } }))).toBe(false);
    const exists = compile('selection:\n  ImagePath|exists: false\ncondition: selection');
    expect(matches(exists, event())).toBe(true);
    expect(matches(exists, image('x'))).toBe(false);
    const nullValue = compile('selection:\n  ImagePath: null\ncondition: selection');
    expect(matches(nullValue, event())).toBe(true);
    const list = compile('selection:\n  EventID:\n    - 7035\n    - 7036\ncondition: selection');
    expect([7035, 7036, 7045].map((eventId) => matches(list, event({ eventId })))).toEqual([
      true,
      true,
      false,
    ]);
    const cased = compile('selection:\n  ServiceName|cased: RpcPatch\ncondition: selection');
    expect(matches(cased, event({ fields: { ServiceName: 'rpcpatch' } }))).toBe(false);
    expect(matches(cased, event({ fields: { ServiceName: 'RpcPatch' } }))).toBe(true);
  });

  it('wildcards in plain values; plain values are case-insensitive', () => {
    const rule = compile(
      "selection:\n  ImagePath:\n    - '*\\\\wins\\\\*.exe'\n    - RPCPATCH\ncondition: selection",
    );
    expect(matches(rule, event({ fields: { ImagePath: 'C:\\x\\wins\\dllhost.exe' } }))).toBe(true);
    expect(matches(rule, event({ fields: { ImagePath: 'rpcpatch' } }))).toBe(true);
    expect(matches(rule, event({ fields: { ImagePath: 'C:\\x\\wins\\dllhost.dll' } }))).toBe(false);
    expect(matches(rule, event({ fields: { ImagePath: 'xrpcpatch' } }))).toBe(false);
  });

  it('lists of maps, keywords, 1 of selection*, all of them, 1 of them, all of filter_*', () => {
    const listOfMaps = compile(
      'selection:\n  - EventID: 7035\n    param1: WINS Client\n  - EventID: 7045\n    ServiceName: RpcPatch\ncondition: selection',
    );
    expect(matches(listOfMaps, event({ eventId: 7035, fields: { param1: 'WINS Client' } }))).toBe(true);
    expect(matches(listOfMaps, event({ eventId: 7045, fields: { ServiceName: 'RpcPatch' } }))).toBe(true);
    expect(matches(listOfMaps, event({ eventId: 7035, fields: { ServiceName: 'RpcPatch' } }))).toBe(false);

    const keywords = compile('keywords:\n  - msblast\n  - teekids\ncondition: keywords');
    expect(matches(keywords, event({ message: 'Faulting application msblast.exe' }))).toBe(true);
    expect(matches(keywords, event({ strings: ['C:\\WINNT\\system32\\TEEKIDS.EXE'] }))).toBe(true);
    expect(matches(keywords, event({ message: 'nothing' }))).toBe(false);

    const oneOf = compile(
      'selection_a:\n  ServiceName: RpcPatch\nselection_b:\n  ServiceName: RpcTftpd\nother:\n  EventID: 1\ncondition: 1 of selection*',
    );
    expect(matches(oneOf, event({ fields: { ServiceName: 'RpcTftpd' } }))).toBe(true);
    expect(matches(oneOf, event({ eventId: 1 }))).toBe(false);

    const allThem = compile(
      'a:\n  EventID: 7045\nb:\n  ServiceName: RpcPatch\n_helper:\n  EventID: 9\ncondition: all of them',
    );
    expect(matches(allThem, event({ fields: { ServiceName: 'RpcPatch' } }))).toBe(true);
    expect(matches(allThem, event({ eventId: 7036, fields: { ServiceName: 'RpcPatch' } }))).toBe(false);

    const oneThem = compile('a:\n  EventID: 1\nb:\n  ServiceName: RpcPatch\ncondition: 1 of them');
    expect(matches(oneThem, event({ fields: { ServiceName: 'RpcPatch' } }))).toBe(true);
    expect(matches(oneThem, event())).toBe(false);

    const filters = compile(
      "selection:\n  EventID: 7045\nfilter_a:\n  ImagePath|startswith: 'C:\\Windows'\nfilter_b:\n  ImagePath|endswith: '.sys'\ncondition: selection and not all of filter_*",
    );
    expect(matches(filters, event({ fields: { ImagePath: 'C:\\Windows\\x.sys' } }))).toBe(false);
    expect(matches(filters, event({ fields: { ImagePath: 'C:\\Windows\\x.exe' } }))).toBe(true);

    const several = compile('a:\n  EventID: 1\nb:\n  EventID: 2\ncondition:\n  - a\n  - b');
    expect([1, 2, 3].map((eventId) => matches(several, event({ eventId })))).toEqual([true, true, false]);
  });
});

describe('unsupported Sigma is reported with the file and why', () => {
  it.each([
    [
      'an unsupported modifier',
      sigma("selection:\n  CommandLine|base64offset|contains: 'x'\ncondition: selection"),
      /unsupported modifier "base64offset"/,
    ],
    [
      'windash',
      sigma("selection:\n  CommandLine|windash|contains: '-x'\ncondition: selection"),
      /unsupported modifier "windash"/,
    ],
    [
      'an aggregation',
      sigma('selection:\n  EventID: 6008\ncondition: selection | count() > 3'),
      /aggregation/,
    ],
    ['a timeframe', sigma('selection:\n  EventID: 6008\ntimeframe: 1h\ncondition: selection'), /timeframe/],
    [
      'a logsource category',
      sigma(
        'selection:\n  Image: x\ncondition: selection',
        '',
        'logsource:\n  category: process_creation\n  product: windows\n',
      ),
      /category "process_creation"/,
    ],
    [
      'another product',
      sigma(
        'selection:\n  a: x\ncondition: selection',
        '',
        'logsource:\n  product: linux\n  service: auth\n',
      ),
      /product "linux"/,
    ],
    [
      'an unknown service',
      sigma(
        'selection:\n  a: x\ncondition: selection',
        '',
        'logsource:\n  product: windows\n  service: nosuch\n',
      ),
      /unknown logsource service "nosuch"/,
    ],
    ['no logsource', 'title: t\nid: x\ndetection:\n  s:\n    a: 1\n  condition: s\n', /logsource missing/],
    ['malformed YAML', 'title: t\nid: x\ndetection: [\n', /YAML/],
    ['duplicate keys', 'title: t\ntitle: u\nid: x\n', /YAML/],
    ['two documents', `${sigma('s:\n  a: 1\ncondition: s')}\n---\ntitle: u\n`, /multi-document/],
    [
      'no id',
      'title: t\nlogsource:\n  product: windows\ndetection:\n  s:\n    a: 1\n  condition: s\n',
      /id missing/,
    ],
    [
      'an unknown selection',
      sigma('selection:\n  EventID: 1\ncondition: selection and filter'),
      /unknown selection "filter"/,
    ],
    [
      'a pattern matching nothing',
      sigma('selection:\n  EventID: 1\ncondition: 1 of filter_*'),
      /matches no selection/,
    ],
    ['a bad regex', sigma("selection:\n  a|re: '(['\ncondition: selection"), /bad regex/],
    ['a bad CIDR', sigma("selection:\n  a|cidr: '10.0.0.0/99'\ncondition: selection"), /bad CIDR/],
    [
      'a dotted field',
      sigma('selection:\n  Event.System.EventID: 1\ncondition: selection'),
      /cannot be mapped/,
    ],
    [
      'a bad custom diagnostic',
      sigma('s:\n  a: 1\ncondition: s', 'diagnostic: maybe\n'),
      /diagnostic must be one of/,
    ],
  ])('%s', (_name, text, reason) => {
    expect(problemOf(text)).toMatch(reason);
  });

  const temp = mkdtempSync(join(tmpdir(), 'bt-sigma-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('the loader keeps the good rules, lists the bad ones, never throws', () => {
    mkdirSync(join(temp, 'sub'));
    writeFileSync(
      join(temp, 'good.yml'),
      sigma('selection:\n  EventID: 7031\ncondition: selection').replace('0000-test', 'good-1'),
    );
    writeFileSync(
      join(temp, 'sub', 'agg.yml'),
      sigma('selection:\n  EventID: 6008\ncondition: selection | count() > 3'),
    );
    writeFileSync(join(temp, 'sub', 'broken.yaml'), ':::\n  - [');
    writeFileSync(
      join(temp, 'sub', 'again.yml'),
      sigma('selection:\n  EventID: 1\ncondition: selection').replace('0000-test', 'good-1'),
    );
    writeFileSync(join(temp, 'notes.txt'), 'not a rule');
    const { rules, problems } = loadSigmaRules(temp);
    expect(rules.map((r) => r.id)).toEqual(['sigma-good-1']);
    const base = temp.split('/').pop();
    expect(problems.map((p) => p.file).sort()).toEqual(
      [`${base}/sub/again.yml`, `${base}/sub/agg.yml`, `${base}/sub/broken.yaml`].sort(),
    );
    expect(problems.find((p) => p.file.endsWith('again.yml'))?.reason).toMatch(/duplicate Sigma id/);
  });

  it('a malformed tests file is a problem of its rule', () => {
    writeFileSync(
      join(temp, 'withtests.yml'),
      sigma('selection:\n  EventID: 7031\ncondition: selection').replace('0000-test', 'with-tests'),
    );
    writeFileSync(join(temp, 'withtests.tests.yml'), 'match:\n  - { eventId: "x" }\nnomatch: []\n');
    const { rules, problems } = loadSigmaRules(temp);
    expect(rules.map((r) => r.id)).not.toContain('sigma-with-tests');
    expect(problems.some((p) => p.file.endsWith('withtests.tests.yml'))).toBe(true);
  });
});

describe('shipped Sigma rules (rules/sigma)', () => {
  const { rules, problems } = loadSigmaRules(join(rulesDir, 'sigma'));

  it('load without problems, each with match and nomatch cases', () => {
    expect(problems).toEqual([]);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect(rule.tests.match.length, rule.id).toBeGreaterThan(0);
      expect(rule.tests.nomatch.length, rule.id).toBeGreaterThan(0);
    }
  });

  it('are not project rules: loadRules skips rules/sigma', () => {
    const project = loadRules(rulesDir);
    expect(project.errors.map((e) => e.message)).toEqual([]);
    expect(project.rules.filter((r) => r.file.startsWith('rules/sigma/'))).toEqual([]);
  });

  for (const rule of rules) {
    for (const [expectation, cases] of [
      ['match', rule.tests.match],
      ['nomatch', rule.tests.nomatch],
    ] as const) {
      for (const testCase of cases) {
        it(`${rule.file}: ${testCase.name}`, () => {
          expect(runRuleCase(rule, testCase, expectation).reason ?? 'ok').toBe('ok');
        });
      }
    }
  }

  it('find the Blaster-day story in writer-built .evt and .evtx logs', async () => {
    const evt = await readLog(blasterSystemEvt(), 'SysEvent.Evt', 'evt');
    const evtx = await readLog(blasterSystemEvtx(), 'System.evtx', 'evtx');
    const appEvt = await readLog(
      buildEvtLog({
        fileSize: 0x4000,
        events: [
          MORE_EVT_EVENTS.applicationError(T0 + 10, 'msblast.exe', 'msvcrt.dll'),
          MORE_EVT_EVENTS.applicationError(T0 + 20, 'notepad.exe', 'ntdll.dll'),
        ],
      }).bytes,
      'AppEvent.Evt',
      'evt',
    );
    const appEvtx = await readLog(
      buildEvtx([MORE_EVTX_EVENTS.applicationError(1n, micros(T0 + 30), 'C:\\WINNT\\system32\\mslaugh.exe')]),
      'Application.evtx',
      'evtx',
    );
    const hits = (records: EventRecord[]): Record<string, string[]> => {
      const engine = compileRules(rules);
      const out: Record<string, string[]> = {};
      for (const record of records)
        for (const id of engine.observe(record)) {
          out[id] = [...(out[id] ?? []), `${record.artifact}:${record.eventId}`];
        }
      return out;
    };
    const title = (id: string) => rules.find((r) => r.id === id)?.title ?? id;
    const named = (h: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(h).map(([id, list]) => [title(id), list]));
    expect(named(hits(evt.records))).toEqual({
      'Remote Procedure Call (RPC) Service Terminated Unexpectedly': ['evt:7031'],
      'Unexpected Shutdown': ['evt:6008'],
      'Welchia Service Installed (WINS Client / Network Connections Sharing)': ['evt:7045'],
      'Welchia Service Started (WINS Client / Network Connections Sharing)': [
        'evt:7035',
        'evt:7036',
        'evt:7036',
      ],
    });
    expect(named(hits(evtx.records))).toEqual({
      'Remote Procedure Call (RPC) Service Terminated Unexpectedly': ['evtx:7031'],
      'Unexpected Shutdown': ['evtx:6008'],
      'Welchia Service Installed (WINS Client / Network Connections Sharing)': ['evtx:7045'],
      'Welchia Service Started (WINS Client / Network Connections Sharing)': ['evtx:7036'],
    });
    expect(named(hits([...appEvt.records, ...appEvtx.records]))).toEqual({
      'Blaster Worm Process Crash Report': ['evt:1000', 'evtx:1000'],
    });
    const findings = (() => {
      const engine = compileRules(rules);
      for (const record of evt.records) engine.observe(record);
      return engine.finish();
    })();
    const install = findings.find((f) => f.title.startsWith('Welchia Service Installed'))!;
    expect(install).toMatchObject({
      ruleId: 'sigma-1bd32222-a051-43a5-9466-63079ab3dcfa',
      worm: 'welchia',
      variant: 'A',
      level: 'critical',
      diagnostic: 'infection',
      evidence: 'service',
      catalog: ['WEA-S1', 'WEA-S2'],
    });
    expect(install.references[0]).toMatch(/^https:\/\//);
  });
});
