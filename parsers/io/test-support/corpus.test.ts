import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { corpusDir, corpusFiles, corpusPath, openCorpusFile, skipUnlessCorpus } from './corpus.js';

// A corpus of our own, chosen through BLASTER_TRIAGE_CORPUS, so these tests run without the real one.
const root = mkdtempSync(join(tmpdir(), 'corpus-helper-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const saved = process.env.BLASTER_TRIAGE_CORPUS;
afterEach(() => {
  if (saved === undefined) delete process.env.BLASTER_TRIAGE_CORPUS;
  else process.env.BLASTER_TRIAGE_CORPUS = saved;
});

const plain = Buffer.from('plain corpus file\n');
const packed = Buffer.from('gzipped corpus file\n'.repeat(100));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
mkdirSync(join(root, 'kind'));
writeFileSync(join(root, 'kind', 'a.bin'), plain);
writeFileSync(join(root, 'kind', 'b.bin.gz'), gzipSync(packed));
writeFileSync(join(root, 'kind', 'bad.bin.gz'), gzipSync(Buffer.from('changed')));
writeFileSync(join(root, 'kind', 'unlisted.bin'), plain);
writeFileSync(
  join(root, 'MANIFEST.tsv'),
  [
    'path\tsource\tlicense\tbytes\tsha256\tkind',
    `kind/a.bin\tx\tMIT\t${plain.length}\t${sha256(plain)}\tkind`,
    `kind/b.bin.gz\tx\tMIT\t${packed.length}\t${sha256(packed)}\tkind`,
    `kind/bad.bin.gz\tx\tMIT\t${packed.length}\t${sha256(packed)}\tkind`,
    '',
  ].join('\n'),
);

describe('corpus helper', () => {
  it('finds the corpus named by BLASTER_TRIAGE_CORPUS and lists a folder', () => {
    process.env.BLASTER_TRIAGE_CORPUS = root;
    expect(corpusDir()).toBe(root);
    expect(corpusPath('kind/a.bin')).toBe(join(root, 'kind', 'a.bin'));
    expect(corpusPath('kind/none')).toBeUndefined();
    expect(corpusFiles('kind', /\.gz$/)).toEqual(['kind/b.bin.gz', 'kind/bad.bin.gz']);
    expect(corpusFiles('none')).toEqual([]);
    expect(skipUnlessCorpus('test', 'kind/a.bin')).toEqual({ skip: false, message: '' });
    const skip = skipUnlessCorpus('test', 'kind/a.bin', 'kind/none');
    expect(skip.skip).toBe(true);
    expect(skip.message).toContain('kind/none');
  });

  it('skips everything when BLASTER_TRIAGE_CORPUS names a missing folder', () => {
    process.env.BLASTER_TRIAGE_CORPUS = join(root, 'missing');
    expect(corpusDir()).toBeUndefined();
    expect(skipUnlessCorpus('test', 'kind/a.bin').skip).toBe(true);
  });

  it('returns plain files in place and gunzipped copies outside the corpus, checked and cached', async () => {
    process.env.BLASTER_TRIAGE_CORPUS = root;
    expect(await openCorpusFile('kind/a.bin')).toBe(join(root, 'kind', 'a.bin'));
    const path = await openCorpusFile('kind/b.bin.gz');
    expect(path.startsWith(tmpdir())).toBe(true);
    expect(path.endsWith(join('kind', 'b.bin'))).toBe(true);
    expect(readFileSync(path)).toEqual(packed);
    expect(await openCorpusFile('kind/b.bin.gz')).toBe(path);
  });

  it('rejects files that differ from or are missing in MANIFEST.tsv', async () => {
    process.env.BLASTER_TRIAGE_CORPUS = root;
    await expect(openCorpusFile('kind/bad.bin.gz')).rejects.toThrow(/does not match MANIFEST/);
    await expect(openCorpusFile('kind/unlisted.bin')).rejects.toThrow(/not listed/);
    await expect(openCorpusFile('kind/none')).rejects.toThrow(/absent/);
  });
});
