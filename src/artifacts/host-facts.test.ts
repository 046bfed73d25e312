import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferReader } from '../../parsers/io/index.js';
import { openHive } from '../../parsers/regf/index.js';
import { cleanHostHiveKeys, infectedHostHiveKeys, sampleHiveFiles } from '../../samples/sample-hives.js';
import { openEvidence } from '../evidence/open-evidence.js';
import { locateArtifacts } from '../locate/artifacts.js';
import { collectHostFacts, hostFactsFromHives } from './host-facts.js';
import { hotfixForms, hotfixId } from './registry-hotfixes.js';
import { buildSpecHive, type SpecKey, type SpecValue } from './test-support/hive-spec.js';
import { writeCollection } from './test-support/registry-fixtures.js';

const micros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

async function facts(system: SpecKey[] | undefined, software: SpecKey[] | undefined) {
  return hostFactsFromHives(
    {
      ...(system
        ? { system: { hive: await openHive(new BufferReader(buildSpecHive(system))), sourcePath: 'SYSTEM' } }
        : {}),
      ...(software
        ? {
            software: {
              hive: await openHive(new BufferReader(buildSpecHive(software))),
              sourcePath: 'SOFTWARE',
            },
          }
        : {}),
    },
    'fallback',
  );
}

const select: SpecKey = { path: 'Select', values: [{ name: 'Current', dword: 2 }] };

