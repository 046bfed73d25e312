import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySource } from './directory-source.js';
import { normalizeEntryName } from './vfs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bt-dir-'));
  await mkdir(join(dir, 'WINDOWS', 'system32', 'config'), { recursive: true });
  await writeFile(join(dir, 'WINDOWS', 'system32', 'config', 'SYSTEM'), 'hive');
  await writeFile(join(dir, 'WINDOWS', 'pfirewall.log'), 'log');
  await symlink('/etc/passwd', join(dir, 'WINDOWS', 'link'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DirectorySource', () => {
  it('indexes the tree, looks up ignoring case and never follows links', async () => {
    const source = await DirectorySource.open(dir);
    expect(source.entries().map((entry) => entry.path)).toEqual([
      'WINDOWS',
      'WINDOWS/pfirewall.log',
      'WINDOWS/system32',
      'WINDOWS/system32/config',
      'WINDOWS/system32/config/SYSTEM',
    ]);
    expect(source.stat('windows\\SYSTEM32\\Config\\system')?.size).toBe(4);
    const reader = await source.openReader('Windows/System32/config/system');
    expect(Buffer.from(await reader.read(0, 4)).toString()).toBe('hive');
    await reader.close();
    expect(source.warnings).toEqual([{ path: 'WINDOWS/link', reason: 'symbolic link not followed' }]);
    await expect(source.openStream('WINDOWS/link')).rejects.toThrow(/no such file/);
  });

  it('refuses to index more entries than the limit', async () => {
    await expect(DirectorySource.open(dir, { maxEntries: 2 })).rejects.toThrow(/more than 2 entries/);
  });
});

describe('normalizeEntryName', () => {
  it.each([
    ['C:\\Windows\\system32\\config\\SYSTEM', 'Windows/system32/config/SYSTEM'],
    ['/etc/passwd', 'etc/passwd'],
    ['a/./b/../c', 'a/c'],
    ['uploads/auto/C%3A/Windows/x', 'uploads/auto/C%3A/Windows/x'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeEntryName(input)).toBe(expected);
  });

  it.each(['../x', 'a/../../x', 'C:..\\x', 'a\0b'])('refuses %s', (input) => {
    expect(normalizeEntryName(input)).toBeUndefined();
  });
});
