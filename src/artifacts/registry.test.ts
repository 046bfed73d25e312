import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpusFile, skipUnlessCorpus } from '../../parsers/io/test-support/corpus.js';
import { cleanHostHiveKeys, infectedHostHiveKeys, sampleHiveFiles } from '../../samples/sample-hives.js';
import { compileRules } from '../engine/engine.js';
import { loadRules } from '../engine/load.js';
import type { NormalizedRecord, RegistryValueRecord, ServiceRecord } from '../model/records.js';
import { defaultRulesDir } from '../scan/paths.js';
import { buildSpecHive, deletionReg, filetimeOf, specToReg } from './test-support/hive-spec.js';
import {
  hasHivexregedit,
  hivexHive,
  mergeReg,
  readCollection,
  SOFTWARE_PREFIX,
  SYSTEM_PREFIX,
  USER_PREFIX,
  welchiaHostHiveKeys,
  writeCollection,
} from './test-support/registry-fixtures.js';

const CONFIG = 'C/WINDOWS/system32/config';
const haveHivex = hasHivexregedit();
if (!haveHivex)
  console.warn(
    'registry reader hivexregedit tests skipped: hivexregedit (libwin-hivex-perl) is not installed',
  );

const values = (records: NormalizedRecord[]): RegistryValueRecord[] =>
  records.filter((record): record is RegistryValueRecord => record.kind === 'registry-value');
const services = (records: NormalizedRecord[]): ServiceRecord[] =>
  records.filter((record): record is ServiceRecord => record.kind === 'service');

const { rules } = loadRules(defaultRulesDir());
/** Rule ids the shipped rules give the records (one host). */
function ruleHits(records: NormalizedRecord[]): string[] {
  const engine = compileRules(rules);
  for (const record of records) engine.observe(record);
  return [...new Set(engine.finish().map((finding) => finding.ruleId))].sort();
}

