/**
 * The verdict for each class, from findings the shipped rules produce on realistic records (so a
 * rule change that breaks the verdict's inputs fails here too).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../model/index.js';
import { compileRules } from './engine.js';
import { loadRules } from './load.js';
import { at, conn, event, file, host, listener, regValue, service } from './test-support/records.js';
import type { Finding } from './types.js';
import { computeVerdict } from './verdict.js';

const rulesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules');
const { rules, errors } = loadRules(rulesDir);
const all = ['registry', 'evt', 'firewall-log', 'bodyfile', 'netstat'];

function findingsFor(records: NormalizedRecord[]): Finding[] {
  const engine = compileRules(rules);
  for (const r of records) engine.observe(r);
  return engine.finish();
}

const msblast = file('\\WINDOWS\\system32\\msblast.exe', { created: at('2003-08-12T03:14:07Z') });
const runValue = regValue({ keyLastWrite: at('2003-08-12T03:14:09Z') });
const sweep = Array.from({ length: 25 }, (_, i) =>
  conn({
    dstIp: `192.168.5.${i + 1}`,
    srcPort: 2500 + i,
    time: at('2003-08-12T10:00:00Z') + BigInt(i) * 1_000_000n,
  }),
);
const rpcCrash = event();
const unpatched = host({ hotfixes: ['KB329115'], enableDcom: 'Y' });

describe('verdict', () => {
  it('the shipped rules load', () => {
    expect(errors).toEqual([]);
  });

  it('infected, confirmed: binary and persistence', () => {
    const v = computeVerdict(findingsFor([msblast, runValue, rpcCrash]), all);
    expect(v).toMatchObject({
      verdict: 'infected',
      worm: 'blaster',
      variant: 'A',
      variants: ['A'],
      confidence: 'confirmed',
    });
    expect(v.reasons.map((r) => r.ruleId)).toEqual([
      'bla-f1-msblast-exe-6176',
      'bla-f1-msblast-exe',
      'bla-r1-run-msblast',
      'gen-e1-rpc-service-crash',
    ]);
    expect(v.reasons[2]!.text).toMatch(/Run value.*BLA-R1.*windows auto update" = "msblast.exe"/);
    expect(v.caveats).toEqual([]);
  });

  it('infected, confirmed: a binary with a known hash alone', () => {
    const hashFinding: Finding = {
      id: 'h@PC-042',
      ruleId: 'h',
      title: 'known Blaster.A hash',
      worm: 'blaster',
      variant: 'A',
      level: 'critical',
      confidence: 'L',
      diagnostic: 'infection',
      evidence: 'hash',
      catalog: ['BLA-F3'],
      references: ['S64'],
      host: 'PC-042',
      count: 1,
      supporting: [],
      supportingTotal: 1,
    };
    expect(computeVerdict([hashFinding], all)).toMatchObject({
      verdict: 'infected',
      confidence: 'confirmed',
    });
  });

  it('infected, likely: a binary alone', () => {
    const v = computeVerdict(findingsFor([file('\\WINNT\\system32\\teekids.exe', { size: 5360 })]), all);
    expect(v).toMatchObject({ verdict: 'infected', worm: 'blaster', variant: 'C', confidence: 'likely' });
  });

  it('infected, likely: Run value without its file, with the Welchia clean-up caveat when Welchia is there', () => {
    const v = computeVerdict(
      findingsFor([runValue, file('\\WINDOWS\\system32\\wins\\dllhost.exe', { size: 10240 })]),
      all,
    );
    expect(v.worms.map((w) => [w.worm, w.state, w.confidence])).toEqual([
      ['blaster', 'infected', 'likely'],
      ['welchia', 'infected', 'likely'],
    ]);
    expect(v.caveats).toContain(
      'Blaster persistence without its binary: the file may have been removed by Welchia, which deletes msblast.exe (WEA-F4)',
    );
  });

  it('infected, possible: network behaviour only', () => {
    const v = computeVerdict(findingsFor(sweep), all);
    expect(v).toMatchObject({ verdict: 'infected', worm: 'blaster', confidence: 'possible', variants: [] });
    expect(v.variant).toBeUndefined();
    expect(v.caveats).toContain(
      'network behaviour only: no binary or persistence was found to confirm an infection on this host',
    );
  });

  it('a generic network trace joins the named worm rather than standing alone', () => {
    const v = computeVerdict(findingsFor([...sweep, listener({ protocol: 'UDP', localPort: 69 })]), all);
    expect(v.worms.map((w) => w.worm)).toEqual(['blaster']);
    expect(v.reasons.map((r) => r.ruleId)).toContain('bla-n3-listener-udp69');
  });

  it('cleaned: deleted binary and prefetch remain, persistence gone', () => {
    const v = computeVerdict(
      findingsFor([
        file('\\WINDOWS\\system32\\msblast.exe', { deleted: true }),
        file('\\WINDOWS\\Prefetch\\MSBLAST.EXE-1C3A3376.pf', { size: 8450 }),
      ]),
      all,
    );
    expect(v).toMatchObject({ verdict: 'cleaned', worm: 'blaster', variant: 'A', confidence: 'likely' });
    expect(v.caveats.some((c) => c.startsWith('traces of a past infection remain'))).toBe(true);
  });

  it('cleaned: Welchia patch download only, with the self-removal caveat', () => {
    const v = computeVerdict(
      findingsFor([file('\\WINDOWS\\system32\\RpcServicePack.exe', { deleted: true, size: 0 })]),
      all,
    );
    expect(v).toMatchObject({ verdict: 'cleaned', worm: 'welchia' });
    expect(v.caveats.some((c) => c.startsWith('Welchia removes itself'))).toBe(true);
  });

  it('Blaster and Welchia together: the stronger one leads, both are listed', () => {
    const v = computeVerdict(
      findingsFor([
        file('\\WINDOWS\\system32\\msblast.exe', { deleted: true }),
        file('\\WINDOWS\\system32\\wins\\dllhost.exe', { size: 10240 }),
        service(),
        service({
          name: 'RpcTftpd',
          displayName: 'Network Connections Sharing',
          imagePath: '%System%\\wins\\svchost.exe',
          start: 3,
        }),
      ]),
      all,
    );
    expect(v).toMatchObject({ verdict: 'infected', worm: 'welchia', variant: 'A', confidence: 'confirmed' });
    expect(v.worms.map((w) => [w.worm, w.state])).toEqual([
      ['welchia', 'infected'],
      ['blaster', 'cleaned'],
    ]);
  });

  it('several variants are listed', () => {
    const v = computeVerdict(
      findingsFor([msblast, file('\\WINDOWS\\system32\\penis32.exe', { size: 7000 })]),
      all,
    );
    expect(v.variants).toEqual(['A', 'B']);
    expect(v.variant).toBeUndefined();
    expect(v.caveats).toContain('several blaster variants are named by the evidence: A, B');
  });

  it('attacked: RPC crashes and inbound scans, no infection traces', () => {
    const inbound = [1, 2, 3].map((i) =>
      conn({
        action: 'DROP',
        direction: 'RECEIVE',
        srcIp: `10.1.1.${i}`,
        dstIp: '192.168.1.23',
        time: at('2003-08-12T10:00:00Z') + BigInt(i),
      }),
    );
    const v = computeVerdict(findingsFor([rpcCrash, ...inbound, unpatched]), all);
    expect(v).toMatchObject({ verdict: 'attacked', variants: [] });
    expect(v.worm).toBeUndefined();
    expect(v.confidence).toBeUndefined();
    expect(v.reasons.map((r) => r.ruleId)).toEqual([
      'gen-e1-rpc-service-crash',
      'gen-n-inbound-tcp135',
      'pat-exposed-to-ms03-026',
      // The single facts behind the exposure, reported but never deciding.
      'pat-01-ms03-026-hotfix-missing',
      'pat-07-dcom-enabled',
    ]);
  });

  it('exposed: unpatched, DCOM on, no firewall', () => {
    const v = computeVerdict(findingsFor([unpatched]), all);
    expect(v.verdict).toBe('exposed');
    expect(v.caveats).toEqual([]);
  });

  it('clean, with caveats naming what was missing', () => {
    const v = computeVerdict(findingsFor([host({ hotfixes: ['KB823980'] })]), ['registry', 'bodyfile']);
    expect(v.verdict).toBe('clean');
    expect(v.reasons).toEqual([]);
    expect(v.caveats).toEqual([
      'no System event log was present: RPC service crashes (event 7031) were not checked; a clean verdict is weaker',
      'no firewall log was present: TCP 135 sweeps, ICMP sweeps and TFTP transfers were not checked',
      'no captured netstat was present: live listeners (TCP 4444, UDP 69, 666-765) were not checked',
    ]);
    expect(computeVerdict([], []).caveats).toHaveLength(5);
  });

  it('clean with corroborative traces says so, never upgrades them', () => {
    const v = computeVerdict(findingsFor([file('\\WINDOWS\\system32\\TFTP2453', { size: 1536 })]), all);
    expect(v.verdict).toBe('clean');
    expect(v.reasons.map((r) => r.ruleId)).toEqual(['bla-t1-tftp-leftover']);
    expect(v.caveats).toContain('corroborative traces need a look: bla-t1-tftp-leftover');
  });

  it('uses only the named host when findings of several hosts are passed', () => {
    const findings = findingsFor([msblast, { ...unpatched, host: 'PC-099' }]);
    expect(computeVerdict(findings, all, 'PC-099').verdict).toBe('exposed');
    expect(computeVerdict(findings, all, 'PC-042').verdict).toBe('infected');
  });
});
