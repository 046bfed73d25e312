/**
 * End to end: `scanEvidence` on KAPE-layout zips whose SYSTEM and SOFTWARE hives were written by
 * hivexregedit (a real registry writer). The registry names the host, gives its time zone (the
 * firewall log's local times are converted with it, the timeline shows local time beside UTC)
 * and its patch state (the exposure verdict). Skips when hivexregedit is absent.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanHostHiveKeys, infectedHostHiveKeys } from '../samples/sample-hives.js';
import type { SpecKey } from '../src/artifacts/test-support/hive-spec.js';
import {
  hasHivexregedit,
  hivexHive,
  SOFTWARE_PREFIX,
  SYSTEM_PREFIX,
} from '../src/artifacts/test-support/registry-fixtures.js';
import type { TimelineRow } from '../src/model/timeline.js';
import { scanEvidence } from '../src/scan/scan-job.js';
import { buildZip } from './support/zip-builder.js';

const haveHivex = hasHivexregedit();
if (!haveHivex)
  console.warn('scan-registry tests skipped: hivexregedit (libwin-hivex-perl) is not installed');

/** A firewall log in the host's local time (XP SP2 writes local wall-clock times). */
const FIREWALL_LOG = [
  '#Version: 1.5',
  '#Software: Microsoft Windows Firewall',
  '#Time Format: Local',
  '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path',
  '',
  '2003-08-12 14:01:14 OPEN-INBOUND TCP 192.168.1.23 192.168.1.57 3290 135 48 S 1234567 0 64240 - - - RECEIVE',
  '2003-08-12 14:01:18 OPEN-INBOUND TCP 192.168.1.23 192.168.1.57 3291 4444 48 S 1234568 0 64240 - - - RECEIVE',
  '',
].join('\r\n');

