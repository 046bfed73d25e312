/**
 * End to end with a real hive writer: hivexregedit --merge (libwin-hivex-perl) writes Blaster
 * and Welchia persistence into hives made by our writer; we read them back. Skips when absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferReader } from '../io/index.js';
import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_QWORD, REG_SZ } from './constants.js';
import { openHive } from './hive.js';
import { buildHive, utf16 } from './test-support/hive-writer.js';
import { hasTool, runHivexml } from './test-support/reference-tools.js';
import { walkHive } from './walk.js';

const haveTool = hasTool('hivexregedit');
if (!haveTool) console.warn('hivexregedit tests skipped: hivexregedit (libwin-hivex-perl) is not installed');

function hexList(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(',');
}

const blob = Uint8Array.from({ length: 20_000 }, (_, index) => (index * 31 + 7) & 0xff);

const softwareReg = `Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run]
"windows auto update"="msblast.exe"
"Microsoft Inet Xp.."="teekids.exe"
`;

const systemReg = `Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]
"Current"=dword:00000001

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\RpcPatch]
"DisplayName"="WINS Client"
"ImagePath"=hex(2):${hexList(utf16('%System%\\wins\\dllhost.exe'))}
"Start"=dword:00000002
"DependOnService"=hex(7):${hexList(utf16('RpcSs\0Tcpip\0'))}
"Counter"=hex(b):88,77,66,55,44,33,22,11
"Blob"=hex:${hexList(blob)}

[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\RpcTftpd]
"DisplayName"="Network Connections Sharing"
"ImagePath"="%System%\\\\wins\\\\svchost.exe"
"Start"=dword:00000003
`;

/** hivexregedit creates only the last key of a section: list every ancestor section first. */
function withParents(reg: string): string {
  const seen = new Set<string>();
  return reg.replace(/^\[([^\]]+)\]$/gm, (_, path: string) => {
    const parts = path.split('\\');
    const sections: string[] = [];
    for (let depth = 3; depth <= parts.length; depth += 1) {
      const section = parts.slice(0, depth).join('\\');
      if (seen.has(section.toLowerCase())) continue;
      seen.add(section.toLowerCase());
      sections.push(`[${section}]`);
    }
    return sections.join('\n\n');
  });
}

describe.skipIf(!haveTool)('hives written by hivexregedit --merge', () => {
  let dir = '';
  const merge = (hiveName: string, reg: string, prefix: string): Uint8Array => {
    const hivePath = join(dir, hiveName);
    const regPath = join(dir, `${hiveName}.reg`);
    writeFileSync(hivePath, buildHive({ root: { name: 'ROOT' } }));
    writeFileSync(regPath, withParents(reg));
    const result = spawnSync('hivexregedit', ['--merge', '--prefix', prefix, hivePath, regPath], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return new Uint8Array(readFileSync(hivePath));
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'regf-hivexregedit-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('SOFTWARE Run values of Blaster and Welchia', async () => {
    const hive = await openHive(
      new BufferReader(merge('SOFTWARE', softwareReg, 'HKEY_LOCAL_MACHINE\\SOFTWARE')),
    );
    const run = hive.getKey('Microsoft\\Windows\\CurrentVersion\\Run')!;
    expect(run.path).toBe('\\Microsoft\\Windows\\CurrentVersion\\Run');
    expect(run.value('windows auto update')).toMatchObject({
      type: REG_SZ,
      data: 'msblast.exe',
      deleted: false,
    });
    expect(run.value('microsoft inet xp..')).toMatchObject({ type: REG_SZ, data: 'teekids.exe' });
    expect(hive.errors).toEqual([]);
  });

  it('SYSTEM services RpcPatch and RpcTftpd, Select, values of several types', async () => {
    const bytes = merge('SYSTEM', systemReg, 'HKEY_LOCAL_MACHINE\\SYSTEM');
    const hive = await openHive(new BufferReader(bytes, 'SYSTEM'));
    expect(hive.getKey('Select')!.value('Current')).toMatchObject({ type: REG_DWORD, data: 1 });
    const patch = hive.getKey('ControlSet001\\Services\\RpcPatch')!;
    expect(patch.value('DisplayName')!.data).toBe('WINS Client');
    expect(patch.value('ImagePath')).toMatchObject({
      type: REG_EXPAND_SZ,
      data: '%System%\\wins\\dllhost.exe',
    });
    expect(patch.value('Start')!.data).toBe(2);
    expect(patch.value('DependOnService')).toMatchObject({ type: REG_MULTI_SZ, data: ['RpcSs', 'Tcpip'] });
    expect(patch.value('Counter')).toMatchObject({ type: REG_QWORD, data: 0x1122334455667788n });
    const big = patch.value('Blob')!;
    expect(big.type).toBe(REG_BINARY);
    expect(big.size).toBe(blob.length);
    expect(big.data).toEqual(blob);
    const tftpd = hive.getKey('ControlSet001\\Services\\RpcTftpd')!;
    expect(tftpd.value('DisplayName')!.data).toBe('Network Connections Sharing');
    expect(tftpd.value('ImagePath')).toMatchObject({ type: REG_SZ, data: '%System%\\wins\\svchost.exe' });
    expect(tftpd.value('Start')!.data).toBe(3);
    expect(hive.errors).toEqual([]);
    // hivexml reads the same strings from the same file.
    const file = join(dir, 'SYSTEM');
    const reference = runHivexml(file).keys.get('ROOT\\ControlSet001\\Services\\RpcTftpd');
    expect(reference?.get('ImagePath')?.value).toBe('%System%\\wins\\svchost.exe');
    const rows = [...walkHive(hive)].filter((row) => row.kind === 'key' && !row.deleted);
    expect(rows.map((row) => (row.kind === 'key' ? row.path : '')).sort()).toEqual([
      '\\',
      '\\ControlSet001',
      '\\ControlSet001\\Services',
      '\\ControlSet001\\Services\\RpcPatch',
      '\\ControlSet001\\Services\\RpcTftpd',
      '\\Select',
    ]);
  });

  it('a value deleted by a second merge is recovered from free space', async () => {
    merge('SOFTWARE2', softwareReg, 'HKEY_LOCAL_MACHINE\\SOFTWARE');
    const hivePath = join(dir, 'SOFTWARE2');
    const removal = `Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run]\n"windows auto update"=-\n`;
    writeFileSync(`${hivePath}.del.reg`, withParents(removal));
    const result = spawnSync('hivexregedit', [
      '--merge',
      '--prefix',
      'HKEY_LOCAL_MACHINE\\SOFTWARE',
      hivePath,
      `${hivePath}.del.reg`,
    ]);
    expect(result.status).toBe(0);
    const hive = await openHive(new BufferReader(new Uint8Array(readFileSync(hivePath))));
    expect(
      hive.getKey('Microsoft\\Windows\\CurrentVersion\\Run')!.value('windows auto update'),
    ).toBeUndefined();
    const recovered = hive.deletedValues().find((value) => value.name === 'windows auto update');
    expect(recovered).toMatchObject({ deleted: true, data: 'msblast.exe' });
  });
});
