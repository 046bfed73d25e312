import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferReader, FileReader, FormatError } from '../io/index.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { readPartitions } from './index.js';
import { writeGptDisk } from './test-support/gpt-writer.js';
import { hasTool, parseMmls, run } from './test-support/tools.js';
import type { PartitionTable } from './types.js';

const work = mkdtempSync(join(tmpdir(), 'partitions-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const haveMmls = hasTool('mmls');
const haveSfdisk = hasTool('sfdisk') && haveMmls;
const haveSgdisk = hasTool('sgdisk') && haveMmls;
if (!haveMmls) console.warn('mmls (sleuthkit) not installed: conformance tests skipped');

async function readFile(path: string): Promise<PartitionTable> {
  const reader = await FileReader.open(path);
  try {
    return await readPartitions(reader);
  } finally {
    await reader.close();
  }
}

function hex2(type: number): string {
  return `0x${type.toString(16).padStart(2, '0')}`;
}

/** Every MBR volume we list agrees with mmls' row for the same table:slot. */
function expectMbrMatchesMmls(table: PartitionTable, path: string): void {
  const mmls = parseMmls(run('mmls', [path]));
  expect(mmls.sectorSize).toBe(table.sectorSize);
  const volumes = mmls.rows.filter((row) => /^\d+:\d+$/.test(row.slot));
  const ours = table.partitions.filter((partition) => !partition.extended);
  expect(ours.map((p) => `${String(p.table).padStart(3, '0')}:${String(p.slot).padStart(3, '0')}`)).toEqual(
    volumes.map((row) => row.slot),
  );
  for (const partition of ours) {
    const row = volumes.find(
      (r) =>
        r.slot === `${String(partition.table).padStart(3, '0')}:${String(partition.slot).padStart(3, '0')}`,
    )!;
    expect(partition.start).toBe(row.start * table.sectorSize);
    expect(partition.size).toBe(row.length * table.sectorSize);
    expect(`${partition.typeName} (${hex2(partition.type as number)})`).toBe(row.description);
  }
  // The primary extended container is mmls' first "Extended" Meta row.
  const extended = table.partitions.find((partition) => partition.extended);
  const metaExtended = mmls.rows.find((row) => row.slot === 'Meta' && / Extended \(0x/.test(row.description));
  expect(extended === undefined).toBe(metaExtended === undefined);
  if (extended && metaExtended) {
    expect(extended.start).toBe(metaExtended.start * 512);
    expect(extended.size).toBe(metaExtended.length * 512);
    expect(`${extended.typeName} (${hex2(extended.type as number)})`).toBe(metaExtended.description);
  }
}

describe.skipIf(!haveSfdisk)('MBR made by sfdisk, compared with mmls', () => {
  it('lists primary, extended and logical partitions as mmls does', async () => {
    const path = join(work, 'mbr.img');
    writeFileSync(path, new Uint8Array(0));
    run('truncate', ['-s', '64M', path]);
    run(
      'sfdisk',
      ['-q', path],
      [
        'label: dos',
        'label-id: 0x1badcafe',
        'start=2048, size=8192, type=7, bootable',
        'start=10240, size=8192, type=c',
        'start=18432, type=f',
        'start=20480, size=4096, type=6',
        'start=26624, size=4096, type=83',
        'start=32768, size=2048, type=b',
        '',
      ].join('\n'),
    );
    const table = await readFile(path);
    expect(table.scheme).toBe('mbr');
    expect(table.errorCount).toBe(0);
    expect(table.partitions.map((p) => p.index)).toEqual([0, 1, 2, 4, 5, 6]);
    expect(table.partitions[0]!.bootable).toBe(true);
    expect(table.partitions[2]!.extended).toBe(true);
    expect(table.diskSignature).toBe(0x1badcafe);
    expectMbrMatchesMmls(table, path);
  });
});

describe.skipIf(!haveSgdisk)('GPT made by sgdisk, compared with mmls', () => {
  const path = join(work, 'gpt.img');
  const build = () => {
    writeFileSync(path, new Uint8Array(0));
    run('truncate', ['-s', '64M', path]);
    run('sgdisk', [
      '-n1:2048:+4M',
      '-t1:ef00',
      '-c1:EFI system partition',
      '-n2:0:+8M',
      '-t2:0c01',
      '-n3:0:+16M',
      '-t3:0700',
      '-c3:Basic data partition',
      '-n4:0:+8M',
      '-t4:8300',
      '-c4:Linux ünïcode',
      path,
    ]);
  };

  it('lists the entries as mmls does (start, length, name)', async () => {
    build();
    const table = await readFile(path);
    expect(table.scheme).toBe('gpt');
    expect(table.gptHeader).toBe('primary');
    expect(table.errorCount).toBe(0);
    const mmls = parseMmls(run('mmls', [path]));
    const rows = mmls.rows.filter((row) => /^\d+$/.test(row.slot));
    expect(table.partitions.map((p) => p.index)).toEqual(rows.map((row) => Number(row.slot)));
    for (const [i, partition] of table.partitions.entries()) {
      expect(partition.start).toBe(rows[i]!.start * 512);
      expect(partition.size).toBe(rows[i]!.length * 512);
      expect(partition.name).toBe(rows[i]!.description);
    }
    expect(table.partitions.map((p) => p.typeName)).toEqual([
      'EFI system',
      'Microsoft reserved',
      'Basic data',
      'Linux filesystem',
    ]);
    // sgdisk -i prints the unique GUID and attributes: agree with it too.
    const info = run('sgdisk', ['-i', '3', path]);
    expect(info).toContain(`Partition unique GUID: ${table.partitions[2]!.guid!.slice(1, -1)}`);
  });

  it('falls back to the backup header when the primary header is damaged', async () => {
    build();
    const good = await readFile(path);
    const bytes = readFileSync(path);
    bytes[512 + 30] = bytes[512 + 30]! ^ 0xff; // inside my-LBA: header CRC32 no longer matches
    const damaged = join(work, 'gpt-bad-header.img');
    writeFileSync(damaged, bytes);
    const table = await readFile(damaged);
    expect(table.gptHeader).toBe('backup');
    expect(table.partitions).toEqual(good.partitions);
    expect(table.errors[0]).toBeInstanceOf(FormatError);
    expect(table.errors[0]!.reason).toMatch(/header CRC32/);
    expect(table.errors[0]!.offset).toBe(512 + 16);
  });

  it('falls back to the backup entry array when the primary array CRC fails', async () => {
    build();
    const good = await readFile(path);
    const bytes = readFileSync(path);
    bytes[1024 + 56] = bytes[1024 + 56]! ^ 0x20; // first entry's name
    const damaged = join(work, 'gpt-bad-array.img');
    writeFileSync(damaged, bytes);
    const table = await readFile(damaged);
    expect(table.gptHeader).toBe('backup');
    expect(table.partitions).toEqual(good.partitions);
    expect(table.errors.map((e) => e.structure)).toEqual(['GPT primary partition entry array']);
  });
});

describe('GPT with 4096-byte sectors (written in the test)', () => {
  it('finds the header at byte 4096 and reports 4 KiB sectors', async () => {
    const disk = writeGptDisk(4096, 64, [
      {
        typeGuid: '{EBD0A0A2-B9E5-4433-87C0-68B6B72699C7}',
        uniqueGuid: '{01234567-89AB-CDEF-0123-456789ABCDEF}',
        firstLba: 8,
        lastLba: 39,
        name: 'data',
        attributes: 0x8000000000000000n,
      },
    ]);
    const table = await readPartitions(new BufferReader(disk));
    expect(table.scheme).toBe('gpt');
    expect(table.sectorSize).toBe(4096);
    expect(table.partitions).toEqual([
      {
        index: 0,
        start: 8 * 4096,
        size: 32 * 4096,
        type: '{EBD0A0A2-B9E5-4433-87C0-68B6B72699C7}',
        typeName: 'Basic data',
        name: 'data',
        guid: '{01234567-89AB-CDEF-0123-456789ABCDEF}',
        attributes: '0x8000000000000000',
      },
    ]);
  });
});

/** A DOS boot record entry written by hand: [slot, type, lbaStart, sectors]. */
function writeEntries(
  disk: Uint8Array,
  sector: number,
  entries: Array<[number, number, number, number]>,
): void {
  const view = new DataView(disk.buffer);
  const base = sector * 512;
  for (const [slot, type, start, count] of entries) {
    disk[base + 446 + slot * 16 + 4] = type;
    view.setUint32(base + 446 + slot * 16 + 8, start, true);
    view.setUint32(base + 446 + slot * 16 + 12, count, true);
  }
  disk[base + 510] = 0x55;
  disk[base + 511] = 0xaa;
}

describe.skipIf(!haveMmls)('MBR type names agree with mmls', () => {
  it('names each type byte as mmls does', async () => {
    const types = [
      0x01, 0x04, 0x06, 0x07, 0x0b, 0x0c, 0x0e, 0x11, 0x12, 0x14, 0x17, 0x1b, 0x1c, 0x27, 0x42, 0x82, 0x83,
    ];
    types.push(0x84, 0x86, 0x8e, 0xa5, 0xa8, 0xaf, 0xbf, 0xde, 0xee, 0xef, 0xfb, 0xfd, 0xfe, 0xff);
    for (let first = 0; first < types.length; first += 4) {
      const disk = new Uint8Array(512 * 64);
      const chunk = types.slice(first, first + 4);
      writeEntries(
        disk,
        0,
        chunk.map((type, slot) => [slot, type, 1 + slot * 10, 10]),
      );
      const path = join(work, `types-${first}.img`);
      writeFileSync(path, disk);
      expectMbrMatchesMmls(await readFile(path), path);
    }
  });
});

describe('corpus images', () => {
  const tskImage = 'image/log2timeline_plaso__tsk_volume_system.raw.gz';
  const tskCorpus = skipUnlessCorpus('partitions corpus test on tsk_volume_system.raw', tskImage);
  it.skipIf(tskCorpus.skip || !haveMmls)('tsk_volume_system.raw agrees with mmls', async () => {
    const path = await openCorpusFile(tskImage);
    const table = await readFile(path);
    expect(table.scheme).toBe('mbr');
    expect(table.partitions.filter((p) => !p.extended)).toHaveLength(2);
    expectMbrMatchesMmls(table, path);
  });

  const bogusCorpus = skipUnlessCorpus(
    'partitions corpus test on bogus.001',
    'image/log2timeline_dfvfs__bogus.001',
  );
  it.skipIf(bogusCorpus.skip)('bogus.001 (random bytes): no table, no volume, an error record', async () => {
    const bogus = await openCorpusFile('image/log2timeline_dfvfs__bogus.001');
    const table = await readFile(bogus);
    expect(table.scheme).toBe('none');
    expect(table.partitions).toEqual([]);
    expect(table.errors.at(-1)!.reason).toBe('no partition table and no recognised file system');
    if (haveMmls) expect(() => run('mmls', [bogus])).toThrow();
  });
});

describe('bare file systems (no partition table)', () => {
  it.skipIf(!hasTool('mkfs.vfat'))('a FAT volume image is one volume covering the media', async () => {
    const path = join(work, 'bare-fat.img');
    run('mkfs.vfat', ['-C', '-F', '16', path, '20480']);
    const table = await readFile(path);
    expect(table.scheme).toBe('none');
    expect(table.partitions).toEqual([
      { index: 0, start: 0, size: 20480 * 1024, type: 'fat', typeName: 'FAT', fileSystem: 'fat' },
    ]);
  });

  it.skipIf(!hasTool('mkntfs'))('an NTFS volume image is one volume covering the media', async () => {
    const path = join(work, 'bare-ntfs.img');
    writeFileSync(path, new Uint8Array(0));
    run('truncate', ['-s', '8M', path]);
    run('mkntfs', ['-q', '-F', '-f', path]);
    const table = await readFile(path);
    expect(table.scheme).toBe('none');
    expect(table.partitions[0]).toMatchObject({ start: 0, size: 8 * 1024 * 1024, fileSystem: 'ntfs' });
  });
});

describe('hostile tables', () => {
  it('reads a volume on media whose end cannot be read (truncated image): no throw', async () => {
    // A bare NTFS boot sector on media that fails every read past its first 64 KiB, as a
    // truncated fixed VHD does (go-ntfs charlie.dd): the GPT backup probe must not throw.
    const bytes = new Uint8Array(64 * 1024);
    bytes.set(new TextEncoder().encode('NTFS    '), 3);
    bytes[510] = 0x55;
    bytes[511] = 0xaa;
    const inner = new BufferReader(bytes, 'truncated');
    const media = {
      name: 'truncated',
      size: 1024 * 1024,
      read: (offset: number, length: number) => inner.read(offset, length),
      close: async () => {},
    };
    const table = await readPartitions(media);
    expect(table.scheme).toBe('none');
    expect(table.partitions[0]).toMatchObject({ start: 0, fileSystem: 'ntfs' });
  });

  it('stops an EBR chain that loops back on itself', async () => {
    const disk = new Uint8Array(512 * 200);
    writeEntries(disk, 0, [[0, 0x05, 10, 150]]);
    writeEntries(disk, 10, [
      [0, 0x83, 1, 10],
      [1, 0x05, 20, 50],
    ]);
    writeEntries(disk, 30, [
      [0, 0x83, 1, 10],
      [1, 0x05, 0, 50], // back to the first EBR
    ]);
    const table = await readPartitions(new BufferReader(disk));
    expect(table.partitions.filter((p) => !p.extended).map((p) => p.start / 512)).toEqual([11, 31]);
    expect(table.errors.map((e) => e.reason)).toEqual(['EBR chain loops back to an earlier EBR']);
    expect(table.errors[0]!.offset).toBe(10 * 512);
  });

  it('bounds a long EBR chain', async () => {
    const links = 300;
    const disk = new Uint8Array(512 * (links * 2 + 10));
    writeEntries(disk, 0, [[0, 0x0f, 2, links * 2 + 5]]);
    for (let link = 0; link < links; link += 1) {
      writeEntries(disk, 2 + link * 2, [
        [0, 0x0b, 1, 1],
        [1, 0x05, (link + 1) * 2, 2],
      ]);
    }
    const table = await readPartitions(new BufferReader(disk), { maxLogicalPartitions: 100 });
    expect(table.partitions.filter((p) => !p.extended)).toHaveLength(100);
    expect(table.errors.map((e) => e.reason)).toEqual(['EBR chain longer than 100 links: stopped']);
  });

  it('reports partitions past the end of the media and a broken EBR', async () => {
    const disk = new Uint8Array(512 * 100);
    writeEntries(disk, 0, [
      [0, 0x07, 1, 1000],
      [1, 0x05, 50, 40],
    ]);
    disk[50 * 512 + 446] = 0x12; // bad boot indicator in the EBR
    disk[50 * 512 + 510] = 0x55;
    disk[50 * 512 + 511] = 0xaa;
    const table = await readPartitions(new BufferReader(disk));
    expect(table.partitions.map((p) => p.index)).toEqual([0, 1]);
    expect(table.errors.map((e) => [e.structure, e.offset])).toEqual([
      ['master boot record', 446],
      ['extended boot record', 50 * 512 + 446],
    ]);
  });

  it('throws a FormatError for media smaller than a sector', async () => {
    await expect(readPartitions(new BufferReader(new Uint8Array(100)))).rejects.toBeInstanceOf(FormatError);
  });

  it('survives mutated MBR/EBR/GPT sectors (fixed seed): typed errors only, bounded time', async () => {
    let seed = 0x2003_0811;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 0x1_0000_0000;
    };
    const mbr = new Uint8Array(512 * 300);
    writeEntries(mbr, 0, [
      [0, 0x07, 1, 40],
      [1, 0x0f, 50, 240],
    ]);
    for (let link = 0; link < 5; link += 1) {
      writeEntries(mbr, 50 + link * 40, [
        [0, 0x0b, 1, 30],
        [1, 0x05, (link + 1) * 40, 40],
      ]);
    }
    const gpt = writeGptDisk(512, 200, [
      {
        typeGuid: '{C12A7328-F81F-11D2-BA4B-00A0C93EC93B}',
        uniqueGuid: '{01234567-89AB-CDEF-0123-456789ABCDEF}',
        firstLba: 40,
        lastLba: 100,
        name: 'EFI',
      },
    ]);
    const hot = (disk: Uint8Array) =>
      disk === gpt
        ? [446, 512, 1024, disk.length - 512]
        : [446, 50 * 512 + 446, 90 * 512 + 446, 130 * 512 + 446];
    const started = Date.now();
    for (let iteration = 0; iteration < 600; iteration += 1) {
      const original = iteration % 2 === 0 ? mbr : gpt;
      const disk = original.slice();
      const spots = hot(original);
      for (let flip = 0; flip < 1 + Math.floor(random() * 6); flip += 1) {
        const base = spots[Math.floor(random() * spots.length)]!;
        disk[base + Math.floor(random() * 96)] = Math.floor(random() * 256);
      }
      try {
        const table = await readPartitions(new BufferReader(disk));
        for (const partition of table.partitions) {
          expect(Number.isSafeInteger(partition.start)).toBe(true);
          expect(partition.size).toBeGreaterThanOrEqual(0);
        }
        for (const error of table.errors) expect(error).toBeInstanceOf(FormatError);
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
