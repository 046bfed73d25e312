import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReader, type RandomAccessReader, readBlocks, SliceReader } from '../io/index.js';
import { readPartitions } from '../partitions/index.js';
import { hasTool, run } from '../partitions/test-support/tools.js';
import { type FatEntry, type FatVolume, openFat } from './index.js';
import { type BuiltVolume, buildVolume, sha256 } from './test-support/build-volume.js';
import { flsBody, virtualFlsLines } from './test-support/fls.js';

const haveTools = ['mkfs.vfat', 'mcopy', 'mmd', 'mdel', 'mdeltree', 'mattrib', 'fls', 'icat'].every(hasTool);
if (!haveTools) console.warn('dosfstools, mtools or sleuthkit missing: FAT conformance tests skipped');
const work = mkdtempSync(join(tmpdir(), 'fat-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function hashReader(reader: RandomAccessReader): Promise<string> {
  const hash = (await import('node:crypto')).createHash('sha256');
  for await (const block of readBlocks(reader, 64 * 1024)) hash.update(block);
  return hash.digest('hex');
}

async function collect(volume: FatVolume): Promise<FatEntry[]> {
  const entries: FatEntry[] = [];
  for await (const entry of volume.entries()) entries.push(entry);
  return entries;
}

async function bodyLines(volume: FatVolume): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of volume.bodyfile()) lines.push(line);
  return lines.sort();
}

function icat(image: string, inode: number, extra: string[] = []): string {
  const result = spawnSync('icat', [...extra, image, String(inode)], { maxBuffer: 64 * 1024 * 1024 });
  return sha256(result.stdout);
}

const volumes: Array<{ type: 12 | 16 | 32; sizeKiB: number; extra: string[] }> = [
  { type: 12, sizeKiB: 8192, extra: [] },
  { type: 16, sizeKiB: 20480, extra: [] },
  { type: 32, sizeKiB: 40960, extra: ['-s', '1'] },
];

