import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferReader, FormatError } from '../io/index.js';
import { hasTool } from '../partitions/test-support/tools.js';
import { type FatEntry, openFat } from './index.js';
import { buildVolume } from './test-support/build-volume.js';

const haveTools = ['mkfs.vfat', 'mcopy', 'mmd', 'mdel', 'mdeltree', 'mattrib'].every(hasTool);
if (!haveTools) console.warn('dosfstools or mtools missing: hostile FAT tests skipped');
const work = mkdtempSync(join(tmpdir(), 'fat-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Opens, lists everything and reads the start of every file; only FormatError may escape. */
async function exercise(
  bytes: Uint8Array,
  withBodyfile = true,
): Promise<{ entries: FatEntry[]; errors: FormatError[] }> {
  const volume = await openFat(new BufferReader(bytes), { maxEntries: 5000 });
  const entries: FatEntry[] = [];
  for await (const entry of volume.entries()) entries.push(entry);
  for (const entry of entries.slice(0, 40)) {
    if (entry.isVolumeLabel) continue;
    try {
      const reader = await volume.openFile(entry);
      if (reader.size > 0) await reader.read(0, Math.min(reader.size, 8192));
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
    }
  }
  if (withBodyfile) {
    for await (const _line of volume.bodyfile()) {
      // bodyfile walks the same tree: it must end too
    }
  }
  for (const error of volume.errors) expect(error).toBeInstanceOf(FormatError);
  return { entries, errors: volume.errors };
}

describe.skipIf(!haveTools)('hostile FAT volumes (mutations of a real FAT16 volume)', () => {
  let original: Uint8Array;
  let layout: { fatOffset: number; rootOffset: number; dataOffset: number; clusterSize: number };

  beforeAll(() => {
    const built = buildVolume(work, 'hostile', 16, 20480);
    original = new Uint8Array(readFileSync(built.path));
    const view = new DataView(original.buffer, original.byteOffset);
    const bytesPerSector = view.getUint16(11, true);
    const reserved = view.getUint16(14, true);
    const fats = original[16]!;
    const fatSize = view.getUint16(22, true);
    const rootEntries = view.getUint16(17, true);
    const fatOffset = reserved * bytesPerSector;
    const rootOffset = fatOffset + fats * fatSize * bytesPerSector;
    layout = {
      fatOffset,
      rootOffset,
      dataOffset: rootOffset + rootEntries * 32,
      clusterSize: original[13]! * bytesPerSector,
    };
  });

  const setFat16 = (bytes: Uint8Array, cluster: number, value: number) => {
    new DataView(bytes.buffer, bytes.byteOffset).setUint16(layout.fatOffset + cluster * 2, value, true);
  };

  it('a FAT chain that loops is cut with an error, without hanging', async () => {
    const bytes = original.slice();
    const volume = await openFat(new BufferReader(bytes));
    const entry = (await volume.lookup('/WINDOWS/system32/wins/svchost.exe'))!;
    setFat16(bytes, entry.startCluster + 1, entry.startCluster); // second cluster points back to the first
    const reader = await volume.openFile(entry);
    expect(reader.size).toBe(2 * layout.clusterSize);
    expect(volume.errors.map((e) => e.reason).join('\n')).toMatch(/loops back to cluster/);
    expect(volume.errors[0]!.offset).toBe(layout.fatOffset + (entry.startCluster + 1) * 2);
  });

  it('free and bad clusters inside a chain are recorded as errors', async () => {
    for (const [value, reason] of [
      [0x0000, /links to a free entry/],
      [0xfff7, /is marked bad/],
      [0x0001, /invalid value/],
    ] as const) {
      const bytes = original.slice();
      const volume = await openFat(new BufferReader(bytes));
      const entry = (await volume.lookup('/WINDOWS/system32/msblast.exe'))!;
      setFat16(bytes, entry.startCluster, value);
      const reader = await volume.openFile(entry);
      expect(reader.size).toBe(layout.clusterSize);
      expect(volume.errors[0]!.reason).toMatch(reason);
      expect(volume.errors[0]).toBeInstanceOf(FormatError);
    }
  });

  it('a directory that points at an ancestor is not entered twice', async () => {
    const bytes = original.slice();
    const volume = await openFat(new BufferReader(bytes));
    const windows = (await volume.lookup('/WINDOWS'))!;
    const system32 = (await volume.lookup('/WINDOWS/system32'))!;
    // system32's entry now starts at the WINDOWS cluster: WINDOWS/system32 == WINDOWS.
    new DataView(bytes.buffer, bytes.byteOffset).setUint16(
      system32.entryOffset + 26,
      windows.startCluster,
      true,
    );
    const { entries, errors } = await exercise(bytes);
    expect(errors.some((e) => /loop/.test(e.reason))).toBe(true);
    expect(entries.length).toBeLessThan(400);
  });

  it('absurd BPB values give a typed error or a volume whose errors are typed', async () => {
    const cases: Array<(view: DataView, bytes: Uint8Array) => void> = [
      (view) => view.setUint16(11, 3, true), // bytes per sector
      (_view, bytes) => {
        bytes[13] = 3; // sectors per cluster not a power of two
      },
      (view) => {
        view.setUint16(19, 0, true);
        view.setUint32(32, 0xffffffff, true); // 2 TiB volume in a 20 MiB image
      },
      (view) => view.setUint16(22, 0xffff, true), // FAT bigger than the volume
      (view) => view.setUint16(17, 0xffff, true), // huge root directory
      (_view, bytes) => {
        bytes[16] = 0; // no FAT
      },
    ];
    for (const mutate of cases) {
      const bytes = original.slice();
      mutate(new DataView(bytes.buffer, bytes.byteOffset), bytes);
      try {
        await exercise(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        expect((error as FormatError).format).toBe('fat');
      }
    }
  });

  it('a truncated image opens with an error and lists what it can', async () => {
    const { errors } = await exercise(original.slice(0, Math.floor(original.length / 2)));
    expect(errors[0]!.reason).toMatch(/larger than the media/);
  });

  it('zeroed and random boot sectors are rejected with a FormatError', async () => {
    const zeroed = original.slice();
    zeroed.fill(0, 0, 512);
    await expect(openFat(new BufferReader(zeroed))).rejects.toBeInstanceOf(FormatError);
    await expect(openFat(new BufferReader(new Uint8Array(100)))).rejects.toBeInstanceOf(FormatError);
  });

  it('survives random mutations of boot sector, FAT, directories (fixed seed, bounded time)', async () => {
    let seed = 0x5a17_2003;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 0x1_0000_0000;
    };
    const regions = [
      [0, 64],
      [layout.fatOffset, 1024],
      [layout.rootOffset, 512],
      [layout.dataOffset, layout.clusterSize * 16],
    ] as const;
    const started = Date.now();
    let opened = 0;
    for (let iteration = 0; iteration < 120; iteration += 1) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(random() * 12);
      for (let flip = 0; flip < flips; flip += 1) {
        const [start, length] = regions[Math.floor(random() * regions.length)]!;
        bytes[start + Math.floor(random() * length)] = Math.floor(random() * 256);
      }
      try {
        await exercise(bytes, iteration % 10 === 0);
        opened += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }
    expect(opened).toBeGreaterThan(50);
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
