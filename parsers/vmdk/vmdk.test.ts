import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../io/format-error.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { xorshift32 } from '../io/test-support/random.js';
import { detectVmdk, openVmdk, parseDescriptor } from './index.js';

const hasQemu = ['qemu-img', 'qemu-io'].every(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0,
);
if (!hasQemu) console.warn('vmdk qemu tests skipped: qemu-img/qemu-io (qemu-utils) not installed');
const dir = mkdtempSync(join(tmpdir(), 'vmdk-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** 6 MiB: random, zero and text runs of 192 KiB (crossing 64 KiB grains unevenly). */
const media = (() => {
  const random = xorshift32(11);
  const bytes = new Uint8Array(6 * 1024 * 1024);
  for (let start = 0; start < bytes.length; start += 192 * 1024) {
    const kind = Math.floor(random() * 3);
    if (kind === 0) continue;
    for (let index = start; index < start + 192 * 1024; index += 1) {
      bytes[index] = kind === 1 ? Math.floor(random() * 256) : 97 + (index % 23);
    }
  }
  return bytes;
})();
const rawPath = join(dir, 'media.raw');

function run(tool: string, args: string[]): void {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${result.stderr}`);
}

function qemuRaw(path: string): Buffer {
  const out = join(dir, `back-${Math.random().toString(36).slice(2)}.raw`);
  run('qemu-img', ['convert', '-f', 'vmdk', '-O', 'raw', path, out]);
  return readFileSync(out);
}

describe('descriptor', () => {
  it('parses extent lines and keys', () => {
    const descriptor = parseDescriptor(
      [
        '# Disk DescriptorFile',
        'version=1',
        'CID=12345678',
        'parentCID=ffffffff',
        'createType="twoGbMaxExtentSparse"',
        'RW 4192256 SPARSE "disk-s001.vmdk"',
        'RDONLY 2048 FLAT "disk-flat.vmdk" 128',
        'RW 100 ZERO',
        'ddb.adapterType = "ide"',
      ].join('\n'),
      'x.vmdk',
    );
    expect(descriptor.createType).toBe('twoGbMaxExtentSparse');
    expect(descriptor.extents).toEqual([
      { access: 'RW', sectors: 4192256, type: 'SPARSE', file: 'disk-s001.vmdk', offset: 0 },
      { access: 'RDONLY', sectors: 2048, type: 'FLAT', file: 'disk-flat.vmdk', offset: 128 },
      { access: 'RW', sectors: 100, type: 'ZERO', offset: 0 },
    ]);
    expect(descriptor.ddb.adapterType).toBe('ide');
  });
});

describe.skipIf(!hasQemu)('VMDK made by qemu-img', () => {
  beforeAll(() => {
    writeFileSync(rawPath, media);
    for (const subformat of [
      'monolithicSparse',
      'twoGbMaxExtentSparse',
      'monolithicFlat',
      'streamOptimized',
    ]) {
      run('qemu-img', [
        'convert',
        '-f',
        'raw',
        '-O',
        'vmdk',
        '-o',
        `subformat=${subformat}`,
        rawPath,
        join(dir, `${subformat}.vmdk`),
      ]);
    }
  });

  for (const subformat of ['monolithicSparse', 'twoGbMaxExtentSparse', 'monolithicFlat', 'streamOptimized']) {
    it(`reads ${subformat} byte for byte`, async () => {
      const path = join(dir, `${subformat}.vmdk`);
      expect(detectVmdk(readFileSync(path).subarray(0, 4096), path)).toBe(true);
      const image = await openVmdk(path, { cacheGrains: 2, cacheTables: 2 });
      expect(image.info.createType).toBe(subformat);
      expect(image.size).toBe(media.length);
      const ours = await image.read(0, image.size);
      expect(sha256(ours)).toBe(sha256(media));
      expect(sha256(ours)).toBe(sha256(qemuRaw(path)));
      const random = xorshift32(3);
      for (let round = 0; round < 50; round += 1) {
        const offset = Math.floor(random() * image.size);
        const length = Math.min(image.size - offset, Math.floor(random() * 200_000));
        const got = Buffer.from(await image.read(offset, length));
        expect(got.equals(Buffer.from(media.subarray(offset, offset + length)))).toBe(true);
      }
      await image.close();
    });
  }

  it('lists the extent files of split and flat disks', async () => {
    const split = await openVmdk(join(dir, 'twoGbMaxExtentSparse.vmdk'));
    expect(split.info.extents.map((extent) => extent.type)).toEqual(['SPARSE']);
    expect(split.info.extents[0]!.file).toBe('twoGbMaxExtentSparse-s001.vmdk');
    await split.close();
    const flat = await openVmdk(join(dir, 'monolithicFlat.vmdk'));
    expect(flat.info.extents).toEqual([
      { type: 'FLAT', sectors: media.length / 512, file: 'monolithicFlat-flat.vmdk' },
    ]);
    await flat.close();
  });

  it('reads a child disk through its parent (qemu-img create -b, qemu-io write)', async () => {
    const parent = join(dir, 'monolithicSparse.vmdk');
    const child = join(dir, 'child.vmdk');
    run('qemu-img', ['create', '-f', 'vmdk', '-b', parent, '-F', 'vmdk', child]);
    run('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x5a 1000000 70000', child]);
    const expected = Uint8Array.from(media);
    expected.fill(0x5a, 1000000, 1070000);
    const image = await openVmdk(child);
    expect(image.info.parentPath).toBe(parent);
    expect(sha256(await image.read(0, image.size))).toBe(sha256(expected));
    expect(sha256(qemuRaw(child))).toBe(sha256(expected));
    await image.close();
  });

  it('reports a missing extent file', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'vmdk-missing-'));
    try {
      writeFileSync(join(sub, 'monolithicFlat.vmdk'), readFileSync(join(dir, 'monolithicFlat.vmdk')));
      await expect(openVmdk(join(sub, 'monolithicFlat.vmdk'))).rejects.toThrow(
        /extent file "monolithicFlat-flat.vmdk" is missing/,
      );
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('falls back to the redundant grain directory when the primary one is unreadable', async () => {
    const bytes = readFileSync(join(dir, 'monolithicSparse.vmdk'));
    expect(bytes.readUInt32LE(8) & 0x2).toBe(0x2);
    bytes.writeBigUInt64LE(2n ** 40n, 56); // gdOffset far past the end
    writeFileSync(join(dir, 'nogd.vmdk'), bytes);
    const image = await openVmdk(join(dir, 'nogd.vmdk'));
    expect(sha256(await image.read(0, image.size))).toBe(sha256(media));
    await image.close();
  });

  it('crafted header sizes fail fast with typed errors', async () => {
    const original = readFileSync(join(dir, 'monolithicSparse.vmdk'));
    const cases: [string, (bytes: Buffer) => void, RegExp][] = [
      [
        'capacity of 2^40 sectors',
        (bytes) => bytes.writeBigUInt64LE(2n ** 40n, 12),
        /cannot fit|past the end|too large/,
      ],
      ['grain size 3 sectors', (bytes) => bytes.writeBigUInt64LE(3n, 20), /impossible grain size/],
      ['no grain table entries', (bytes) => bytes.writeUInt32LE(0, 44), /impossible 0 entries/],
      [
        'compression 7',
        (bytes) => {
          bytes.writeUInt32LE(bytes.readUInt32LE(8) | 0x10000, 8);
          bytes.writeUInt16LE(7, 77);
        },
        /unknown compression 7/,
      ],
    ];
    for (const [name, mutate, expected] of cases) {
      const bytes = Buffer.from(original);
      mutate(bytes);
      // Without the embedded descriptor the header alone decides the disk size.
      bytes.writeBigUInt64LE(0n, 28);
      writeFileSync(join(dir, 'crafted.vmdk'), bytes);
      await expect(openVmdk(join(dir, 'crafted.vmdk')), name).rejects.toThrow(expected);
    }
  });

  it('survives mutated headers, grain directories and grain tables: typed errors only', async () => {
    for (const subformat of ['monolithicSparse', 'streamOptimized']) {
      const original = readFileSync(join(dir, `${subformat}.vmdk`));
      const random = xorshift32(subformat.length);
      for (let round = 0; round < 25; round += 1) {
        const bytes = Buffer.from(original);
        for (let m = 0; m < 6; m += 1) {
          // Header, descriptor and the metadata right after it (grain directory and tables),
          // or the footer of a stream-optimized file.
          const at =
            random() < 0.7
              ? Math.floor(random() * Math.min(bytes.length, 128 * 1024))
              : bytes.length - 1 - Math.floor(random() * 1024);
          bytes[at] = Math.floor(random() * 256);
        }
        writeFileSync(join(dir, 'fuzz.vmdk'), bytes);
        try {
          const image = await openVmdk(join(dir, 'fuzz.vmdk'));
          const limit = Math.min(image.size, 8 * 1024 * 1024);
          for (let offset = 0; offset < limit; offset += 1024 * 1024) {
            await image.read(offset, Math.min(1024 * 1024, limit - offset)).catch((error: unknown) => {
              expect(error).toBeInstanceOf(FormatError);
            });
          }
          await image.close();
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }
    }
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });
});

const corpus = skipUnlessCorpus('vmdk corpus test', 'image/log2timeline_plaso__image.vmdk');

describe.skipIf(corpus.skip || !hasQemu)('corpus: plaso image.vmdk', () => {
  it('reads every byte as qemu-img convert and img_cat do (the file was renamed from image.vmdk)', async () => {
    const corpusVmdk = await openCorpusFile('image/log2timeline_plaso__image.vmdk');
    const image = await openVmdk(corpusVmdk);
    expect(image.info.extents).toEqual([{ type: 'SPARSE', sectors: image.size / 512, file: 'image.vmdk' }]);
    const ours = await image.read(0, image.size);
    expect(sha256(ours)).toBe(sha256(qemuRaw(corpusVmdk)));
    // libvmdk (img_cat) follows the embedded descriptor's extent name, so it needs the original
    // name back; under the corpus name it cannot open the file (we, like qemu, read it).
    const renamed = join(dir, 'image.vmdk');
    writeFileSync(renamed, readFileSync(corpusVmdk));
    const imgCat = spawnSync('img_cat', ['-i', 'vmdk', renamed], { maxBuffer: 256 * 1024 * 1024 });
    if (imgCat.status === 0) expect(sha256(ours)).toBe(sha256(imgCat.stdout));
    else console.warn('img_cat could not read image.vmdk; compared with qemu-img only');
    await image.close();
  });
});
