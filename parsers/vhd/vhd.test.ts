import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../io/format-error.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { xorshift32 } from '../io/test-support/random.js';
import { crc32c, detectVhd, detectVhdx, openVhd, openVhdx } from './index.js';
import { writeVhd } from './test-vhd-writer.js';
import { writeLogEntry } from './test-vhdx-log-writer.js';

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-img']).status === 0;
if (!hasQemu) console.warn('vhd/vhdx qemu tests skipped: qemu-img (qemu-utils) not installed');
const dir = mkdtempSync(join(tmpdir(), 'vhd-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** 8 MiB of media: random runs, zero runs (left sparse by qemu) and text. */
function makeMedia(): Uint8Array {
  const random = xorshift32(5);
  const media = new Uint8Array(8 * 1024 * 1024);
  for (let start = 0; start < media.length; start += 256 * 1024) {
    const kind = Math.floor(random() * 3);
    if (kind === 0) continue;
    for (let index = start; index < start + 256 * 1024; index += 1) {
      media[index] = kind === 1 ? Math.floor(random() * 256) : 65 + (index % 26);
    }
  }
  return media;
}

const media = makeMedia();
const rawPath = join(dir, 'media.raw');

function qemu(args: string[]): void {
  const result = spawnSync('qemu-img', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`qemu-img ${args.join(' ')}: ${result.stderr}`);
}

function qemuRaw(path: string, format: string): Buffer {
  const out = join(dir, `back-${Math.random().toString(36).slice(2)}.raw`);
  qemu(['convert', '-f', format, '-O', 'raw', path, out]);
  return readFileSync(out);
}

it('computes CRC-32C (Castagnoli check value)', () => {
  expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
});

describe.skipIf(!hasQemu)('VHD made by qemu-img', () => {
  beforeAll(() => {
    writeFileSync(rawPath, media);
    qemu(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', rawPath, join(dir, 'dynamic.vhd')]);
    qemu([
      'convert',
      '-f',
      'raw',
      '-O',
      'vpc',
      '-o',
      'subformat=fixed,force_size=on',
      rawPath,
      join(dir, 'fixed.vhd'),
    ]);
  });

  for (const kind of ['dynamic', 'fixed'] as const) {
    it(`reads a ${kind} VHD byte for byte`, async () => {
      const path = join(dir, `${kind}.vhd`);
      expect(detectVhd(readFileSync(path).subarray(0, 512), path) || kind === 'fixed').toBe(true);
      const image = await openVhd(path);
      expect(image.info.diskType).toBe(kind);
      expect(image.size).toBe(media.length);
      expect(image.warnings).toEqual([]);
      const ours = await image.read(0, image.size);
      expect(sha256(ours)).toBe(sha256(media));
      expect(sha256(ours)).toBe(sha256(qemuRaw(path, 'vpc')));
      // Unaligned reads across block boundaries.
      const at = 2 * 1024 * 1024 - 1000;
      expect(Buffer.from(await image.read(at, 3000)).equals(Buffer.from(media.subarray(at, at + 3000)))).toBe(
        true,
      );
      await expect(image.read(image.size - 1, 2)).rejects.toBeInstanceOf(FormatError);
      await image.close();
    });
  }

  it('reports a damaged footer (falls back to the copy) and a damaged header checksum', async () => {
    const bytes = readFileSync(join(dir, 'dynamic.vhd'));
    bytes[bytes.length - 512 + 30] = bytes[bytes.length - 512 + 30]! ^ 1;
    writeFileSync(join(dir, 'footer.vhd'), bytes);
    const image = await openVhd(join(dir, 'footer.vhd'));
    expect(image.warnings.map((w) => w.structure)).toEqual(['footer']);
    expect(sha256(await image.read(0, image.size))).toBe(sha256(media));
    await image.close();
  });

  it('crafted sizes fail fast with typed errors, without large allocations', async () => {
    const original = readFileSync(join(dir, 'dynamic.vhd'));
    const reseal = (bytes: Buffer, start: number, size: number, checksumAt: number): void => {
      bytes.writeUInt32BE(0, start + checksumAt);
      let sum = 0;
      for (let index = start; index < start + size; index += 1) sum += bytes[index]!;
      bytes.writeUInt32BE(~sum >>> 0, start + checksumAt);
    };
    const cases: [string, (bytes: Buffer) => void, RegExp][] = [
      [
        'a 1 PiB disk',
        (bytes) => {
          for (const at of [0, bytes.length - 512]) {
            bytes.writeBigUInt64BE(2n ** 50n, at + 48);
            reseal(bytes, at, 512, 64);
          }
        },
        /cannot cover|past the end/,
      ],
      [
        'a block size of 1 GiB',
        (bytes) => {
          bytes.writeUInt32BE(2 ** 30, 512 + 32);
          reseal(bytes, 512, 1024, 36);
        },
        /impossible block size/,
      ],
    ];
    for (const [name, mutate, expected] of cases) {
      const bytes = Buffer.from(original);
      mutate(bytes);
      writeFileSync(join(dir, 'crafted.vhd'), bytes);
      const before = process.memoryUsage().rss;
      await expect(openVhd(join(dir, 'crafted.vhd')), name).rejects.toThrow(expected);
      expect(process.memoryUsage().rss - before, name).toBeLessThan(64 * 1024 * 1024);
    }
  });

  it('survives mutated footers, headers and BATs: typed errors only', async () => {
    const original = readFileSync(join(dir, 'dynamic.vhd'));
    const random = xorshift32(77);
    for (let round = 0; round < 60; round += 1) {
      const bytes = Buffer.from(original);
      for (let m = 0; m < 4; m += 1) {
        const region = Math.floor(random() * 3);
        const at =
          region === 0
            ? Math.floor(random() * 2048) // footer copy, dynamic header
            : region === 1
              ? 1536 + Math.floor(random() * 64) // BAT
              : bytes.length - 512 + Math.floor(random() * 512); // footer
        bytes[at] = Math.floor(random() * 256);
      }
      writeFileSync(join(dir, 'fuzz.vhd'), bytes);
      try {
        const image = await openVhd(join(dir, 'fuzz.vhd'));
        for (let offset = 0; offset < Math.min(image.size, 16 * 1024 * 1024); offset += 1024 * 1024) {
          await image.read(offset, Math.min(1024 * 1024, image.size - offset)).catch((error: unknown) => {
            expect(error).toBeInstanceOf(FormatError);
          });
        }
        await image.close();
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }
  });
});

describe('differencing VHD (written by the test writer: qemu-img cannot create one)', () => {
  const size = 4 * 1024 * 1024;
  const blockSize = 512 * 1024;
  const parentMedia = new Uint8Array(size).map((_, index) => (index * 7) & 0xff);
  const parentId = new Uint8Array(16).fill(0xab);
  const childSectors = new Map<number, Uint8Array>();
  const expected = Uint8Array.from(parentMedia);
  for (const sector of [0, 1, 5, 1023, 1024, 1030, 4000, 8191]) {
    const data = new Uint8Array(512).fill((sector & 0xff) ^ 0x5a);
    childSectors.set(sector, data);
    expected.set(data, sector * 512);
  }

  beforeAll(() => {
    const all = new Map<number, Uint8Array>();
    for (let sector = 0; sector < size / 512; sector += 1) {
      all.set(sector, parentMedia.subarray(sector * 512, sector * 512 + 512));
    }
    writeFileSync(join(dir, 'base.vhd'), writeVhd({ size, blockSize, sectors: all, uniqueId: parentId }));
    writeFileSync(
      join(dir, 'child.vhd'),
      writeVhd({
        size,
        blockSize,
        sectors: childSectors,
        uniqueId: new Uint8Array(16).fill(0xcd),
        parent: { uniqueId: parentId, name: 'base.vhd' },
      }),
    );
  });

  it('reads child sectors from the child and the rest from the parent found beside it', async () => {
    const image = await openVhd(join(dir, 'child.vhd'));
    expect(image.info).toMatchObject({ diskType: 'differencing', parentName: 'base.vhd' });
    expect(image.info.parentPath).toBe(join(dir, 'base.vhd'));
    expect(image.warnings).toEqual([]);
    expect(sha256(await image.read(0, size))).toBe(sha256(expected));
    expect(
      Buffer.from(await image.read(1023 * 512 + 100, 1000)).equals(
        Buffer.from(expected.subarray(1023 * 512 + 100, 1023 * 512 + 1100)),
      ),
    ).toBe(true);
    await image.close();
  });

  it('the parent image read through qemu-img equals our parent media', () => {
    if (!hasQemu) return;
    expect(sha256(qemuRaw(join(dir, 'base.vhd'), 'vpc'))).toBe(sha256(parentMedia));
  });

  it('names the missing parent clearly', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'vhd-orphan-'));
    try {
      writeFileSync(join(copy, 'child.vhd'), readFileSync(join(dir, 'child.vhd')));
      await expect(openVhd(join(copy, 'child.vhd'))).rejects.toThrow(/parent "base.vhd" not found/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasQemu)('VHDX made by qemu-img', () => {
  beforeAll(() => {
    writeFileSync(rawPath, media);
    qemu(['convert', '-f', 'raw', '-O', 'vhdx', rawPath, join(dir, 'dynamic.vhdx')]);
    qemu(['convert', '-f', 'raw', '-O', 'vhdx', '-o', 'subformat=fixed', rawPath, join(dir, 'fixed.vhdx')]);
    qemu([
      'convert',
      '-f',
      'raw',
      '-O',
      'vhdx',
      '-o',
      'block_size=1M,block_state_zero=off',
      rawPath,
      join(dir, 'small.vhdx'),
    ]);
  });

  for (const name of ['dynamic', 'fixed', 'small']) {
    it(`reads ${name}.vhdx byte for byte`, async () => {
      const path = join(dir, `${name}.vhdx`);
      expect(detectVhdx(readFileSync(path).subarray(0, 8), path)).toBe(true);
      const image = await openVhdx(path);
      expect(image.size).toBe(media.length);
      expect(image.info.logicalSectorSize).toBe(512);
      expect(image.info.chunkRatio).toBe((2 ** 23 * 512) / image.info.blockSize);
      const ours = await image.read(0, image.size);
      expect(sha256(ours)).toBe(sha256(media));
      expect(sha256(ours)).toBe(sha256(qemuRaw(path, 'vhdx')));
      await image.close();
    });
  }

  it('uses the other header when one is damaged, and refuses a log GUID without a log', async () => {
    const bytes = readFileSync(join(dir, 'dynamic.vhdx'));
    const damaged = Buffer.from(bytes);
    damaged[64 * 1024 + 100] = damaged[64 * 1024 + 100]! ^ 0xff;
    damaged[128 * 1024 + 100] = damaged[128 * 1024 + 100]! ^ 0xff;
    writeFileSync(join(dir, 'noheader.vhdx'), damaged);
    await expect(openVhdx(join(dir, 'noheader.vhdx'))).rejects.toThrow(/no valid header/);
    const one = Buffer.from(bytes);
    one[64 * 1024 + 100] = one[64 * 1024 + 100]! ^ 0xff;
    writeFileSync(join(dir, 'oneheader.vhdx'), one);
    const image = await openVhdx(join(dir, 'oneheader.vhdx'));
    expect(image.warnings.length).toBeGreaterThanOrEqual(0);
    expect(sha256(await image.read(0, image.size))).toBe(sha256(media));
    await image.close();
    // A log GUID with no valid log behind it: the image cannot be read as it stands.
    const logged = Buffer.from(bytes);
    for (const offset of [64 * 1024, 128 * 1024]) {
      logged.fill(0x11, offset + 48, offset + 64);
      logged.writeUInt32LE(0, offset + 4);
      logged.writeUInt32LE(crc32c(logged.subarray(offset, offset + 4096)), offset + 4);
    }
    writeFileSync(join(dir, 'logged.vhdx'), logged);
    await expect(openVhdx(join(dir, 'logged.vhdx'))).rejects.toThrow(
      /needs log replay .* no valid log sequence/,
    );
  });

  it('replays a pending log in memory, as qemu-img check -r all does on a copy, never writing', async () => {
    // 4 MiB of data then 4 MiB of zeros, 1 MiB blocks: blocks 4-7 are not present.
    const half = 4 * 1024 * 1024;
    const base = new Uint8Array(2 * half);
    base.set(media.subarray(0, half));
    writeFileSync(join(dir, 'half.raw'), base);
    qemu([
      'convert',
      '-f',
      'raw',
      '-O',
      'vhdx',
      '-o',
      'block_size=1M',
      join(dir, 'half.raw'),
      join(dir, 'half.vhdx'),
    ]);
    const clean = await openVhdx(join(dir, 'half.vhdx'));
    expect(clean.info.blockSize).toBe(1024 * 1024);
    await clean.close();
    const file = readFileSync(join(dir, 'half.vhdx'));
    const logOffset = Number(file.readBigUInt64LE(64 * 1024 + 72));
    // Region table entry for the BAT: find its GUID's bytes (2DC27766-F623-4200-9D64-115E9BFD4A08).
    const batGuid = Buffer.from('6677c22d23f600429d64115e9bfd4a08', 'hex');
    const regionAt = file.indexOf(batGuid, 192 * 1024);
    const batOffset = Number(file.readBigUInt64LE(regionAt + 16));
    // Block 5 gets allocated at the next MiB past the end; its BAT entry (index 5) changes.
    const newBlock = Math.ceil(file.length / (1024 * 1024)) * 1024 * 1024;
    const batPage = Buffer.from(file.subarray(batOffset, batOffset + 4096));
    batPage.writeBigUInt64LE((BigInt(newBlock / (1024 * 1024)) << 20n) | 6n, 5 * 8);
    const pageA = new Uint8Array(4096).fill(0xc3);
    const pageB = new Uint8Array(4096).map((_, index) => index & 0xff);
    // Zero 8 KiB inside block 1 (present, holding data) at its file offset.
    const block1 = Number(file.readBigUInt64LE(batOffset + 8) >> 20n) * 1024 * 1024;
    const logged = writeLogEntry(file, {
      logOffset,
      sequence: 7n,
      logGuid: new Uint8Array(16).fill(0x42),
      flushedFileOffset: file.length,
      lastFileOffset: newBlock + 1024 * 1024,
      operations: [
        { kind: 'data', fileOffset: batOffset, page: batPage },
        { kind: 'data', fileOffset: newBlock, page: pageA },
        { kind: 'data', fileOffset: newBlock + 4096, page: pageB },
        { kind: 'zero', fileOffset: block1 + 65536, length: 8192 },
      ],
    });
    // As a real writer does, the new block's space is already in the file (qemu-img does not
    // extend a file to the entry's last file offset when it replays).
    const extended = Buffer.concat([logged, Buffer.alloc(newBlock + 1024 * 1024 - logged.length)]);
    const path = join(dir, 'pending.vhdx');
    writeFileSync(path, extended);
    const expected = Uint8Array.from(base);
    expected.set(pageA, 5 * 1024 * 1024);
    expected.set(pageB, 5 * 1024 * 1024 + 4096);
    expected.fill(0, 1024 * 1024 + 65536, 1024 * 1024 + 65536 + 8192);
    const before = sha256(readFileSync(path));
    const image = await openVhdx(path);
    expect(image.info.logReplayed).toBe(true);
    expect(image.warnings.map((warning) => warning.structure)).toContain('log');
    expect(sha256(await image.read(0, image.size))).toBe(sha256(expected));
    await image.close();
    expect(sha256(readFileSync(path))).toBe(before);
    // qemu replays the log when it opens a copy read-write.
    writeFileSync(join(dir, 'replayed.vhdx'), extended);
    spawnSync('qemu-img', ['check', '-r', 'all', join(dir, 'replayed.vhdx')]);
    expect(sha256(qemuRaw(join(dir, 'replayed.vhdx'), 'vhdx'))).toBe(sha256(expected));
    // Damaged log entries (the entry is 4 sectors): typed errors, never a partial replay.
    const random = xorshift32(8);
    for (let round = 0; round < 30; round += 1) {
      const bytes = Buffer.from(extended);
      const at = logOffset + Math.floor(random() * 4 * 4096);
      bytes[at] = bytes[at]! ^ (1 + Math.floor(random() * 255));
      writeFileSync(join(dir, 'badlog.vhdx'), bytes);
      await expect(openVhdx(join(dir, 'badlog.vhdx'))).rejects.toThrow(/needs log replay/);
    }
  });

  it('survives mutated headers, region tables, metadata and BAT: typed errors only', async () => {
    const original = readFileSync(join(dir, 'dynamic.vhdx'));
    const random = xorshift32(31);
    const bat = original.indexOf(Buffer.from('metadata', 'latin1'));
    for (let round = 0; round < 60; round += 1) {
      const bytes = Buffer.from(original);
      for (let m = 0; m < 6; m += 1) {
        const targets = [64 * 1024, 128 * 1024, 192 * 1024, 256 * 1024, bat, 1024 * 1024];
        const base = targets[Math.floor(random() * targets.length)]!;
        bytes[base + Math.floor(random() * 256)] = Math.floor(random() * 256);
      }
      // Re-seal the CRCs half of the time so that the mutations reach the parsers behind them.
      if (random() < 0.5) {
        for (const [offset, size] of [
          [64 * 1024, 4096],
          [128 * 1024, 4096],
          [192 * 1024, 65536],
          [256 * 1024, 65536],
        ] as const) {
          bytes.writeUInt32LE(0, offset + 4);
          bytes.writeUInt32LE(crc32c(bytes.subarray(offset, offset + size)), offset + 4);
        }
      }
      writeFileSync(join(dir, 'fuzz.vhdx'), bytes);
      try {
        const image = await openVhdx(join(dir, 'fuzz.vhdx'));
        for (let offset = 0; offset < Math.min(image.size, 64 * 1024 * 1024); offset += 4 * 1024 * 1024) {
          await image.read(offset, Math.min(4 * 1024 * 1024, image.size - offset)).catch((error: unknown) => {
            expect(error).toBeInstanceOf(FormatError);
          });
        }
        await image.close();
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }
  });
});

const corpusVhd = 'image/log2timeline_dfvfs__image.vhd.gz';
const hasImgCat: boolean = spawnSync('sh', ['-c', 'command -v img_cat']).status === 0;
if (!hasImgCat) console.warn('vhd corpus tests skipped: img_cat absent');
const vhdCorpus = skipUnlessCorpus('vhd corpus test', corpusVhd);

describe.skipIf(vhdCorpus.skip || !hasImgCat)('corpus: dfvfs image.vhd', () => {
  it('reads every byte as img_cat (libvhdi) does, reporting the bad footer checksum', async () => {
    const path = await openCorpusFile(corpusVhd);
    const image = await openVhd(path);
    const ours = await image.read(0, image.size);
    const reference = spawnSync('img_cat', [path], { maxBuffer: 64 * 1024 * 1024 }).stdout;
    expect(ours.length).toBe(reference.length);
    expect(sha256(ours)).toBe(sha256(reference));
    // The file's footer checksum is wrong: qemu-img refuses the file ("Incorrect header
    // checksum"); libvhdi and we read it, and we say why it is suspect.
    expect(image.warnings.map((warning) => `${warning.structure}: ${warning.reason}`)).toEqual([
      'footer: checksum mismatch',
    ]);
    if (hasQemu) expect(() => qemuRaw(path, 'vpc')).toThrow(/checksum/);
    await image.close();
  });
});

const corpusCharlie = 'image/Velocidex_go-ntfs__charlie.dd.gz';
const charlieCorpus = skipUnlessCorpus('vhd corpus test on charlie.dd', corpusCharlie);
describe.skipIf(charlieCorpus.skip || !hasImgCat)(
  'corpus: go-ntfs charlie.dd (a fixed VHD named .dd)',
  () => {
    it('is detected by its footer, reported truncated, and reads as img_cat (libvhdi) reads it', async () => {
      const path = await openCorpusFile(corpusCharlie);
      const bytes = readFileSync(path);
      expect(detectVhd(bytes.subarray(0, 512), path)).toBe(false);
      expect(detectVhd(bytes.subarray(0, 512), path, bytes.subarray(bytes.length - 512))).toBe(true);
      const image = await openVhd(path);
      expect(image.info.diskType).toBe('fixed');
      // The footer declares 40 MiB but the file holds 64 KiB less data: the test image was cut.
      const data = bytes.length - 512;
      expect(image.size).toBe(40 * 1024 * 1024);
      expect(image.warnings.map((warning) => warning.reason)).toEqual([
        `fixed disk of ${40 * 1024 * 1024} bytes, but only ${data} bytes of data: truncated`,
      ]);
      // img_cat prints the data, then fails reading past it, as we do.
      const imgCat = spawnSync('img_cat', [path], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' });
      expect(imgCat.stderr.toString()).toMatch(new RegExp(`offset: ${data}`));
      expect(imgCat.stdout.length).toBe(data);
      expect(sha256(await image.read(0, data))).toBe(sha256(imgCat.stdout));
      await expect(image.read(data - 512, 1024)).rejects.toThrow(/truncated/);
      await image.close();
    });
  },
);
