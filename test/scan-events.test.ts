/**
 * End to end: a triage zip holding an XP System log (.evt), a Vista+ System log (.evtx) and an
 * Application log with a Blaster crash report goes through scanEvidence: the event rules' findings,
 * the verdict, the timeline rows of the events, the inventory, and the same with --sigma.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvtLog } from '../parsers/evt/test-support/evt-writer.js';
import {
  blasterSystemEvt,
  blasterSystemEvtx,
  MORE_EVT_EVENTS,
  T0,
} from '../src/artifacts/test-support/event-logs.js';
import { scanEvidence } from '../src/scan/scan-job.js';
import { buildZip } from './support/zip-builder.js';

const root = resolve(import.meta.dirname, '..');
const temp = mkdtempSync(join(tmpdir(), 'bt-scan-events-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const zipPath = join(temp, 'WKS-XP.zip');
writeFileSync(
  zipPath,
  await buildZip([
    { name: 'C/WINDOWS/system32/config/SysEvent.Evt', data: blasterSystemEvt() },
    {
      name: 'C/WINDOWS/system32/config/AppEvent.Evt',
      data: buildEvtLog({
        fileSize: 0x4000,
        events: [MORE_EVT_EVENTS.applicationError(T0 + 40, 'msblast.exe', 'msvcrt.dll')],
      }).bytes,
    },
    { name: 'Logs/System.evtx', data: blasterSystemEvtx() },
  ]),
);

interface Row {
  datetime: string;
  timestamp: number;
  timestamp_desc: string;
  message: string;
  artifact: string;
  kind: string;
  source_file: string;
  rule_ids: string[];
  level: string;
}

function readRows(dir: string): Row[] {
  return readFileSync(join(dir, 'timeline.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}

describe('scanEvidence on .evt and .evtx logs', async () => {
  const out = join(temp, 'out');
  const summary = await scanEvidence({ evidence: [zipPath], outDir: out });
  const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as {
    verdict: { verdict: string; worms: Array<{ worm: string; state: string }> };
    findings: Array<{
      ruleId: string;
      count: number;
      supporting: Array<{ sourceFile: string; record: { artifact: string } }>;
    }>;
  };
  const inventory = JSON.parse(readFileSync(join(out, 'inventory.json'), 'utf8')) as {
    artifacts: Array<{ type: string; sourcePath: string; status: string; records: number; errors: number }>;
    sigma?: unknown;
  };
  const rows = readRows(out);

  it('parses the three logs', () => {
    expect(
      inventory.artifacts.map((a) => [a.type, a.sourcePath, a.status, a.records, a.errors]).sort(),
    ).toEqual([
      ['evt', 'C/WINDOWS/system32/config/AppEvent.Evt', 'parsed', 1, 0],
      ['evt', 'C/WINDOWS/system32/config/SysEvent.Evt', 'parsed', 11, 0],
      ['evtx', 'Logs/System.evtx', 'parsed', 6, 0],
    ]);
    expect(inventory.sigma).toBeUndefined();
  });

  it('finds the RPC crash, the reboot, the shutdowns, Welchia services and the Blaster crash', () => {
    const byRule = Object.fromEntries(findings.findings.map((f) => [f.ruleId, f]));
    expect(Object.keys(byRule).sort()).toEqual([
      'bla-p1-msblast-crash',
      'gen-e1-rpc-service-crash',
      'gen-e2-rpc-forced-reboot',
      'gen-e3-unexpected-shutdown',
      'wea-s1-s2-service-events',
      'wea-s1-s2-service-installed',
    ]);
    // One 7031 in each log, both formats matched by the same rule.
    expect(byRule['gen-e1-rpc-service-crash']?.count).toBe(2);
    expect(byRule['gen-e1-rpc-service-crash']?.supporting.map((s) => s.record.artifact).sort()).toEqual([
      'evt',
      'evtx',
    ]);
    expect(byRule['gen-e2-rpc-forced-reboot']?.count).toBe(2);
    expect(byRule['gen-e3-unexpected-shutdown']?.count).toBe(2);
    // .evt 7035 + 2 x 7036, .evtx 7036.
    expect(byRule['wea-s1-s2-service-events']?.count).toBe(4);
    // .evt RpcPatch, .evtx WINS Client.
    expect(byRule['wea-s1-s2-service-installed']?.count).toBe(2);
    expect(byRule['bla-p1-msblast-crash']?.supporting[0]?.sourceFile).toBe(
      'C/WINDOWS/system32/config/AppEvent.Evt',
    );
  });

  it('gives a verdict from the event evidence', () => {
    expect(summary.verdict.verdict).toBe('infected');
    expect(findings.verdict.worms.map((w) => [w.worm, w.state]).sort()).toEqual([
      ['blaster', 'cleaned'],
      ['welchia', 'infected'],
    ]);
    expect(summary.exitCode).toBe(2);
  });

  it('puts every event on the timeline at its time, with the rules it matched', () => {
    const events = rows.filter((row) => row.kind === 'event');
    expect(events).toHaveLength(18);
    const crash = events.filter((row) =>
      row.message.includes('Remote Procedure Call (RPC) service terminated'),
    );
    expect(crash.map((row) => [row.artifact, row.datetime, row.rule_ids])).toEqual([
      ['evt', '2003-08-12T05:01:52.000000Z', ['gen-e1-rpc-service-crash', 'gen-e2-rpc-forced-reboot']],
      ['evtx', '2003-08-12T05:01:52.000000Z', ['gen-e1-rpc-service-crash', 'gen-e2-rpc-forced-reboot']],
    ]);
    expect(crash[0]?.level).toBe('medium');
    expect(crash[0]?.message).toBe(
      '[System] Service Control Manager 7031: The Remote Procedure Call (RPC) service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 60000 milliseconds: Reboot the machine.',
    );
    const install = events.find((row) => row.artifact === 'evt' && row.message.includes('7045'))!;
    expect(install.rule_ids).toEqual(['wea-s1-s2-service-installed']);
    expect(install.level).toBe('critical');
    const times = rows.map((row) => row.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.filter((row) => row.rule_ids.length === 0).map((row) => row.message)).toContain(
      '[System] EventLog 6005: The Event log service was started.',
    );
  });

  it('with --sigma: the Sigma rules run beside the YAML rules and are listed in the inventory', async () => {
    const sigmaOut = join(temp, 'out-sigma');
    await scanEvidence({ evidence: [zipPath], outDir: sigmaOut, sigmaDir: join(root, 'rules', 'sigma') });
    const withSigma = JSON.parse(readFileSync(join(sigmaOut, 'findings.json'), 'utf8')) as {
      findings: Array<{ ruleId: string; title: string; count: number }>;
    };
    const sigmaFindings = withSigma.findings.filter((f) => f.ruleId.startsWith('sigma-'));
    expect(sigmaFindings.map((f) => [f.title, f.count]).sort()).toEqual([
      ['Blaster Worm Process Crash Report', 1],
      ['Remote Procedure Call (RPC) Service Terminated Unexpectedly', 2],
      ['Unexpected Shutdown', 2],
      ['Welchia Service Installed (WINS Client / Network Connections Sharing)', 2],
      ['Welchia Service Started (WINS Client / Network Connections Sharing)', 4],
    ]);
    const inv = JSON.parse(readFileSync(join(sigmaOut, 'inventory.json'), 'utf8')) as {
      sigma: { rules: string[]; problems: unknown[] };
    };
    expect(inv.sigma.rules).toHaveLength(5);
    expect(inv.sigma.problems).toEqual([]);
  });

  it('a broken Sigma rule is listed, not fatal', async () => {
    const dir = mkdtempSync(join(temp, 'sigma-'));
    writeFileSync(
      join(dir, 'agg.yml'),
      'title: t\nid: agg-1\nlogsource:\n  product: windows\n  service: system\ndetection:\n  s:\n    EventID: 6008\n  condition: s | count() > 3\n',
    );
    const brokenOut = join(temp, 'out-broken');
    const result = await scanEvidence({ evidence: [zipPath], outDir: brokenOut, sigmaDir: dir });
    expect(result.findings).toBe(findings.findings.length);
    const inv = JSON.parse(readFileSync(join(brokenOut, 'inventory.json'), 'utf8')) as {
      sigma: { rules: string[]; problems: Array<{ file: string; reason: string }> };
    };
    expect(inv.sigma.rules).toEqual([]);
    expect(inv.sigma.problems).toHaveLength(1);
    expect(inv.sigma.problems[0]?.file).toMatch(/agg\.yml$/);
    expect(inv.sigma.problems[0]?.reason).toMatch(/aggregation/);
  });
});