describe('host facts', () => {
  it('WS-ACCT-07 (sample): XP SP1, no MS03-026 fix, DCOM on, Tokyo', async () => {
    const keys = infectedHostHiveKeys();
    const result = await facts(keys.system, keys.software);
    expect(result.record).toEqual({
      kind: 'host',
      host: 'WS-ACCT-07',
      artifact: 'registry',
      sourceFile: 'SOFTWARE',
      computerName: 'WS-ACCT-07',
      productName: 'Microsoft Windows XP',
      osVersion: '5.1',
      build: '2600',
      servicePack: 'Service Pack 1',
      installDate: micros('2003-03-03T09:12:40Z'),
      hotfixes: ['KB329115', 'KB815021', 'Q329115', 'Q815021'],
      enableDcom: 'Y',
      timeZone: 'Tokyo Standard Time',
      utcOffsetMinutes: 540,
      lastShutdown: micros('2003-08-13T01:25:00Z'),
    });
    expect(result).toMatchObject({
      controlSet: 'ControlSet001',
      bias: -540,
      activeTimeBias: -540,
      utcOffsetSource: 'ActiveTimeBias',
      firewallLogPaths: [],
      firewallProfiles: {},
      hives: ['SYSTEM', 'SOFTWARE'],
    });
  });

  it('WS-ACCT-02 (sample): KB823980 and KB824146 in both spellings', async () => {
    const keys = cleanHostHiveKeys();
    const { record } = await facts(keys.system, keys.software);
    expect(record.computerName).toBe('WS-ACCT-02');
    expect(record.hotfixes).toEqual([
      'KB329115',
      'KB815021',
      'KB823980',
      'KB824146',
      'Q329115',
      'Q815021',
      'Q823980',
      'Q824146',
    ]);
  });

  it('follows Select\\Current to the control set in use', async () => {
    const { record, controlSet } = await facts(
      [
        select,
        {
          path: 'ControlSet001\\Control\\ComputerName\\ComputerName',
          values: [{ name: 'ComputerName', sz: 'OLD' }],
        },
        {
          path: 'ControlSet002\\Control\\ComputerName\\ComputerName',
          values: [{ name: 'ComputerName', sz: 'NEW' }],
        },
      ],
      undefined,
    );
    expect(controlSet).toBe('ControlSet002');
    expect(record).toMatchObject({ computerName: 'NEW', host: 'NEW', sourceFile: 'SYSTEM' });
  });

  it('time zone: -ActiveTimeBias (daylight saving in force), else -Bias', async () => {
    const zone = (values: SpecValue[]): SpecKey[] => [
      select,
      { path: 'ControlSet002\\Control\\TimeZoneInformation', values },
    ];
    const eastern = await facts(
      zone([
        { name: 'Bias', dword: 300 },
        { name: 'ActiveTimeBias', dword: 240 },
        { name: 'StandardName', sz: 'Eastern Standard Time' },
      ]),
      undefined,
    );
    expect(eastern.record).toMatchObject({ utcOffsetMinutes: -240, timeZone: 'Eastern Standard Time' });
    expect(eastern.utcOffsetSource).toBe('ActiveTimeBias');
    const india = await facts(
      zone([
        { name: 'Bias', dword: -330 >>> 0 },
        { name: 'StandardName', sz: 'India Standard Time' },
      ]),
      undefined,
    );
    expect(india.record.utcOffsetMinutes).toBe(330);
    expect(india.utcOffsetSource).toBe('Bias');
    // Vista+ names the zone by its key; StandardName is a resource reference there.
    const vista = await facts(
      zone([
        { name: 'Bias', dword: 0 },
        { name: 'StandardName', sz: '@tzres.dll,-262' },
        { name: 'TimeZoneKeyName', sz: 'GMT Standard Time' },
      ]),
      undefined,
    );
    expect(vista.record).toMatchObject({ utcOffsetMinutes: 0, timeZone: 'GMT Standard Time' });
    expect(Object.is(vista.record.utcOffsetMinutes, 0)).toBe(true);
  });

  it('firewall: Group Policy overrides the local profile; on in any profile means on; log paths', async () => {
    const local = (profile: string, enabled: number, log?: string): SpecKey[] => [
      {
        path: `ControlSet002\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\${profile}`,
        values: [{ name: 'EnableFirewall', dword: enabled }],
      },
      ...(log
        ? [
            {
              path: `ControlSet002\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\${profile}\\Logging`,
              values: [{ name: 'LogFilePath', sz: log }],
            },
          ]
        : []),
    ];
    const off = await facts(
      [select, ...local('StandardProfile', 0), ...local('DomainProfile', 0)],
      undefined,
    );
    expect(off.record.firewallEnabled).toBe(false);
    expect(off.firewallProfiles).toEqual({ DomainProfile: 0, StandardProfile: 0 });

    const on = await facts(
      [select, ...local('StandardProfile', 1, 'C:\\WINDOWS\\pfirewall.log'), ...local('DomainProfile', 0)],
      undefined,
    );
    expect(on.record.firewallEnabled).toBe(true);
    expect(on.firewallLogPaths).toEqual(['C:\\WINDOWS\\pfirewall.log']);

    const policyOff = await facts(
      [select, ...local('StandardProfile', 1, 'C:\\WINDOWS\\pfirewall.log')],
      [
        {
          path: 'Policies\\Microsoft\\WindowsFirewall\\StandardProfile',
          values: [{ name: 'EnableFirewall', dword: 0 }],
        },
        {
          path: 'Policies\\Microsoft\\WindowsFirewall\\StandardProfile\\Logging',
          values: [{ name: 'LogFilePath', sz: '%windir%\\fw\\pfirewall.log' }],
        },
      ],
    );
    expect(policyOff.record.firewallEnabled).toBe(false);
    expect(policyOff.firewallLogPaths).toEqual(['%windir%\\fw\\pfirewall.log']);

    const unknown = await facts([select], undefined);
    expect(unknown.record.firewallEnabled).toBeUndefined();
  });

  it('without SOFTWARE, the service pack comes from SYSTEM Control\\Windows CSDVersion', async () => {
    const { record } = await facts(
      [select, { path: 'ControlSet002\\Control\\Windows', values: [{ name: 'CSDVersion', dword: 0x400 }] }],
      undefined,
    );
    expect(record.servicePack).toBe('Service Pack 4');
    expect(record.hotfixes).toEqual([]);
  });

  it('hotfix sources: Updates (2 and 3 levels), HotFix, Uninstall; EnableDCOM upper-cased', async () => {
    const { record } = await facts(undefined, [
      { path: 'Microsoft\\Updates\\Window Server 2003\\SP1\\KB823980' },
      { path: 'Microsoft\\Updates\\DataAccess\\Q832483' },
      { path: 'Microsoft\\Updates\\Windows XP\\SP2\\Not A Hotfix' },
      { path: 'Microsoft\\Windows NT\\CurrentVersion\\HotFix\\Q824146' },
      { path: 'Microsoft\\Windows\\CurrentVersion\\Uninstall\\KB828741-IE6SP1' },
      { path: 'Microsoft\\Windows\\CurrentVersion\\Uninstall\\Adobe Reader' },
      { path: 'Microsoft\\Ole', values: [{ name: 'EnableDCOM', sz: 'n' }] },
    ]);
    expect(record.hotfixes).toEqual([
      'KB823980',
      'KB824146',
      'KB828741',
      'KB832483',
      'Q823980',
      'Q824146',
      'Q828741',
      'Q832483',
    ]);
    expect(record.enableDcom).toBe('N');
    expect(record.host).toBe('fallback');
    expect(record.computerName).toBeUndefined();
  });

  it('hotfix ids', () => {
    expect(hotfixId('KB823980')).toBe('KB823980');
    expect(hotfixId('kb823980-v2')).toBe('KB823980');
    expect(hotfixId('Q823980_WXP_SP2')).toBe('Q823980');
    expect(hotfixId('M123456')).toBe('M123456');
    expect(hotfixId('KBArticle')).toBeUndefined();
    expect(hotfixId('KB82')).toBeUndefined();
    expect(hotfixId('Kbd layouts')).toBeUndefined();
    expect(hotfixForms('KB823980')).toEqual(['KB823980', 'Q823980']);
    expect(hotfixForms('Q823980')).toEqual(['KB823980', 'Q823980']);
    expect(hotfixForms('M123456')).toEqual(['M123456']);
  });
});