let root = '';
let counter = 0;
const freshDir = (): string => {
  counter += 1;
  const dir = join(root, `c${counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'registry-reader-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('registry reader on the sample hives (project writer)', () => {
  it('WS-ACCT-07: the Blaster.A Run value with its key LastWrite, Windows key paths', async () => {
    const dir = freshDir();
    writeCollection(dir, sampleHiveFiles(infectedHostHiveKeys(), new Date(0)));
    const { records, errors } = await readCollection(dir);
    expect([...errors.values()].flat()).toEqual([]);
    const run = values(records).filter((record) => record.keyPath.endsWith('\\Run'));
    expect(run).toHaveLength(2);
    expect(run.find((record) => record.valueName === 'windows auto update')).toMatchObject({
      kind: 'registry-value',
      host: 'WS-ACCT-07',
      artifact: 'registry',
      sourceFile: `${CONFIG}/SOFTWARE`,
      hive: 'SOFTWARE',
      keyPath: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
      valueType: 'REG_SZ',
      data: 'msblast.exe',
      deleted: false,
      keyLastWrite: BigInt(Date.parse('2003-08-12T05:01:54Z')) * 1000n,
    });
    expect(run.every((record) => typeof record.sourceOffset === 'number' && record.sourceOffset > 4096)).toBe(
      true,
    );
    expect(ruleHits(records)).toEqual(['bla-r1-run-msblast']);
  });

  it('the event log files the SYSTEM hive names', async () => {
    const dir = freshDir();
    writeCollection(dir, sampleHiveFiles(infectedHostHiveKeys(), new Date(0)));
    const files = (await readCollection(dir)).records.filter(
      (record): record is RegistryValueRecord =>
        record.kind === 'registry-value' &&
        /\\Services\\Eventlog\\/.test(record.keyPath) &&
        record.valueName === 'File',
    );
    expect(files.map((record) => [record.keyPath, record.data])).toEqual([
      [
        'HKLM\\SYSTEM\\ControlSet001\\Services\\Eventlog\\Application',
        '%SystemRoot%\\system32\\config\\AppEvent.Evt',
      ],
      [
        'HKLM\\SYSTEM\\ControlSet001\\Services\\Eventlog\\Security',
        '%SystemRoot%\\system32\\config\\SecEvent.Evt',
      ],
      [
        'HKLM\\SYSTEM\\ControlSet001\\Services\\Eventlog\\System',
        '%SystemRoot%\\system32\\config\\SysEvent.Evt',
      ],
    ]);
  });

  it('services of the current control set, other control sets only where they differ', async () => {
    const dir = freshDir();
    writeCollection(dir, sampleHiveFiles(infectedHostHiveKeys(), new Date(0)));
    const list = services((await readCollection(dir)).records);
    expect(list.map((service) => `${service.controlSet}\\${service.name}`)).toEqual([
      'ControlSet001\\Eventlog',
      'ControlSet001\\Messenger',
      'ControlSet001\\RpcSs',
      'ControlSet001\\Tcpip',
      'ControlSet001\\TlntSvr',
    ]);
    expect(list.find((service) => service.name === 'RpcSs')).toMatchObject({
      displayName: 'Remote Procedure Call (RPC)',
      imagePath: '%SystemRoot%\\system32\\svchost -k rpcss',
      start: 2,
      type: 0x20,
      deleted: false,
      keyLastWrite: BigInt(Date.parse('2003-03-03T09:30:00Z')) * 1000n,
    });
  });

  it('host values: time zone, computer name, shutdown time, Select, FailureActions as hex', async () => {
    const dir = freshDir();
    writeCollection(dir, sampleHiveFiles(infectedHostHiveKeys(), new Date(0)));
    const byName = new Map(
      values((await readCollection(dir)).records).map((record) => [
        `${record.keyPath}\\${record.valueName}`,
        record,
      ]),
    );
    const control = 'HKLM\\SYSTEM\\ControlSet001\\Control';
    expect(byName.get(`${control}\\ComputerName\\ComputerName\\ComputerName`)?.data).toBe('WS-ACCT-07');
    // DWORDs are shown unsigned, as regedit does: Bias -540 is 0xfffffde4.
    expect(byName.get(`${control}\\TimeZoneInformation\\Bias`)).toMatchObject({
      valueType: 'REG_DWORD',
      data: String(0xfffffde4),
    });
    expect(byName.get(`${control}\\TimeZoneInformation\\StandardName`)?.data).toBe('Tokyo Standard Time');
    expect(byName.get(`${control}\\Windows\\ShutdownTime`)).toMatchObject({
      valueType: 'REG_BINARY',
      data: Buffer.from(new BigUint64Array([filetimeOf('2003-08-13T01:25:00Z')]).buffer).toString('hex'),
    });
    expect(byName.get('HKLM\\SYSTEM\\Select\\Current')?.data).toBe('1');
    expect(byName.get('HKLM\\SYSTEM\\ControlSet001\\Services\\RpcSs\\FailureActions')?.data).toBe(
      '00000000000000000000000001000000140000000200000060ea0000',
    );
    expect(byName.get('HKLM\\SOFTWARE\\Microsoft\\Ole\\EnableDCOM')?.data).toBe('Y');
    expect(byName.get('HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\CSDVersion')?.data).toBe(
      'Service Pack 1',
    );
  });

  it('WS-ACCT-02: one record per hotfix key, at its install time', async () => {
    const dir = freshDir();
    writeCollection(dir, sampleHiveFiles(cleanHostHiveKeys(), new Date(0)));
    const { records } = await readCollection(dir);
    const fixes = values(records).filter((record) => /\\(Updates|HotFix|Uninstall)\\/.test(record.keyPath));
    expect(
      fixes.map((record) => `${record.keyPath.split('\\').slice(-2).join('\\')} ${record.valueName}`),
    ).toEqual([
      'SP2\\KB329115 Description',
      'SP2\\KB823980 Description',
      'SP2\\KB824146 Description',
      'HotFix\\Q815021 Comments',
      'Uninstall\\KB329115 DisplayName',
      'Uninstall\\KB823980 DisplayName',
      'Uninstall\\KB824146 DisplayName',
    ]);
    expect(fixes.find((record) => record.keyPath.endsWith('SP2\\KB823980'))).toMatchObject({
      data: 'Windows XP Hotfix - KB823980',
      keyLastWrite: BigInt(Date.parse('2003-07-21T02:30:00Z')) * 1000n,
    });
    expect(ruleHits(records)).toEqual([]);
  });

  it('a hotfix key without values is given as the key itself', async () => {
    const dir = freshDir();
    const software = buildSpecHive([
      {
        path: 'Microsoft\\Updates\\Windows 2000\\SP5\\KB823980',
        lastWrite: filetimeOf('2003-07-20T00:00:00Z'),
      },
    ]);
    writeCollection(dir, [{ path: `${CONFIG}/SOFTWARE`, data: software }]);
    const [record] = values((await readCollection(dir)).records);
    expect(record).toMatchObject({
      keyPath: 'HKLM\\SOFTWARE\\Microsoft\\Updates\\Windows 2000\\SP5\\KB823980',
      valueName: '',
      valueType: 'KEY',
      data: '',
    });
  });

  it('a .sav copy is labelled: copy "sav" on values, "(sav)" on the control set of services', async () => {
    const dir = freshDir();
    const [system, software] = sampleHiveFiles(infectedHostHiveKeys(), new Date(0));
    writeCollection(dir, [
      { path: `${CONFIG}/software.sav`, data: software!.data },
      { path: `${CONFIG}/system.sav`, data: system!.data },
    ]);
    const { records, host } = await readCollection(dir);
    // Setup copies are never the host's current facts.
    expect(host.facts).toBeUndefined();
    const run = values(records).find((record) => record.valueName === 'windows auto update');
    expect(run).toMatchObject({ copy: 'sav', deleted: false, sourceFile: `${CONFIG}/software.sav` });
    expect(services(records).every((service) => service.controlSet === 'ControlSet001 (sav)')).toBe(true);
    // Past state: the remnant rule, not the persistence rule.
    expect(ruleHits(records)).toEqual(['bla-r1-run-deleted']);
  });

  it('a hive that is not one fails its artifact; damage inside a hive is reported, not thrown', async () => {
    const dir = freshDir();
    writeCollection(dir, [{ path: `${CONFIG}/SYSTEM`, data: new Uint8Array(8192).fill(0x41) }]);
    await expect(readCollection(dir)).rejects.toThrow(/regf|signature/i);

    const damaged = freshDir();
    const [system] = sampleHiveFiles(infectedHostHiveKeys(), new Date(0));
    const bytes = Uint8Array.from(system!.data);
    // Zero the second hive bin's cells: keys and values in it are lost, the rest still reads.
    bytes.fill(0, 4096 + 4096 + 32, 4096 + 4096 + 1024);
    writeCollection(damaged, [{ path: `${CONFIG}/SYSTEM`, data: bytes }]);
    const { errors, records } = await readCollection(damaged);
    expect([...errors.values()].flat().length).toBeGreaterThan(0);
    expect([...errors.values()].flat()[0]).toMatchObject({ format: 'regf', file: `${CONFIG}/SYSTEM` });
    expect(records.length).toBeGreaterThan(0);
  });
});

describe('registry reader on mutated hives', () => {
  it('seeded mutations: records or a typed refusal, never another exception', async () => {
    const [system, software] = sampleHiveFiles(welchiaHostHiveKeys(), new Date(0));
    let state = 0xc0ffee;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x100000000;
    };
    for (let round = 0; round < 30; round += 1) {
      const dir = freshDir();
      const mutate = (bytes: Uint8Array): Uint8Array => {
        const out = Uint8Array.from(bytes);
        const flips = 1 + Math.floor(random() * 96);
        for (let flip = 0; flip < flips; flip += 1) {
          out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
        }
        return random() < 0.2 ? out.subarray(0, Math.floor(out.length * random())) : out;
      };
      writeCollection(dir, [
        { path: system!.path, data: mutate(system!.data) },
        { path: software!.path, data: mutate(software!.data) },
      ]);
      const result = await readCollection(dir).catch((error: unknown) => error);
      if (result instanceof Error) expect(result.name, result.message).toBe('FormatError');
    }
  });
});

describe.skipIf(!haveHivex)('registry reader on hives written by hivexregedit --merge', () => {
  /** Records without what differs between writers (hivex stamps the merge time, places cells its way). */
  const comparable = (records: NormalizedRecord[]): string[] =>
    records
      .map((record) => {
        const { keyLastWrite, sourceOffset, ...rest } = record as RegistryValueRecord;
        return JSON.stringify(rest);
      })
      .sort();

  it('gives the same records as the writer-built hives of the same description', async () => {
    const keys = infectedHostHiveKeys();
    const hivexDir = freshDir();
    hivexHive(join(hivexDir, ...CONFIG.split('/'), 'SYSTEM'), keys.system, SYSTEM_PREFIX);
    hivexHive(join(hivexDir, ...CONFIG.split('/'), 'SOFTWARE'), keys.software, SOFTWARE_PREFIX);
    const writerDir = freshDir();
    writeCollection(writerDir, sampleHiveFiles(keys, new Date(0)));
    const fromHivex = await readCollection(hivexDir);
    const fromWriter = await readCollection(writerDir);
    expect([...fromHivex.errors.values()].flat()).toEqual([]);
    expect(comparable(fromHivex.records)).toEqual(comparable(fromWriter.records));
    expect(fromHivex.records.length).toBeGreaterThan(30);
    const { hotfixes, ...facts } = fromHivex.host.facts!.record;
    const { hotfixes: writerHotfixes, ...writerFacts } = fromWriter.host.facts!.record;
    expect(facts).toEqual(writerFacts);
    expect(hotfixes).toEqual(writerHotfixes);
  });

  it('Welchia host: RpcPatch / RpcTftpd services, literal and expanded ImagePath; RpcSs recovery changed', async () => {
    const dir = freshDir();
    const keys = welchiaHostHiveKeys();
    hivexHive(join(dir, ...CONFIG.split('/'), 'SYSTEM'), keys.system, SYSTEM_PREFIX);
    hivexHive(join(dir, ...CONFIG.split('/'), 'SOFTWARE'), keys.software, SOFTWARE_PREFIX);
    const { records, host } = await readCollection(dir);
    expect(host.facts?.record.computerName).toBe('WS-LAB-03');
    const welchia = services(records).filter(
      (service) => service.name.startsWith('RpcT') || service.name === 'RpcPatch',
    );
    expect(welchia).toEqual([
      expect.objectContaining({
        name: 'RpcPatch',
        displayName: 'WINS Client',
        imagePath: '%System%\\wins\\dllhost.exe',
        start: 2,
        type: 16,
        deleted: false,
        controlSet: 'ControlSet001',
      }),
      expect.objectContaining({
        name: 'RpcTftpd',
        displayName: 'Network Connections Sharing',
        imagePath: 'C:\\WINDOWS\\system32\\wins\\svchost.exe',
        start: 3,
      }),
    ]);
    expect(ruleHits(records)).toEqual([
      'pat-10-rpcss-recovery-changed',
      'wea-s1-rpcpatch-service',
      'wea-s2-rpctftpd-service',
    ]);
  });

  it('Welchia removed itself: the deleted service keys are recovered', async () => {
    const dir = freshDir();
    const keys = welchiaHostHiveKeys();
    const system = join(dir, ...CONFIG.split('/'), 'SYSTEM');
    hivexHive(system, keys.system, SYSTEM_PREFIX);
    mergeReg(
      system,
      deletionReg(
        SYSTEM_PREFIX,
        ['ControlSet001\\Services\\RpcPatch', 'ControlSet001\\Services\\RpcTftpd'],
        [],
      ),
      SYSTEM_PREFIX,
      false,
    );
    const { records, errors } = await readCollection(dir);
    expect([...errors.values()].flat()).toEqual([]);
    const deleted = services(records).filter((service) => service.deleted);
    // hivexregedit empties a key (values first) before freeing it: the recovered nk has no value
    // list left, and its values are recovered on their own, without a key.
    expect(deleted.map((service) => [service.controlSet, service.name, service.imagePath])).toEqual([
      ['ControlSet001', 'RpcPatch', ''],
      ['ControlSet001', 'RpcTftpd', ''],
    ]);
    const images = values(records).filter((record) => record.deleted && record.valueName === 'ImagePath');
    expect(images.map((record) => [record.keyPath, record.data])).toEqual([
      ['HKLM\\SYSTEM\\?', '%System%\\wins\\dllhost.exe'],
      ['HKLM\\SYSTEM\\?', 'C:\\WINDOWS\\system32\\wins\\svchost.exe'],
    ]);
    expect(
      services(records).filter((service) => !service.deleted && service.name.startsWith('Rpc')),
    ).toHaveLength(1);
    expect(ruleHits(records)).toContain('wea-s1-s2-services-deleted');
    expect(ruleHits(records)).toContain('wea-s1-s2-deleted-imagepath-value');
    expect(ruleHits(records)).not.toContain('wea-s1-rpcpatch-service');
  });

  it('a deleted Run value is recovered with its data (key unknown: HKLM\\SOFTWARE\\?)', async () => {
    const dir = freshDir();
    const software = join(dir, ...CONFIG.split('/'), 'SOFTWARE');
    hivexHive(software, infectedHostHiveKeys().software, SOFTWARE_PREFIX);
    mergeReg(
      software,
      deletionReg(
        SOFTWARE_PREFIX,
        [],
        [{ key: 'Microsoft\\Windows\\CurrentVersion\\Run', name: 'windows auto update' }],
      ),
      SOFTWARE_PREFIX,
      false,
    );
    const { records } = await readCollection(dir);
    const live = values(records).filter((record) => record.keyPath.endsWith('\\Run'));
    expect(live.map((record) => record.valueName)).toEqual(['SoundMAXPnP']);
    const recovered = values(records).filter((record) => record.deleted && record.data === 'msblast.exe');
    expect(recovered).toEqual([
      expect.objectContaining({
        keyPath: 'HKLM\\SOFTWARE\\?',
        valueName: 'windows auto update',
        valueType: 'REG_SZ',
        hive: 'SOFTWARE',
      }),
    ]);
    expect(recovered[0]!.keyLastWrite).toBeUndefined();
    expect(ruleHits(records)).toEqual(['bla-r1-run-deleted']);
  });

  it("a user's NTUSER.DAT Run value under HKU\\<profile>", async () => {
    const dir = freshDir();
    const path = join(dir, 'C', 'Documents and Settings', 'Administrator', 'NTUSER.DAT');
    mergeReg(
      path,
      specToReg(
        [
          {
            path: 'Software\\Microsoft\\Windows\\CurrentVersion\\Run',
            values: [
              { name: 'ctfmon.exe', sz: 'C:\\WINDOWS\\system32\\ctfmon.exe' },
              { name: 'Nonton Antivirus', sz: 'mspatch.exe' },
            ],
          },
          { path: 'Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce', values: [] },
        ],
        USER_PREFIX,
      ),
      USER_PREFIX,
    );
    const { records, host } = await readCollection(dir);
    expect(host.facts).toBeUndefined();
    expect(
      values(records).map((record) => [record.hive, record.keyPath, record.valueName, record.data]),
    ).toEqual([
      [
        'NTUSER',
        'HKU\\Administrator\\Software\\Microsoft\\Windows\\CurrentVersion\\Run',
        'ctfmon.exe',
        'C:\\WINDOWS\\system32\\ctfmon.exe',
      ],
      [
        'NTUSER',
        'HKU\\Administrator\\Software\\Microsoft\\Windows\\CurrentVersion\\Run',
        'Nonton Antivirus',
        'mspatch.exe',
      ],
    ]);
    expect(ruleHits(records)).toEqual(['bld-r1-run-mspatch', 'blx-f1-run-unattributed']);
    expect(values(records).every((record) => record.user === 'Administrator' && !record.userSid)).toBe(true);
  });

  it("names the user's SID from SOFTWARE's ProfileList (a profile folder two SIDs share stays unnamed)", async () => {
    const dir = freshDir();
    const run = [
      { path: 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', values: [{ name: 'x', sz: 'x.exe' }] },
    ];
    for (const user of ['Administrator', 'bob', 'shared']) {
      mergeReg(
        join(dir, 'C', 'Documents and Settings', user, 'NTUSER.DAT'),
        specToReg(run, USER_PREFIX),
        USER_PREFIX,
      );
    }
    const profile = (sid: string, path: string) => ({
      path: `Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\${sid}`,
      values: [{ name: 'ProfileImagePath', expandSz: path }],
    });
    const domain = 'S-1-5-21-1004336348-1177238915-682003330';
    mergeReg(
      join(dir, CONFIG, 'SOFTWARE'),
      specToReg(
        [
          profile('S-1-5-18', '%SystemRoot%\\system32\\config\\systemprofile'),
          profile(`${domain}-500`, '%SystemDrive%\\Documents and Settings\\Administrator'),
          profile(`${domain}-1003`, '%SystemDrive%\\Documents and Settings\\bob\\'),
          profile(`${domain}-1004`, 'C:\\Documents and Settings\\shared'),
          profile(`${domain}-1005`, 'D:\\Profiles\\Shared'),
          {
            path: 'Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\not-a-sid',
            values: [{ name: 'ProfileImagePath', sz: 'x' }],
          },
        ],
        SOFTWARE_PREFIX,
      ),
      SOFTWARE_PREFIX,
    );
    const { records, host } = await readCollection(dir);
    expect(host.facts?.profiles.map((item) => [item.sid, item.folder])).toEqual([
      ['S-1-5-18', 'systemprofile'],
      [`${domain}-1003`, 'bob'],
      [`${domain}-1004`, 'shared'],
      [`${domain}-1005`, 'Shared'],
      [`${domain}-500`, 'Administrator'],
    ]);
    const users = values(records)
      .filter((record) => record.hive === 'NTUSER')
      .map((record) => [record.user, record.userSid]);
    expect(users).toEqual([
      ['Administrator', `${domain}-500`],
      ['bob', `${domain}-1003`],
      ['shared', undefined],
    ]);
  });
});

const corpus = skipUnlessCorpus('registry reader corpus tests', 'regf/mkorman90_regipy__SYSTEM.gz');

describe.skipIf(corpus.skip)('registry reader on real hives of the corpus', () => {
  /** Copies a (gunzipped) corpus hive to `path`, under the name the reader looks for. */
  const gunzipTo = async (name: string, path: string): Promise<void> => {
    mkdirSync(join(path, '..'), { recursive: true });
    copyFileSync(await openCorpusFile(`regf/${name}`), path);
  };

  it('regipy SYSTEM (Windows 7): plausible host facts, every service, no damage', async () => {
    const dir = freshDir();
    await gunzipTo('mkorman90_regipy__SYSTEM.gz', join(dir, 'C', 'Windows', 'System32', 'config', 'SYSTEM'));
    const { host, records, errors } = await readCollection(dir);
    expect(host.problems).toEqual([]);
    const facts = host.facts!;
    expect(facts.record.computerName).toMatch(/^[A-Z0-9-]+$/);
    expect(facts.controlSet).toMatch(/^ControlSet00\d$/);
    expect(facts.record.timeZone).toMatch(/Standard Time$/);
    expect(Math.abs(facts.record.utcOffsetMinutes! % 15)).toBe(0);
    expect(Math.abs(facts.record.utcOffsetMinutes!)).toBeLessThanOrEqual(14 * 60);
    // ActiveTimeBias and Bias differ by the daylight bias at most.
    expect(Math.abs((facts.bias ?? 0) - (facts.activeTimeBias ?? 0))).toBeLessThanOrEqual(60);
    expect(facts.record.lastShutdown).toBeGreaterThan(BigInt(Date.parse('2009-01-01')) * 1000n);
    expect(facts.firewallLogPaths.every((path) => /pfirewall\.log$/i.test(path))).toBe(true);
    expect(services(records).length).toBeGreaterThan(200);
    expect(services(records).some((service) => service.name.toLowerCase() === 'rpcss')).toBe(true);
    expect([...errors.values()].flat()).toEqual([]);
  });

  it('regipy SYSTEM_B, dirty, with its .LOG1/.LOG2 replayed', async () => {
    const dir = freshDir();
    const config = join(dir, 'C', 'Windows', 'System32', 'config');
    await gunzipTo('mkorman90_regipy__SYSTEM_B.gz', join(config, 'SYSTEM'));
    await gunzipTo('mkorman90_regipy__SYSTEM_B.LOG1.gz', join(config, 'SYSTEM.LOG1'));
    await gunzipTo('mkorman90_regipy__SYSTEM_B.LOG2.gz', join(config, 'SYSTEM.LOG2'));
    const { host, records } = await readCollection(dir);
    expect(host.facts?.record.computerName).toBeTruthy();
    expect(services(records).length).toBeGreaterThan(200);
  });

  it('plaso NTUSER.DAT: the user Run key, nothing else', async () => {
    const dir = freshDir();
    await gunzipTo(
      'log2timeline_plaso__NTUSER.DAT.gz',
      join(dir, 'C', 'Documents and Settings', 'bob', 'NTUSER.DAT'),
    );
    const { records } = await readCollection(dir);
    expect(records.length).toBeGreaterThan(0);
    expect(values(records).every((record) => record.keyPath.startsWith('HKU\\bob\\Software\\'))).toBe(true);
  });

  it('a corrupted SYSTEM hive does not stop the reader', async () => {
    const dir = freshDir();
    await gunzipTo(
      'mkorman90_regipy__corrupted_system_hive.gz',
      join(dir, 'C', 'Windows', 'System32', 'config', 'SYSTEM'),
    );
    const result: Awaited<ReturnType<typeof readCollection>> | Error = await readCollection(dir).catch(
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    // Either typed damage in the records' error list or a typed refusal of the whole file.
    if (result instanceof Error) expect(result.name).toBe('FormatError');
    else expect(result.records.length + [...result.errors.values()].flat().length).toBeGreaterThan(0);
  });
});