describe.skipIf(!haveTools).each(volumes)(
  'FAT$type volume made by mkfs.vfat + mtools',
  ({ type, sizeKiB, extra }) => {
    let built: BuiltVolume;
    let reader: FileReader;
    let volume: FatVolume;
    let entries: FatEntry[];

    it('opens with the FAT type mkfs chose and lists without errors', async () => {
      built = buildVolume(work, `fat${type}`, type, sizeKiB, extra);
      reader = await FileReader.open(built.path);
      volume = await openFat(reader);
      entries = await collect(volume);
      expect(volume.type).toBe(type);
      expect(volume.volumeLabel).toBe('BLASTER');
      expect(volume.errors).toEqual([]);
      const fsstat = run('fsstat', [built.path]);
      expect(fsstat).toContain(`File System Type: FAT${type}`);
    });

    it('agrees with fls -r -m / line by line (path, TSK address, mode, size, times)', async () => {
      const ours = await bodyLines(volume);
      const theirs = flsBody(built.path);
      expect(ours.length).toBeGreaterThan(310);
      expect(ours).toEqual(theirs);
      // TSK's virtual files sit right after the last slot address: $MBR, $FAT1.., $OrphanFiles.
      const virtual = virtualFlsLines(built.path).map((line) => Number(line.split('|')[2]));
      expect(virtual[0]).toBe(volume.lastInode + 1);
    });

    it('extracts every live file with the SHA-256 of what was put in, as icat does', async () => {
      let checked = 0;
      for (const [path, digest] of built.files) {
        const entry = await volume.lookup(path);
        expect(entry, path).toBeDefined();
        expect(await hashReader(await volume.openFile(entry!)), path).toBe(digest);
        if (!path.includes('/Prefetch/') || checked % 150 === 0)
          expect(icat(built.path, entry!.inode), path).toBe(digest);
        checked += 1;
      }
      expect(checked).toBe(built.files.size);
    });

    it('lists deleted files with their recovered names and contiguous content (as icat)', async () => {
      const deleted = entries.filter((entry) => entry.deleted);
      const byName = new Map(deleted.map((entry) => [entry.path, entry]));
      const shortDeleted = byName.get('/WINDOWS/system32/_ENIS32.EXE');
      expect(shortDeleted).toMatchObject({ shortName: '_ENIS32.EXE', size: 3000, recovery: 'contiguous' });
      const longDeleted = byName.get('/WINDOWS/system32/Deleted dropper with a long name.tmp');
      expect(longDeleted).toMatchObject({ size: 700, recovery: 'contiguous' });
      expect(longDeleted!.shortName.startsWith('_')).toBe(true);
      const dropped = byName.get('/_EMP/_UB/_ropped.exe');
      expect(dropped).toMatchObject({ size: 500, recovery: 'contiguous' });
      expect(byName.get('/_EMP/_UB')).toMatchObject({ isDirectory: true, size: volume.boot.clusterSize });
      expect(await hashReader(await volume.openFile(dropped!))).toBe(
        built.deleted.get('/TEMP/SUB/dropped.exe'),
      );
      for (const [entry, original] of [
        [shortDeleted!, '/WINDOWS/system32/PENIS32.EXE'],
        [longDeleted!, '/WINDOWS/system32/Deleted dropper with a long name.tmp'],
      ] as const) {
        const digest = await hashReader(await volume.openFile(entry));
        expect(digest).toBe(built.deleted.get(original));
        expect(icat(built.path, entry.inode)).toBe(digest);
      }
    });

    it('follows a fragmented chain', async () => {
      const entry = await volume.lookup(built.fragmented);
      const runs = await volume.clusterRuns(entry!);
      expect(runs.length).toBeGreaterThan(1);
      expect(await hashReader(await volume.openFile(entry!))).toBe(built.files.get(built.fragmented));
    });

    it('looks paths up case-insensitively by long or short name', async () => {
      const byLong = await volume.lookup('/windows/SYSTEM32/Wins/DLLHOST.EXE');
      expect(byLong?.path).toBe('/WINDOWS/system32/wins/dllhost.exe');
      const notes = await volume.lookup(
        '\\Documents and Settings\\Administrator\\blaster removal notes, august 2003.txt',
      );
      expect(notes).toBeDefined();
      const byShort = await volume.lookup(`/DOCUME~1/ADMINI~1/${notes!.shortName}`);
      expect(byShort?.entryOffset).toBe(notes!.entryOffset);
      expect(await volume.lookup('/WINDOWS/nothere.exe')).toBeUndefined();
      expect(await volume.lookup('/boot.ini/x')).toBeUndefined();
    });

    it('gives plain records: attributes, names, local times flagged', async () => {
      const msblast = entries.find((entry) => entry.path === '/WINDOWS/system32/msblast.exe')!;
      expect(msblast).toMatchObject({
        name: 'msblast.exe',
        shortName: 'msblast.exe',
        isDirectory: false,
        deleted: false,
        size: 6176,
        attributes: 0x27,
        timeIsLocal: true,
      });
      expect(msblast.longName).toBeUndefined();
      expect(msblast.modified!.local).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000$/);
      const prefetch = entries.filter((entry) => entry.path.startsWith('/WINDOWS/Prefetch/'));
      expect(prefetch).toHaveLength(300);
      expect(
        JSON.parse(
          JSON.stringify(msblast, (_key, value) => (typeof value === 'bigint' ? String(value) : value)),
        ),
      ).toBeTruthy();
    });

    it('converts local times with a time zone, as fls -z does', async () => {
      // EST5: five hours west of UTC, no daylight saving.
      const zoned = await openFat(reader, { timeZone: -300 });
      const ours = await bodyLines(zoned);
      expect(ours).toEqual(flsBody(built.path, ['-z', 'EST5']));
      const entry = await zoned.lookup('/boot.ini');
      const local = await volume.lookup('/boot.ini');
      expect(entry!.timeIsLocal).toBe(false);
      expect(entry!.modified!.micros - local!.modified!.micros).toBe(5n * 3600n * 1_000_000n);
      await reader.close();
    });
  },
);

describe.skipIf(!haveTools || !hasTool('sfdisk'))('FAT volume inside a partitioned disk', () => {
  it('readPartitions + openFat over a SliceReader agree with fls -o', async () => {
    const built = buildVolume(work, 'inner', 16, 20480);
    const volumeBytes = readFileSync(built.path);
    const disk = join(work, 'disk.img');
    const startSector = 2048;
    const image = new Uint8Array(startSector * 512 + volumeBytes.length + 1024 * 1024);
    image.set(volumeBytes, startSector * 512);
    writeFileSync(disk, image);
    run(
      'sfdisk',
      ['-q', disk],
      `label: dos\nstart=${startSector}, size=${volumeBytes.length / 512}, type=6\n`,
    );
    const reader = await FileReader.open(disk);
    const table = await readPartitions(reader);
    expect(table.scheme).toBe('mbr');
    const partition = table.partitions[0]!;
    expect(partition).toMatchObject({
      start: startSector * 512,
      size: volumeBytes.length,
      typeName: 'DOS FAT16',
    });
    const volume = await openFat(new SliceReader(reader, partition.start, partition.size));
    expect(await bodyLines(volume)).toEqual(flsBody(disk, ['-o', String(startSector)]));
    const entry = await volume.lookup('/WINDOWS/system32/msblast.exe');
    expect(await hashReader(await volume.openFile(entry!))).toBe(
      built.files.get('/WINDOWS/system32/msblast.exe'),
    );
    await reader.close();
  });
});
