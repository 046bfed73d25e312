import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../parsers/io/index.js';
import { buildZip, centralHeaders, renameInPlace } from '../../test/support/zip-builder.js';
import { sha256Stream } from './hash.js';
import { openEvidence } from './open-evidence.js';
import { EvidenceError } from './vfs.js';
import { ZipSource } from './zip-source.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bt-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function zipFile(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('latin1');
}

describe('ZipSource', () => {
  it('lists entries, looks paths up ignoring case, streams and reads at random', async () => {
    const path = await zipFile(
      'kape.zip',
      await buildZip([
        { name: 'C/Windows/System32/config/SYSTEM', data: 'regf-bytes', compress: false },
        { name: 'C/Windows/pfirewall.log', data: '#Version: 1.5\n' },
      ]),
    );
    const source = await openEvidence(path);
    expect(source.kind).toBe('zip');
    expect(source.entries().map((entry) => entry.path)).toEqual([
      'C',
      'C/Windows',
      'C/Windows/System32',
      'C/Windows/System32/config',
      'C/Windows/System32/config/SYSTEM',
      'C/Windows/pfirewall.log',
    ]);
    expect(source.stat('c\\WINDOWS\\system32\\CONFIG\\system')?.size).toBe(10);
    expect(await readAll(await source.openStream('C/WINDOWS/PFIREWALL.LOG'))).toBe('#Version: 1.5\n');
    const stored = await source.openReader('C/Windows/System32/config/SYSTEM');
    expect(Buffer.from(await stored.read(5, 5)).toString()).toBe('bytes');
    await expect(stored.read(8, 5)).rejects.toThrow(FormatError);
    const deflated = await source.openReader('C/Windows/pfirewall.log');
    expect(Buffer.from(await deflated.read(1, 7)).toString()).toBe('Version');
    expect((await sha256Stream(await source.openStream('C/Windows/pfirewall.log'))).bytes).toBe(14);
    await source.close();
  });

  it('skips names that escape the root (zip slip) and keeps the rest', async () => {
    const raw = await buildZip([
      { name: 'xx/evil.txt', data: 'evil' },
      { name: 'yy/C:/abs.txt', data: 'abs' },
      { name: 'ok/good.txt', data: 'good' },
    ]);
    const crafted = renameInPlace(
      renameInPlace(raw, 'xx/evil.txt', '../evil.txt'),
      'yy/C:/abs.txt',
      'C:/../xyz.txt',
    );
    const source = await ZipSource.open(await zipFile('slip.zip', crafted));
    const files = source
      .entries()
      .filter((entry) => !entry.isDirectory)
      .map((entry) => entry.path);
    expect(files).toEqual(['ok/good.txt']);
    expect(source.warnings.map((warning) => warning.path).sort()).toEqual(['../evil.txt', 'C:/../xyz.txt']);
    expect(source.warnings.every((warning) => /escapes the root/.test(warning.reason))).toBe(true);
    await source.close();
  });

  it('normalizes backslashes, drive letters and absolute names inside the root', async () => {
    const raw = await buildZip([{ name: 'C_/Windows/x.log', data: 'x' }]);
    const crafted = renameInPlace(raw, 'C_/Windows/x.log', 'C:\\Windows\\x.log');
    const source = await ZipSource.open(await zipFile('backslash.zip', crafted));
    expect(source.stat('Windows/x.log')?.size).toBe(1);
    await source.close();
  });

  it('refuses a zip bomb by compression ratio with a clear error', async () => {
    const bomb = await buildZip([{ name: 'zeros.bin', data: Buffer.alloc(80 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const path = await zipFile('bomb.zip', bomb);
    await expect(ZipSource.open(path)).rejects.toThrow(/compression ratio \d+:1 exceeds the limit.*zip bomb/);
    await expect(ZipSource.open(path)).rejects.toThrow(EvidenceError);
    // The same archive is accepted when the analyst raises the limit on purpose.
    const accepted = await ZipSource.open(path, { maxRatio: 5000 });
    expect(accepted.stat('zeros.bin')?.size).toBe(80 * 1024 * 1024);
    await accepted.close();
  });

  it('refuses archives over the total-size and entry-count limits, and overlapping entries', async () => {
    const small = await buildZip([
      { name: 'a.txt', data: 'a'.repeat(1000) },
      { name: 'b.txt', data: 'b'.repeat(1000) },
    ]);
    const path = await zipFile('small.zip', small);
    await expect(ZipSource.open(path, { maxTotalUncompressed: 1500 })).rejects.toThrow(
      /declared uncompressed size 2000/,
    );
    await expect(ZipSource.open(path, { maxEntries: 1 })).rejects.toThrow(/more than 1 entries/);
    // Point the second central directory entry at the first entry's data.
    const overlapped = Buffer.from(small);
    const [first, second] = centralHeaders(overlapped);
    overlapped.writeUInt32LE(overlapped.readUInt32LE(first! + 42), second! + 42);
    await expect(ZipSource.open(await zipFile('overlap.zip', overlapped))).rejects.toThrow(/overlap/);
  });

  it('reports encrypted entries and skips them', async () => {
    const raw = await buildZip([
      { name: 'secret.txt', data: 'hidden' },
      { name: 'plain.txt', data: 'plain' },
    ]);
    const crafted = Buffer.from(raw);
    const [first] = centralHeaders(crafted);
    crafted.writeUInt16LE(crafted.readUInt16LE(first! + 8) | 1, first! + 8);
    const source = await ZipSource.open(await zipFile('encrypted.zip', crafted));
    expect(source.stat('secret.txt')).toBeUndefined();
    expect(source.stat('plain.txt')).toBeDefined();
    expect(source.warnings).toEqual([{ path: 'secret.txt', reason: 'encrypted entry: skipped' }]);
    await source.close();
  });

  it('gives an error for a broken entry without breaking the others', async () => {
    const raw = await buildZip([
      { name: 'broken.txt', data: 'x'.repeat(5000) },
      { name: 'fine.txt', data: 'fine' },
    ]);
    const crafted = Buffer.from(raw);
    // Corrupt the deflate stream of the first entry (data starts after the 30-byte header + name).
    const dataStart = 30 + 'broken.txt'.length;
    crafted.fill(0xff, dataStart, dataStart + 8);
    const source = await ZipSource.open(await zipFile('broken.zip', crafted));
    await expect(readAll(await source.openStream('broken.txt'))).rejects.toThrow();
    expect(await readAll(await source.openStream('fine.txt'))).toBe('fine');
    await source.close();
  });

  it('rejects garbage and truncated zips with an EvidenceError', async () => {
    const garbage = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2000, 0x5a)]);
    await expect(openEvidence(await zipFile('garbage.zip', garbage))).rejects.toThrow(EvidenceError);
    const good = await buildZip([{ name: 'a.txt', data: 'a' }]);
    await expect(
      openEvidence(await zipFile('truncated.zip', good.subarray(0, good.length - 10))),
    ).rejects.toThrow(EvidenceError);
    // Anything that is not a container is taken as one loose artifact file.
    const loose = await openEvidence(await zipFile('random.bin', Buffer.alloc(100, 7)));
    expect(loose.entries().map((entry) => entry.path)).toEqual(['random.bin']);
  });
});
