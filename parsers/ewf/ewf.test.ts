import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../io/format-error.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { adler32, detectEwf, openEwf, segmentNaming, segmentPath } from './index.js';
import { mixedMedia, seededRandom } from './test-media.js';

const hasTools = ['ewfacquire', 'ewfverify', 'ewfexport'].every(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0,
);
if (!hasTools) console.warn('ewf tests skipped: ewf-tools (ewfacquire/ewfverify/ewfexport) not installed');
const dir = mkdtempSync(join(tmpdir(), 'ewf-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const media = mixedMedia(6 * 1024 * 1024 + 7 * 512, 7);
const mediaPath = join(dir, 'media.raw');

/** ewfexport's raw output (it writes `<target>.raw`; on stdout it would append a status line). */
function exportRaw(first: string, target: string): Buffer {
  const result = spawnSync('ewfexport', ['-u', '-q', '-t', join(dir, target), first], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ewfexport failed: ${result.stderr}`);
  return readFileSync(join(dir, `${target}.raw`));
}

function acquire(target: string, extra: string[]): void {
  const result = spawnSync(
    'ewfacquire',
    ['-u', '-q', '-S', '1048576', '-t', join(dir, target), ...extra, mediaPath],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`ewfacquire failed: ${result.stderr}${result.stdout}`);
}

describe('segment names and checksums', () => {
  it('names segments E01..E99, EAA..EZZ, FAA', () => {
    const naming = segmentNaming('/x/case.E01');
    expect(segmentPath(naming, 2, '/x/case.E01')).toBe('/x/case.E02');
    expect(segmentPath(naming, 99, '/x/case.E01')).toBe('/x/case.E99');
    expect(segmentPath(naming, 100, '/x/case.E01')).toBe('/x/case.EAA');
    expect(segmentPath(naming, 101, '/x/case.E01')).toBe('/x/case.EAB');
    expect(segmentPath(naming, 100 + 26 * 26 - 1, '/x/case.E01')).toBe('/x/case.EZZ');
    expect(segmentPath(naming, 100 + 26 * 26, '/x/case.E01')).toBe('/x/case.FAA');
    expect(segmentPath(segmentNaming('/x/case.e01'), 100, '/x/case.e01')).toBe('/x/case.eaa');
    expect(() => segmentNaming('/x/case.E02')).toThrow(FormatError);
  });

  it('computes Adler-32 as zlib does', () => {
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(100_000).fill(0xff))).toBe(adler32(new Uint8Array(100_000).fill(0xff), 1));
  });

  it('detects EWF and EWF2 signatures', () => {
    const evf = new Uint8Array([0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00, 1, 1, 0, 0, 0]);
    expect(detectEwf(evf, 'x.E01')).toBe(true);
    expect(detectEwf(new Uint8Array(13), 'x.E01')).toBe(false);
  });
});

describe.skipIf(!hasTools)('EWF-E01 made by ewfacquire', () => {
  beforeAll(() => {
    writeFileSync(mediaPath, media);
    acquire('best', [
      '-c',
      'deflate:best',
      '-d',
      'sha1',
      '-C',
      'CASE-2003-0811',
      '-e',
      'J. Examiner',
      '-E',
      'EV-1',
      '-D',
      'Blaster host',
      '-N',
      'lab notes',
    ]);
    acquire('stored', ['-c', 'none']);
  });

  it('reads every media byte of a split deflate image and exposes the case information', async () => {
    const image = await openEwf(join(dir, 'best.E01'));
    expect(image.info.segments.length).toBeGreaterThanOrEqual(2);
    expect(image.size).toBe(media.length);
    expect(sha256(await image.read(0, image.size))).toBe(sha256(media));
    expect(image.info).toMatchObject({
      caseNumber: 'CASE-2003-0811',
      examinerName: 'J. Examiner',
      evidenceNumber: 'EV-1',
      description: 'Blaster host',
      notes: 'lab notes',
      bytesPerSector: 512,
      sectorsPerChunk: 64,
      compressionLevel: 'best',
      md5: createHash('md5').update(media).digest('hex'),
      sha1: createHash('sha1').update(media).digest('hex'),
    });
    expect(image.info.acquisitionDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(image.warnings).toEqual([]);
    await image.close();
  });

  it('matches the media on random reads, across chunk and segment boundaries', async () => {
    const image = await openEwf(join(dir, 'best.E01'), { cacheChunks: 4 });
    const random = seededRandom(42);
    for (let round = 0; round < 300; round += 1) {
      const offset = Math.floor(random() * image.size);
      const length = Math.min(image.size - offset, Math.floor(random() * 3 * 32768));
      const got = await image.read(offset, length);
      expect(Buffer.from(got).equals(Buffer.from(media.subarray(offset, offset + length)))).toBe(true);
    }
    await expect(image.read(image.size - 10, 11)).rejects.toBeInstanceOf(FormatError);
    await image.close();
  });

  it('matches the media on sequential reads that use the read-ahead (aligned and not)', async () => {
    for (const step of [1024 * 1024, 1024 * 1024 + 4096 + 17]) {
      const image = await openEwf(join(dir, 'best.E01'));
      const parts: Uint8Array[] = [];
      for (let offset = 0; offset < image.size; offset += step) {
        parts.push(await image.read(offset, Math.min(step, image.size - offset)));
      }
      expect(sha256(Buffer.concat(parts))).toBe(sha256(media));
      await image.close();
    }
  });

  it('verify() agrees with ewfverify and with the stored MD5 and SHA-1', async () => {
    const image = await openEwf(join(dir, 'best.E01'));
    const result = await image.verify();
    const tool = spawnSync('ewfverify', ['-q', '-d', 'sha1', join(dir, 'best.E01')], { encoding: 'utf8' });
    const calculated = /MD5 hash calculated over data:\s+([0-9a-f]{32})/.exec(tool.stdout)?.[1];
    const calculatedSha1 = /SHA1 hash calculated over data:\s+([0-9a-f]{40})/.exec(tool.stdout)?.[1];
    expect(calculated).toBe(result.md5);
    expect(calculatedSha1).toBe(result.sha1);
    expect(result).toMatchObject({ md5Matches: true, sha1Matches: true, errors: [] });
    await image.close();
  });

  it('reads stored (uncompressed) chunks with their Adler-32 and matches ewfexport', async () => {
    const image = await openEwf(join(dir, 'stored.E01'));
    const ours = await image.read(0, image.size);
    expect(image.info.segments.length).toBeGreaterThanOrEqual(4);
    expect(sha256(ours)).toBe(sha256(exportRaw(join(dir, 'stored.E01'), 'stored-export')));
    expect(sha256(ours)).toBe(sha256(media));
    await image.close();
  });

  it('reads the formats ewfacquire writes (smart/S01, ftk, encase2..7, linen6, ewfx)', async () => {
    for (const format of ['smart', 'ftk', 'encase2', 'encase5', 'encase7', 'linen6', 'ewfx']) {
      acquire(`f-${format}`, ['-f', format, '-c', 'deflate:fast']);
      const first = join(dir, format === 'smart' ? `f-${format}.s01` : `f-${format}.E01`);
      const lower = first.replace(/E01$/, 'e01');
      const image = await openEwf(existsSync(first) ? first : lower);
      expect(sha256(await image.read(0, image.size)), format).toBe(sha256(media));
      expect((await image.verify()).md5Matches, format).toBe(true);
      await image.close();
    }
  });

  it('finds later segments whose extension case differs from the first (.E01 then .e02)', async () => {
    copyFileSync(join(dir, 'stored.E01'), join(dir, 'case.E01'));
    for (let n = 2; n <= 9; n += 1) {
      const from = join(dir, `stored.E0${n}`);
      if (existsSync(from)) copyFileSync(from, join(dir, `case.e0${n}`));
    }
    const image = await openEwf(join(dir, 'case.E01'));
    expect(image.info.segments[1]).toBe(join(dir, 'case.e02'));
    expect(sha256(await image.read(0, image.size))).toBe(sha256(media));
    await image.close();
  });

  it('reports a missing segment, or reads what is there with allowIncomplete', async () => {
    for (const n of [1, 2, 3, 4]) copyFileSync(join(dir, `stored.E0${n}`), join(dir, `gap.E0${n}`));
    unlinkSync(join(dir, 'gap.E03'));
    await expect(openEwf(join(dir, 'gap.E01'))).rejects.toThrow(/segment 3 is missing/);
    const image = await openEwf(join(dir, 'gap.E01'), { allowIncomplete: true });
    expect(image.warnings.length).toBeGreaterThan(0);
    expect(Buffer.from(await image.read(0, 65536)).equals(Buffer.from(media.subarray(0, 65536)))).toBe(true);
    await expect(image.read(image.size - 512, 512)).rejects.toBeInstanceOf(FormatError);
    await image.close();
  });

  it('a damaged chunk fails alone; verify() reports it and the hash mismatch', async () => {
    const bytes = readFileSync(join(dir, 'stored.E01'));
    // Flip a byte in the first stored chunk (after header, volume and sectors descriptors).
    const copy = join(dir, 'bad.E01');
    // The first chunk holding non-zero media (a zero chunk hashed as zeros would still match).
    const chunk = Array.from({ length: 20 }, (_, k) => k).find((k) =>
      media.subarray(k * 32768, (k + 1) * 32768).some((byte) => byte !== 0),
    )!;
    const sectors = bytes.indexOf(Buffer.from('sectors\0'));
    const at = sectors + 76 + chunk * (32768 + 4) + 100;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(copy, bytes);
    for (let n = 2; n <= 9; n += 1) {
      const from = join(dir, `stored.E0${n}`);
      if (existsSync(from)) copyFileSync(from, join(dir, `bad.E0${n}`));
    }
    const image = await openEwf(copy);
    await expect(image.read(chunk * 32768, 512)).rejects.toThrow(/Adler-32 mismatch/);
    const next = (chunk + 1) * 32768;
    expect(
      Buffer.from(await image.read(next, 512)).equals(Buffer.from(media.subarray(next, next + 512))),
    ).toBe(true);
    const lenient = await image.readWithErrors(0, 20 * 32768);
    expect(lenient.errors.map((error) => error.structure)).toEqual(['chunk']);
    expect(
      Buffer.from(lenient.bytes.subarray(chunk * 32768, (chunk + 1) * 32768)).equals(Buffer.alloc(32768)),
    ).toBe(true);
    expect(
      Buffer.from(lenient.bytes.subarray(0, chunk * 32768)).equals(
        Buffer.from(media.subarray(0, chunk * 32768)),
      ),
    ).toBe(true);
    await expect(image.readWithErrors(image.size, 1)).rejects.toBeInstanceOf(FormatError);
    const result = await image.verify();
    expect(result.md5Matches).toBe(false);
    expect(result.errors.length).toBe(1);
    expect(result.errors[0]!.structure).toBe('chunk');
    await image.close();
  });

  it('crafted table counts and offsets: table2 takes over, or only the chunks concerned fail', async () => {
    const copySet = (prefix: string, first: Buffer): void => {
      writeFileSync(join(dir, `${prefix}.E01`), first);
      for (let n = 2; n <= 9; n += 1) {
        const from = join(dir, `stored.E0${n}`);
        if (existsSync(from)) copyFileSync(from, join(dir, `${prefix}.E0${n}`));
      }
    };
    const original = readFileSync(join(dir, 'stored.E01'));
    const tableType = Buffer.concat([Buffer.from('table', 'latin1'), Buffer.alloc(11)]);
    const table2Type = Buffer.concat([Buffer.from('table2', 'latin1'), Buffer.alloc(10)]);
    const table = original.indexOf(tableType) + 76;
    const table2 = original.indexOf(table2Type) + 76;
    // 1. A huge entry count with a valid header checksum: the count cannot fit, table2 is used.
    const huge = Buffer.from(original);
    huge.writeUInt32LE(0x7fffffff, table);
    huge.writeUInt32LE(adler32(huge.subarray(table, table + 20)), table + 20);
    copySet('huge', huge);
    const image = await openEwf(join(dir, 'huge.E01'));
    expect(image.warnings.map((warning) => warning.reason)).toContain(
      '2147483647 entries do not fit in the section',
    );
    expect(sha256(await image.read(0, image.size))).toBe(sha256(media));
    await image.close();
    // 2. Entry 5 points far past the file in both copies: chunks 4 and 5 fail, the others read.
    const bad = Buffer.from(original);
    for (const at of [table, table2]) bad.writeUInt32LE(0x7ffffff0, at + 24 + 5 * 4);
    copySet('badentry', bad);
    const damaged = await openEwf(join(dir, 'badentry.E01'));
    const failing: number[] = [];
    for (let chunk = 0; chunk < 12; chunk += 1) {
      try {
        const bytes = await damaged.read(chunk * 32768, 32768);
        expect(
          Buffer.from(bytes).equals(Buffer.from(media.subarray(chunk * 32768, (chunk + 1) * 32768))),
        ).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        failing.push(chunk);
      }
    }
    expect(failing).toEqual([4, 5]);
    await damaged.close();
  });

  it('refuses a segment of another acquisition (set identifier of its data section)', async () => {
    const second = readFileSync(join(dir, 'stored.E02'));
    const dataType = Buffer.concat([Buffer.from('data', 'latin1'), Buffer.alloc(12)]);
    const data = second.indexOf(dataType) + 76;
    expect(data).toBeGreaterThan(76);
    second.fill(0x77, data + 64, data + 80);
    second.writeUInt32LE(adler32(second.subarray(data, data + 1048)), data + 1048);
    writeFileSync(join(dir, 'mixed.E01'), readFileSync(join(dir, 'stored.E01')));
    writeFileSync(join(dir, 'mixed.E02'), second);
    for (let n = 3; n <= 9; n += 1) {
      const from = join(dir, `stored.E0${n}`);
      if (existsSync(from)) copyFileSync(from, join(dir, `mixed.E0${n}`));
    }
    await expect(openEwf(join(dir, 'mixed.E01'))).rejects.toThrow(/mixed\.E02: .*another set/);
  });

  it('rejects EWF2 (Ex01) with a clear unsupported error', async () => {
    const path = join(dir, 'new.Ex01');
    writeFileSync(path, Buffer.concat([Buffer.from('EVF2\r\n\x81\x00', 'latin1'), Buffer.alloc(100)]));
    await expect(openEwf(path)).rejects.toThrow(/EWF2 .* not supported/);
    expect(detectEwf(readFileSync(path), path)).toBe(true);
  });

  it('survives mutated segments: typed errors only, bounded work', async () => {
    const originals = [1, 2, 3, 4]
      .map((n) => join(dir, `best.E0${n}`))
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path));
    const random = seededRandom(1234);
    let typed = 0;
    for (let round = 0; round < 40; round += 1) {
      originals.forEach((original, index) => {
        const bytes = Buffer.from(original);
        const mutations = 1 + Math.floor(random() * 8);
        for (let m = 0; m < mutations; m += 1) {
          // Aim at the structures: the first 2 KiB (headers, volume) and the tables near the end.
          const region = random() < 0.5 ? 2048 : bytes.length;
          const at =
            region === 2048 ? Math.floor(random() * 2048) : bytes.length - 1 - Math.floor(random() * 4096);
          bytes[at] = Math.floor(random() * 256);
        }
        writeFileSync(join(dir, `fuzz.E0${index + 1}`), bytes);
      });
      try {
        const image = await openEwf(join(dir, 'fuzz.E01'), { allowIncomplete: true });
        for (let offset = 0; offset < image.size; offset += 256 * 1024) {
          try {
            await image.read(offset, Math.min(256 * 1024, image.size - offset));
          } catch (error) {
            expect(error).toBeInstanceOf(FormatError);
            typed += 1;
          }
        }
        await image.close();
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        typed += 1;
      }
    }
    expect(typed).toBeGreaterThan(0);
  });
});

const corpusSegments = [
  'image/log2timeline_dfvfs__ext2.split.E01.gz',
  'image/log2timeline_dfvfs__ext2.split.E02.gz',
];
const corpus = skipUnlessCorpus('ewf corpus test', ...corpusSegments);

describe.skipIf(corpus.skip || !hasTools)('corpus: dfvfs ext2.split.E01/E02', () => {
  it('reads every byte as ewfexport does and verifies the stored MD5', async () => {
    // Both segments gunzip beside each other under their corpus names (…ext2.split.E01/.E02).
    const [e01] = await Promise.all(corpusSegments.map((segment) => openCorpusFile(segment)));
    const image = await openEwf(e01!);
    expect(image.info.segments.length).toBe(2);
    const ours = await image.read(0, image.size);
    const exported = exportRaw(e01!, 'ext2-export');
    expect(exported.length).toBe(image.size);
    expect(sha256(ours)).toBe(sha256(exported));
    const result = await image.verify();
    const tool = spawnSync('ewfverify', ['-q', e01!], { encoding: 'utf8' });
    expect(/MD5 hash calculated over data:\s+([0-9a-f]{32})/.exec(tool.stdout)?.[1]).toBe(result.md5);
    expect(result.md5Matches).toBe(true);
    await image.close();
  });
});

describe('adler32 against zlib', () => {
  it('matches the Adler-32 trailer zlib writes, at every alignment and length', async () => {
    const { deflateSync } = await import('node:zlib');
    const random = seededRandom(99);
    const data = new Uint8Array(70_000).map(() => Math.floor(random() * 256));
    for (const [start, length] of [
      [0, 0],
      [1, 1],
      [3, 63],
      [1, 64],
      [2, 5000],
      [5, 65_536],
      [0, 70_000],
    ] as const) {
      const part = data.subarray(start, start + length);
      const stream = deflateSync(part);
      expect(adler32(part)).toBe(stream.readUInt32BE(stream.length - 4));
    }
    const ones = new Uint8Array(100_000).fill(0xff);
    const stream = deflateSync(ones);
    expect(adler32(ones)).toBe(stream.readUInt32BE(stream.length - 4));
  });
});

describe('error2 section', () => {
  it('lists acquisition read errors and ignores entries past the section', async () => {
    const { parseError2Section } = await import('./error2-section.js');
    const { ByteView } = await import('../io/byte-view.js');
    const bytes = Buffer.alloc(520 + 2 * 8 + 4);
    bytes.writeUInt32LE(3, 0); // claims 3 entries, only 2 fit
    bytes.writeUInt32LE(100, 520);
    bytes.writeUInt32LE(64, 524);
    bytes.writeUInt32LE(5000, 528);
    bytes.writeUInt32LE(1, 532);
    expect(parseError2Section(new ByteView(bytes, 0, 'ewf', 'error2'))).toEqual([
      { firstSector: 100, sectorCount: 64 },
      { firstSector: 5000, sectorCount: 1 },
    ]);
  });
});

describe.skipIf(!hasTools)('chunk memory is not shared with callers', () => {
  it('mutating bytes returned for one zero chunk does not change another', async () => {
    const image = await openEwf(join(dir, 'best.E01'));
    const zeroChunks = Array.from({ length: image.info.chunkCount }, (_, k) => k).filter((k) =>
      media.subarray(k * 32768, (k + 1) * 32768).every((byte) => byte === 0),
    );
    expect(zeroChunks.length).toBeGreaterThan(1);
    const first = await image.read(zeroChunks[0]! * 32768, 512);
    first.fill(0xee);
    const second = await image.read(zeroChunks[1]! * 32768, 512);
    expect(second.every((byte) => byte === 0)).toBe(true);
    await image.close();
  });
});