describe.skipIf(!haveHivex)('scan with registry hives', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scan-registry-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const zipOf = async (name: string, keys: { system: SpecKey[]; software: SpecKey[] }, firewall: boolean) => {
    const system = hivexHive(join(dir, `${name}-SYSTEM`), keys.system, SYSTEM_PREFIX);
    const software = hivexHive(join(dir, `${name}-SOFTWARE`), keys.software, SOFTWARE_PREFIX);
    const zip = await buildZip([
      { name: 'C/WINDOWS/system32/config/SYSTEM', data: system },
      { name: 'C/WINDOWS/system32/config/SOFTWARE', data: software },
      ...(firewall ? [{ name: 'C/WINDOWS/pfirewall.log', data: FIREWALL_LOG }] : []),
    ]);
    const path = join(dir, `${name}.zip`);
    writeFileSync(path, zip);
    return path;
  };
  const timeline = (outDir: string): TimelineRow[] =>
    readFileSync(join(outDir, 'timeline.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as TimelineRow);

  it('infected XP SP1 host: name from the registry, Blaster.A, exposure reported, local times', async () => {
    const evidence = await zipOf('case-0815', infectedHostHiveKeys(), true);
    const outDir = join(dir, 'out-infected');
    const summary = await scanEvidence({ evidence: [evidence], outDir });
    expect(summary.host).toBe('WS-ACCT-07');
    expect(summary.verdict).toMatchObject({ verdict: 'infected', worm: 'blaster', variant: 'A' });
    const ruleIds = summary.findingLines.map((line) => line.ruleId);
    expect(ruleIds).toEqual(
      expect.arrayContaining([
        'bla-r1-run-msblast',
        'pat-exposed-to-ms03-026',
        'pat-01-ms03-026-hotfix-missing',
        'pat-07-dcom-enabled',
      ]),
    );
    expect(summary.verdict.reasons.map((reason) => reason.ruleId)).toContain('pat-exposed-to-ms03-026');
    expect(summary.verdict.caveats.join('\n')).not.toMatch(/no registry hive/);

    const rows = timeline(outDir);
    expect(rows.every((row) => row.host === 'WS-ACCT-07')).toBe(true);
    // Firewall times are local (JST): 14:01:14 local is 05:01:14 UTC.
    const firewall = rows.filter((row) => row.artifact === 'firewall-log');
    expect(firewall.map((row) => [row.datetime, row.local_time])).toEqual([
      ['2003-08-12T05:01:14.000000Z', '2003-08-12T14:01:14.000000+09:00'],
      ['2003-08-12T05:01:18.000000Z', '2003-08-12T14:01:18.000000+09:00'],
    ]);
    expect(firewall[0]!.fields.timeIsLocal).toBe('false');
    // Registry rows carry local time too; hivex stamps keys with the merge time, so only the offset is checked.
    const run = rows.find((row) => row.rule_ids.includes('bla-r1-run-msblast'))!;
    expect(run.message).toBe(
      'Registry value HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\windows auto update = msblast.exe',
    );
    const utc = Date.parse(run.datetime);
    expect(Date.parse(`${run.local_time!.slice(0, 23)}Z`) - utc).toBe(9 * 3600 * 1000);
    expect(run.local_time).toMatch(/\+09:00$/);

    const inventory = JSON.parse(readFileSync(join(outDir, 'inventory.json'), 'utf8'));
    expect(inventory.host).toBe('WS-ACCT-07');
    expect(inventory.hostFacts).toMatchObject({
      evidence: 0,
      hives: ['C/WINDOWS/system32/config/SYSTEM', 'C/WINDOWS/system32/config/SOFTWARE'],
      controlSet: 'ControlSet001',
      bias: -540,
      activeTimeBias: -540,
      utcOffsetSource: 'ActiveTimeBias',
      problems: [],
    });
    // MountedDevices: C: by disk signature and offset, D: a CD-ROM device path, volume GUID names.
    expect(inventory.hostFacts.mountedDevices).toEqual([
      {
        name: '\\??\\Volume{6b4a4f3c-5a9e-11d7-9f3e-806d6172696f}',
        diskSignature: '0B1A5703',
        offset: 1048576,
      },
      {
        name: '\\??\\Volume{6b4a4f3d-5a9e-11d7-9f3e-806d6172696f}',
        device: expect.stringMatching(/^\\\?\?\\IDE#CdRom/),
      },
      { name: '\\DosDevices\\C:', driveLetter: 'C:', diskSignature: '0B1A5703', offset: 1048576 },
      { name: '\\DosDevices\\D:', driveLetter: 'D:', device: expect.stringMatching(/^\\\?\?\\IDE#CdRom/) },
    ]);
    const hives = inventory.artifacts.filter((item: { type: string }) => item.type === 'registry-hive');
    expect(hives.map((item: { status: string; records: number }) => item.status)).toEqual([
      'parsed',
      'parsed',
    ]);
    expect(
      hives.every((item: { records: number; errors: number }) => item.records > 10 && item.errors === 0),
    ).toBe(true);
    const findings = JSON.parse(readFileSync(join(outDir, 'findings.json'), 'utf8'));
    expect(findings.host).toBe('WS-ACCT-07');
  });

  it('--host wins over the registry name; the time zone still applies', async () => {
    const evidence = await zipOf('case-0816', infectedHostHiveKeys(), true);
    const outDir = join(dir, 'out-named');
    const summary = await scanEvidence({ evidence: [evidence], outDir, host: 'CASE-42' });
    expect(summary.host).toBe('CASE-42');
    const firewall = timeline(outDir).filter((row) => row.artifact === 'firewall-log');
    expect(firewall[0]).toMatchObject({ host: 'CASE-42', datetime: '2003-08-12T05:01:14.000000Z' });
  });

  it("an image plus a separate capture: the second item is read with the first item's host facts", async () => {
    const hives = await zipOf('image', infectedHostHiveKeys(), false);
    const capture = join(dir, 'capture.zip');
    writeFileSync(capture, await buildZip([{ name: 'C/WINDOWS/pfirewall.log', data: FIREWALL_LOG }]));
    const outDir = join(dir, 'out-two');
    const summary = await scanEvidence({ evidence: [hives, capture], outDir });
    expect(summary.host).toBe('WS-ACCT-07');
    const firewall = timeline(outDir).filter((row) => row.artifact === 'firewall-log');
    expect(firewall.map((row) => [row.host, row.datetime])).toEqual([
      ['WS-ACCT-07', '2003-08-12T05:01:14.000000Z'],
      ['WS-ACCT-07', '2003-08-12T05:01:18.000000Z'],
    ]);
  });

  it('patched host (KB823980, KB824146): clean, not exposed', async () => {
    const evidence = await zipOf('neighbour', cleanHostHiveKeys(), false);
    const summary = await scanEvidence({ evidence: [evidence], outDir: join(dir, 'out-clean') });
    expect(summary.host).toBe('WS-ACCT-02');
    expect(summary.verdict.verdict).toBe('clean');
    expect(summary.findingLines).toEqual([]);
  });

  it('unpatched host without worm traces: exposed', async () => {
    const keys = infectedHostHiveKeys();
    const software = keys.software.map((key) =>
      key.path.endsWith('CurrentVersion\\Run')
        ? { ...key, values: (key.values ?? []).filter((value) => value.name !== 'windows auto update') }
        : key,
    );
    const evidence = await zipOf('unpatched', { system: keys.system, software }, false);
    const summary = await scanEvidence({ evidence: [evidence], outDir: join(dir, 'out-exposed') });
    expect(summary.verdict.verdict).toBe('exposed');
    expect(summary.verdict.reasons[0]?.ruleId).toBe('pat-exposed-to-ms03-026');
    expect(summary.exitCode).toBe(2);
  });

  it('a US Eastern host imaged in winter: August local times converted with daylight time (EDT)', async () => {
    // XP's Eastern rules (first Sunday of April to last Sunday of October, 02:00); the machine was
    // shut down in January, so ActiveTimeBias says EST (300) while the August log was written in EDT.
    const systemTime = (month: number, week: number): Uint8Array => {
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      for (const [index, value] of [0, month, 0, week, 2].entries()) view.setUint16(index * 2, value, true);
      return bytes;
    };
    const keys = infectedHostHiveKeys();
    const eastern: SpecKey = {
      path: 'ControlSet001\\Control\\TimeZoneInformation',
      values: [
        { name: 'Bias', dword: 300 },
        { name: 'StandardName', sz: 'Eastern Standard Time' },
        { name: 'StandardBias', dword: 0 },
        { name: 'StandardStart', binary: systemTime(10, 5) },
        { name: 'DaylightName', sz: 'Eastern Daylight Time' },
        { name: 'DaylightBias', dword: -60 >>> 0 },
        { name: 'DaylightStart', binary: systemTime(4, 1) },
        { name: 'ActiveTimeBias', dword: 300 },
      ],
    };
    const system = keys.system.map((key) => (key.path.endsWith('TimeZoneInformation') ? eastern : key));
    const evidence = await zipOf('case-eastern', { system, software: keys.software }, true);
    const outDir = join(dir, 'out-eastern');
    const summary = await scanEvidence({ evidence: [evidence], outDir });
    expect(summary.system).toMatch(/UTC-05:00 \(Eastern Standard Time\)/);
    const firewall = timeline(outDir).filter((row) => row.artifact === 'firewall-log');
    expect(firewall.map((row) => [row.datetime, row.local_time])).toEqual([
      ['2003-08-12T18:01:14.000000Z', '2003-08-12T14:01:14.000000-04:00'],
      ['2003-08-12T18:01:18.000000Z', '2003-08-12T14:01:18.000000-04:00'],
    ]);
    const inventory = JSON.parse(readFileSync(join(outDir, 'inventory.json'), 'utf8'));
    expect(inventory.hostFacts.timeZoneRules).toEqual({
      bias: 300,
      standardBias: 0,
      daylightBias: -60,
      standardStart: { year: 0, month: 10, dayOfWeek: 0, day: 5, hour: 2, minute: 0 },
      daylightStart: { year: 0, month: 4, dayOfWeek: 0, day: 1, hour: 2, minute: 0 },
    });
  });
});