describe('host-facts stage on a collection', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'host-facts-'));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('uses the live hives, not the .sav copies', async () => {
    const dir = join(root, 'sav');
    mkdirSync(dir);
    const infected = sampleHiveFiles(infectedHostHiveKeys(), new Date(0));
    const clean = sampleHiveFiles(cleanHostHiveKeys(), new Date(0));
    writeCollection(dir, [
      ...clean,
      { path: 'C/WINDOWS/system32/config/system.sav', data: infected[0]!.data },
      { path: 'C/WINDOWS/system32/config/software.sav', data: infected[1]!.data },
    ]);
    const source = await openEvidence(dir);
    try {
      const { facts, problems } = await collectHostFacts(
        source,
        (await locateArtifacts(source)).artifacts,
        'x',
      );
      expect(problems).toEqual([]);
      expect(facts?.record.computerName).toBe('WS-ACCT-02');
      expect(facts?.hives).toEqual([
        'C/WINDOWS/system32/config/SYSTEM',
        'C/WINDOWS/system32/config/SOFTWARE',
      ]);
    } finally {
      await source.close();
    }
  });

  it('an unreadable hive is a problem, not an exception; the other hive still gives facts', async () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    const [system] = sampleHiveFiles(infectedHostHiveKeys(), new Date(0));
    writeCollection(dir, [
      system!,
      { path: 'C/WINDOWS/system32/config/SOFTWARE', data: new Uint8Array(4096).fill(0x5a) },
    ]);
    const source = await openEvidence(dir);
    try {
      const { facts, problems } = await collectHostFacts(
        source,
        (await locateArtifacts(source)).artifacts,
        'x',
      );
      expect(problems).toEqual([
        { path: 'C/WINDOWS/system32/config/SOFTWARE', reason: expect.stringMatching(/regf/) },
      ]);
      expect(facts?.record).toMatchObject({ computerName: 'WS-ACCT-07', utcOffsetMinutes: 540 });
      expect(facts?.record.osVersion).toBeUndefined();
    } finally {
      await source.close();
    }
  });

  it('seeded random mutations of the sample hives never throw from the facts stage', async () => {
    const [system, software] = sampleHiveFiles(infectedHostHiveKeys(), new Date(0));
    let state = 0x1234567;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x100000000;
    };
    for (let round = 0; round < 40; round += 1) {
      const dir = join(root, `fuzz${round}`);
      mkdirSync(dir);
      const mutate = (bytes: Uint8Array): Uint8Array => {
        const out = Uint8Array.from(bytes);
        const flips = 1 + Math.floor(random() * 64);
        for (let flip = 0; flip < flips; flip += 1) {
          // Keep most of the base block: mutations should reach cells, not just the signature.
          const at = 512 + Math.floor(random() * (out.length - 512));
          out[at] = Math.floor(random() * 256);
        }
        return out;
      };
      writeCollection(dir, [
        { path: system!.path, data: mutate(system!.data) },
        { path: software!.path, data: mutate(software!.data) },
      ]);
      const source = await openEvidence(dir);
      try {
        const result = await collectHostFacts(source, (await locateArtifacts(source)).artifacts, 'x');
        expect(result.facts !== undefined || result.problems.length > 0).toBe(true);
      } finally {
        await source.close();
      }
    }
  });
});
