import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './support/cli.js';

const infected = join(repoRoot, 'samples', 'built', 'infected-host.zip');
const clean = join(repoRoot, 'samples', 'built', 'clean-host.zip');
const OUTPUTS = ['findings.json', 'inventory.json', 'timeline.csv', 'timeline.jsonl'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bt-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('blaster-triage scan', () => {
  it('finds Blaster on the infected sample, exits 2 and writes the four outputs', async () => {
    const out = join(dir, 'infected');
    const result = await runCli(['scan', infected, '-o', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^host WS-ACCT-07: INFECTED — blaster A, confirmed\n {2}system: Microsoft Windows XP Service Pack 1, version 5.1.2600, UTC\+09:00/,
    );
    for (const file of OUTPUTS) expect(existsSync(join(out, file))).toBe(true);
    // The README shows this run's output (lines elided with "..."): every line it shows is printed.
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const shown = /prints the verdict, why, and where the outputs went:\n\n```\n([^`]*)```/.exec(readme)?.[1];
    const printed = result.stdout.replaceAll(out, 'out/infected').split('\n');
    const shownLines = (shown ?? '').split('\n').filter((line) => line !== '' && line.trim() !== '...');
    expect(shownLines.length).toBeGreaterThan(8);
    for (const line of shownLines) expect(printed, 'README sample output').toContain(line);

    const findings = JSON.parse(await readFile(join(out, 'findings.json'), 'utf8'));
    expect(findings.verdict.verdict).toBe('infected');
    expect(findings.evidence[0].sha256).toBe(await sha256(infected));
    const ruleIds = findings.findings.map((finding: { ruleId: string }) => finding.ruleId);
    expect(ruleIds).toEqual(
      expect.arrayContaining(['bla-f1-msblast-exe-6176', 'bla-n1-tcp135-sweep', 'bla-n2-listener-tcp4444']),
    );
    const sweep = findings.findings.find(
      (finding: { ruleId: string }) => finding.ruleId === 'bla-n1-tcp135-sweep',
    );
    expect(sweep.supporting[0]).toMatchObject({ sourceFile: 'C/WINDOWS/pfirewall.log' });
    expect(sweep.supporting[0].sourceLine).toBeGreaterThan(4);

    const inventory = JSON.parse(await readFile(join(out, 'inventory.json'), 'utf8'));
    const types = inventory.artifacts.map(
      (artifact: { type: string; status: string }) => `${artifact.type}:${artifact.status}`,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'firewall-log:parsed',
        'bodyfile:parsed',
        'netstat:parsed',
        'collected-file:parsed',
      ]),
    );
    for (const artifact of inventory.artifacts) expect(artifact.sha256).toMatch(/^[0-9a-f]{64}$/);

    const rows = parse(await readFile(join(out, 'timeline.csv'), 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows.length).toBeGreaterThan(50);
    const times = rows.map((row) => Number(row.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const blasterRow = rows.find(
      (row) => row.message?.includes('msblast.exe') && row.artifact === 'bodyfile',
    );
    expect(blasterRow?.rule_ids).toContain('bla-f1-msblast-exe-6176');
    expect(blasterRow?.level).toBe('critical');
    const jsonl = (await readFile(join(out, 'timeline.jsonl'), 'utf8')).trim().split('\n');
    expect(jsonl).toHaveLength(rows.length);
  });

  it('gives byte-identical outputs for the same evidence', async () => {
    const first = join(dir, 'again-1');
    const second = join(dir, 'again-2');
    await runCli(['scan', infected, '-o', first]);
    await runCli(['scan', infected, '-o', second]);
    for (const file of OUTPUTS) {
      const a = (await readFile(join(first, file), 'utf8')).replaceAll(first, '<out>');
      const b = (await readFile(join(second, file), 'utf8')).replaceAll(second, '<out>');
      expect(a, file).toBe(b);
    }
  });

  it('says the clean sample was attacked, not infected', async () => {
    const result = await runCli(['scan', clean, '-o', join(dir, 'clean')]);
    expect(result.stdout).toMatch(/: ATTACKED/);
    expect(result.code).toBe(2);
  });

  it('exits 1 with a clear message on a usage or fatal error', async () => {
    const missing = await runCli(['scan', join(dir, 'no-such.zip'), '-o', join(dir, 'x')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such\.zip: cannot open/);
    const usage = await runCli(['scan', infected]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/required option '-o, --out <dir>'/);
  });
});

describe('blaster-triage batch', () => {
  it('scans every input, records a bad one without stopping, and summarizes per host', async () => {
    const broken = join(dir, 'broken.zip');
    await writeFile(broken, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(300, 1)]));
    const out = join(dir, 'batch');
    const result = await runCli(['batch', infected, clean, broken, '-o', out, '-j', '2']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/3 evidence items: .*1 failed/);
    expect(result.stderr.trim().split('\n')).toHaveLength(3);
    const summary = parse(await readFile(join(out, 'batch-summary.csv'), 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    // Rows come in the order the inputs were given, wherever the checkout and temp folder are.
    expect(summary.map((row) => [row.evidence?.split('/').pop(), row.status, row.verdict])).toEqual([
      ['infected-host.zip', 'ok', 'infected'],
      ['clean-host.zip', 'ok', 'attacked'],
      ['broken.zip', 'failed', ''],
    ]);
    expect(summary[2]!.error).toMatch(/not a readable zip/);
    expect(existsSync(join(out, 'infected-host.zip', 'timeline.csv'))).toBe(true);
    const json = JSON.parse(await readFile(join(out, 'batch-summary.json'), 'utf8'));
    expect(json.counts).toEqual({ attacked: 1, failed: 1, infected: 1 });
  });

  it('expands quoted globs', async () => {
    const out = join(dir, 'glob');
    const result = await runCli(['batch', join(repoRoot, 'samples', 'built', '*.zip'), '-o', out]);
    expect(result.stdout).toMatch(/^2 evidence items/);
  });
});

describe('blaster-triage rules and parse', () => {
  it('runs every rule test case', async () => {
    const result = await runCli(['rules', 'test']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\d+ rules, \d+ cases: \d+ passed, 0 failed; 0 rules failing, 0 load errors/,
    );
  });

  it('reports a broken rule with file and line and fails', async () => {
    const rules = await mkdtemp(join(dir, 'rules-'));
    await writeFile(join(rules, 'bad.yml'), 'id: bad\ntitle: x\nkind: nonsense\n');
    const result = await runCli(['rules', 'test', '--rules', rules]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bad\.yml:\d+: /);
  });

  it('dumps a netstat capture as JSON lines', async () => {
    const capture = join(dir, 'netstat.txt');
    await writeFile(
      capture,
      '  Proto  Local Address          Foreign Address        State           PID\r\n  TCP    0.0.0.0:4444           0.0.0.0:0              LISTENING       1456\r\n',
    );
    const result = await runCli(['parse', capture, '-t', 'netstat']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({
      localPort: 4444,
      state: 'LISTENING',
      pid: 1456,
    });
  });
});
