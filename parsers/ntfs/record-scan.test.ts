/**
 * The listing's fast path against the object path, record by record: real records (charlie.dd's
 * MFT, the omerbenamram/mft single entries) and mutated ones (fixed seed). Whatever the fast path
 * accepts must give exactly the object path's lines, names, flags and sequence; whatever it
 * declines must be left byte for byte as it was (the object path then parses it).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferReader } from '../io/index.js';
import { corpusFiles, openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { openNtfs } from './index.js';
import { NameTable } from './name-table.js';
import { compareRecord, newTally } from './test-support/scan-equivalence.js';

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const charlie = 'image/Velocidex_go-ntfs__charlie.dd.gz';
const charlieCorpus = skipUnlessCorpus('record-scan on charlie.dd', charlie);

describe.skipIf(charlieCorpus.skip)('fast scan vs object path on charlie.dd', () => {
  let mft: Uint8Array;
  let size: number;
  let count: number;
  beforeAll(async () => {
    const image = new Uint8Array(readFileSync(await openCorpusFile(charlie)));
    const volume = await openNtfs(new BufferReader(image));
    const stream = await volume.openFile(0, '');
    mft = await stream.read(0, stream.size);
    size = volume.info.mftRecordSize;
    count = volume.info.mftRecordCount;
  });

  it('agrees on every record, and takes most of them', () => {
    const table = new NameTable(count);
    const tally = newTally();
    for (let record = 0; record < count; record += 1)
      compareRecord(mft, record * size, size, record, table, tally);
    expect(tally.disagreements).toEqual([]);
    // charlie.dd: system files and plain files go fast; Nine.txt (attribute list) does not.
    expect(tally.fast).toBeGreaterThan(30);
    expect(tally.fallback).toBeGreaterThan(0);
  });

  it('agrees on 4000 mutated records (or declines them untouched)', () => {
    const next = random(23);
    const tally = newTally();
    const used: number[] = [];
    for (let record = 0; record < count; record += 1) {
      if (mft[record * size] === 0x46) used.push(record);
    }
    for (let iteration = 0; iteration < 4000; iteration += 1) {
      const record = used[Math.floor(next() * used.length)]!;
      const bytes = mft.slice(record * size, (record + 1) * size);
      const mutations = 1 + Math.floor(next() * 6);
      for (let index = 0; index < mutations; index += 1) {
        // Mostly the header and first attributes, where the structure is.
        const at = Math.floor(next() * (next() < 0.8 ? 512 : size));
        bytes[at] = next() < 0.3 ? 0xff : Math.floor(next() * 256);
      }
      compareRecord(bytes, 0, size, record, new NameTable(count), tally);
    }
    expect(tally.disagreements.slice(0, 5)).toEqual([]);
    expect(tally.fast).toBeGreaterThan(500);
    expect(tally.fallback).toBeGreaterThan(500);
  });
});

const singleFiles = corpusFiles('mft', (name) => name.startsWith('omerbenamram_mft__entry_'));
const singlesCorpus = skipUnlessCorpus('record-scan on single MFT entries', 'mft');

describe.skipIf(singlesCorpus.skip || singleFiles.length === 0)(
  'fast scan vs object path on the omerbenamram/mft entries',
  () => {
    it('agrees on each entry', async () => {
      const singles: Uint8Array[] = [];
      for (const file of singleFiles) {
        const bytes = new Uint8Array(readFileSync(await openCorpusFile(file)));
        if (bytes.length === 1024) singles.push(bytes);
      }
      const tally = newTally();
      for (const bytes of singles) compareRecord(bytes, 0, 1024, 64, new NameTable(128), tally);
      expect(tally.disagreements).toEqual([]);
      expect(tally.fast + tally.fallback).toBe(singles.length);
      expect(tally.fast).toBeGreaterThan(0);
    });
  },
);
