import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../test/support/zip-builder.js';
import { ZipSource } from '../evidence/zip-source.js';
import { type LocatedArtifact, locateArtifacts, looksLikeBodyfile, looksLikeNetstat } from './artifacts.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bt-locate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BODY_LINE =
  '0|/WINDOWS/system32/msblast.exe|1234-128-1|r/rrwxrwxrwx|0|0|6176|1060632000|1060632000|1060632000|1060632000\n';
const NETSTAT =
  '\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       880\r\n';

async function locate(
  name: string,
  files: Record<string, string>,
): Promise<{ layout: string; found: LocatedArtifact[] }> {
  const path = join(dir, name);
  await writeFile(
    path,
    await buildZip(Object.entries(files).map(([entry, data]) => ({ name: entry, data }))),
  );
  const source = await ZipSource.open(path);
  const location = await locateArtifacts(source);
  await source.close();
  return { layout: location.layout.name, found: location.artifacts };
}

function summary(found: LocatedArtifact[]): string[] {
  return found.map(
    (artifact) =>
      `${artifact.type}${artifact.role ? `:${artifact.role}` : ''}${artifact.copy ? `(${artifact.copy})` : ''} ${artifact.windowsPath ?? artifact.sourcePath}${artifact.logs ? ` logs=${artifact.logs.length}` : ''}`,
  );
}

describe('locateArtifacts', () => {
  it('finds a plain WINDOWS tree with hives, logs, .sav copies, event logs and firewall logs', async () => {
    const { layout, found } = await locate('plain.zip', {
      'WINDOWS/system32/config/SYSTEM': 'h',
      'WINDOWS/system32/config/system.LOG': 'l',
      'WINDOWS/system32/config/system.sav': 's',
      'WINDOWS/system32/config/software': 'h',
      'WINDOWS/system32/config/SOFTWARE.LOG1': 'l',
      'WINDOWS/system32/config/SOFTWARE.LOG2': 'l',
      'WINDOWS/system32/config/SysEvent.Evt': 'e',
      'WINDOWS/system32/config/AppEvent.Evt': 'e',
      'WINDOWS/system32/winevt/Logs/System.evtx': 'x',
      'WINDOWS/pfirewall.log': 'f',
      'WINDOWS/pfirewall.log.old': 'f',
      'WINDOWS/system32/msblast.exe': 'MZ',
      'Documents and Settings/alice/NTUSER.DAT': 'h',
      'Documents and Settings/alice/ntuser.dat.LOG': 'l',
    });
    expect(layout).toBe('plain');
    expect(summary(found).sort()).toEqual(
      [
        'collected-file \\Documents and Settings\\alice\\ntuser.dat.LOG',
        'collected-file \\WINDOWS\\system32\\config\\SOFTWARE.LOG1',
        'collected-file \\WINDOWS\\system32\\config\\SOFTWARE.LOG2',
        'collected-file \\WINDOWS\\system32\\config\\system.LOG',
        'collected-file \\WINDOWS\\system32\\msblast.exe',
        'evt \\WINDOWS\\system32\\config\\AppEvent.Evt',
        'evt \\WINDOWS\\system32\\config\\SysEvent.Evt',
        'evtx \\WINDOWS\\system32\\winevt\\Logs\\System.evtx',
        'firewall-log \\WINDOWS\\pfirewall.log',
        'firewall-log \\WINDOWS\\pfirewall.log.old',
        'registry-hive:NTUSER \\Documents and Settings\\alice\\NTUSER.DAT logs=1',
        'registry-hive:SOFTWARE \\WINDOWS\\system32\\config\\software logs=2',
        'registry-hive:SYSTEM \\WINDOWS\\system32\\config\\SYSTEM logs=1',
        'registry-hive:SYSTEM(sav) \\WINDOWS\\system32\\config\\system.sav',
      ].sort(),
    );
    expect(found.find((artifact) => artifact.role === 'NTUSER')?.user).toBe('alice');
  });

  it('finds WINNT under a drive folder (Windows 2000) and KAPE target output', async () => {
    const winnt = await locate('winnt.zip', {
      'C/WINNT/system32/config/SYSTEM': 'h',
      'C/WINNT/system32/config/SysEvent.Evt': 'e',
    });
    expect(winnt.layout).toBe('kape');
    expect(summary(winnt.found)).toEqual([
      'registry-hive:SYSTEM \\WINNT\\system32\\config\\SYSTEM',
      'evt \\WINNT\\system32\\config\\SysEvent.Evt',
    ]);
    const kape = await locate('kape.zip', {
      '2023-01-01T000000_triage/C/Windows/System32/config/SOFTWARE': 'h',
      '2023-01-01T000000_triage/C/Windows/System32/winevt/Logs/Security.evtx': 'x',
    });
    expect(kape.layout).toBe('kape');
    expect(summary(kape.found)).toEqual([
      'registry-hive:SOFTWARE \\Windows\\System32\\config\\SOFTWARE',
      'evtx \\Windows\\System32\\winevt\\Logs\\Security.evtx',
    ]);
  });

  it('decodes Velociraptor offline-collector paths (auto and ntfs accessors) and finds its netstat results', async () => {
    const { layout, found } = await locate('velo.zip', {
      'uploads/auto/C%3A/Windows/System32/config/SYSTEM': 'h',
      'uploads/auto/C%3A/Windows/pfirewall.log': 'f',
      'results/Windows.Network.Netstat.json': '{}',
    });
    expect(layout).toBe('velociraptor');
    expect(summary(found)).toEqual([
      'velociraptor-netstat results/Windows.Network.Netstat.json',
      'registry-hive:SYSTEM \\Windows\\System32\\config\\SYSTEM',
      'firewall-log \\Windows\\pfirewall.log',
    ]);
    const ntfs = await locate('velo-ntfs.zip', {
      'uploads/ntfs/%5C%5C.%5CC%3A/Windows/System32/config/SOFTWARE': 'h',
    });
    expect(ntfs.layout).toBe('velociraptor');
    expect(summary(ntfs.found)).toEqual(['registry-hive:SOFTWARE \\Windows\\System32\\config\\SOFTWARE']);
  });

  it('recognizes CyLR collections and text captures by content, not by name alone', async () => {
    const { layout, found } = await locate('cylr.zip', {
      'C/Windows/System32/config/SYSTEM': 'h',
      'CyLR.log': 'collected',
      'live/fls_C.txt': BODY_LINE,
      'live/net.txt': NETSTAT,
      'live/notes.txt': 'nothing to see',
    });
    expect(layout).toBe('cylr');
    expect(summary(found).sort()).toEqual(
      [
        'bodyfile live/fls_C.txt',
        'netstat live/net.txt',
        'registry-hive:SYSTEM \\Windows\\System32\\config\\SYSTEM',
      ].sort(),
    );
  });

  it('finds listings and netstat captures in a zip with no Windows tree at all', async () => {
    const { layout, found } = await locate('captures.zip', {
      'host1.body': BODY_LINE,
      'netstat-ano.txt': NETSTAT,
    });
    expect(layout).toBe('unknown');
    expect(summary(found)).toEqual(['bodyfile host1.body', 'netstat netstat-ano.txt']);
  });
});

describe('content sniffing', () => {
  it('tells bodyfiles and netstat output from other text', () => {
    expect(looksLikeBodyfile(BODY_LINE)).toBe(true);
    expect(looksLikeBodyfile('a|b|c\n')).toBe(false);
    expect(looksLikeNetstat(NETSTAT)).toBe(true);
    expect(looksLikeNetstat('hello world')).toBe(false);
  });
});
