import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../io/format-error.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { detectRaw, findRawSegments, openRaw, splitScheme } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'raw-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasSplit = spawnSync('sh', ['-c', 'command -v split']).status === 0;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('split scheme', () => {
  it('recognises numeric and alphabetic suffixes', () => {
    expect(splitScheme('disk.001')).toEqual({ kind: 'numeric', stem: 'disk.', width: 3, first: 1 });
    expect(splitScheme('disk.raw.000')).toEqual({ kind: 'numeric', stem: 'disk.raw.', width: 3, first: 0 });
    expect(splitScheme('part.aa')).toEqual({ kind: 'alphabetic', stem: 'part.', width: 2, upper: false });
    expect(splitScheme('disk.dd')).toEqual({ kind: 'single' });
    expect(detectRaw(new Uint8Array(0), '/x/disk.001')).toBe(true);
    expect(detectRaw(new Uint8Array(0), '/x/disk.E01')).toBe(false);
  });
});

describe.skipIf(!hasSplit)('split raw made by split -b', () => {
  const media = randomBytes(5 * 65536 + 1234);
  const expected = sha256(media);

  it('reads numeric segments (split -d -a 3 --numeric-suffixes=1) as one medium', async () => {
    const source = join(dir, 'media.bin');
    writeFileSync(source, media);
    const result = spawnSync('split', [
      '-b',
      '65536',
      '-a',
      '3',
      '--numeric-suffixes=1',
      source,
      join(dir, 'num.'),
    ]);
    expect(result.status).toBe(0);
    const image = await openRaw(join(dir, 'num.001'));
    expect(image.segments.length).toBe(6);
    expect(image.size).toBe(media.length);
    expect(sha256(await image.read(0, image.size))).toBe(expected);
    // A read across a segment boundary.
    expect(Buffer.from(await image.read(65530, 20))).toEqual(media.subarray(65530, 65550));
    await expect(image.read(image.size - 1, 2)).rejects.toBeInstanceOf(FormatError);
    await image.close();
  });

  it('reads alphabetic segments (split default .aa, .ab ...)', async () => {
    const source = join(dir, 'media.bin');
    writeFileSync(source, media);
    expect(spawnSync('split', ['-b', '100000', source, join(dir, 'alpha.')]).status).toBe(0);
    const image = await openRaw(join(dir, 'alpha.aa'));
    expect(image.segments.map((s) => s.slice(-2))).toEqual(['aa', 'ab', 'ac', 'ad']);
    expect(sha256(await image.read(0, image.size))).toBe(expected);
    await image.close();
  });

  it('reports a gap in the sequence and a middle segment as first', async () => {
    const source = join(dir, 'media.bin');
    writeFileSync(source, media);
    expect(
      spawnSync('split', ['-b', '65536', '-a', '3', '--numeric-suffixes=1', source, join(dir, 'gap.')])
        .status,
    ).toBe(0);
    unlinkSync(join(dir, 'gap.003'));
    await expect(findRawSegments(join(dir, 'gap.001'))).rejects.toThrow(/segment 3 .* missing/);
    await expect(findRawSegments(join(dir, 'gap.002'))).rejects.toThrow(/not the first segment/);
    expect(readdirSync(dir).filter((n) => n.startsWith('gap.')).length).toBe(5);
  });
});

it('opens a single raw file', async () => {
  const bytes = randomBytes(4096);
  const path = join(dir, 'single.dd');
  writeFileSync(path, bytes);
  const image = await openRaw(path);
  expect(image.segments).toEqual([path]);
  expect(sha256(await image.read(0, 4096))).toBe(sha256(bytes));
  await image.close();
});

const hasImgCat = spawnSync('sh', ['-c', 'command -v img_cat']).status === 0;
if (!hasImgCat) console.warn('raw corpus tests skipped: img_cat (sleuthkit) absent');

describe.skipIf(!hasImgCat)('corpus raw images, compared with img_cat', () => {
  for (const [file, name] of [
    ['log2timeline_dfvfs__bogus.001', 'bogus.001'],
    ['log2timeline_plaso__tsk_volume_system.raw.gz', 'tsk_volume_system.raw'],
    ['Velocidex_go-ntfs__charlie.dd.gz', 'charlie.dd'],
  ] as const) {
    const corpus = skipUnlessCorpus(`raw corpus test on ${name}`, `image/${file}`);
    it.skipIf(corpus.skip)(`reads ${name} as img_cat does`, async () => {
      // The corpus name keeps the extension (.001, .raw, .dd) that detectRaw looks at.
      const path = await openCorpusFile(`image/${file}`);
      expect(detectRaw(new Uint8Array(0), path)).toBe(true);
      const image = await openRaw(path);
      // -i raw: img_cat would otherwise detect charlie.dd as the fixed VHD it is (see parsers/vhd).
      const reference = spawnSync('img_cat', ['-i', 'raw', path], { maxBuffer: 256 * 1024 * 1024 }).stdout;
      expect(image.size).toBe(reference.length);
      expect(sha256(await image.read(0, image.size))).toBe(sha256(reference));
      await image.close();
    });
  }
});
