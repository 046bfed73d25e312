/**
 * Hostile input: mutated boot sectors, MFT records and whole volumes (fixed seeds, bounded
 * iterations). Only FormatError may escape; every walk ends; memory stays bounded (streams are
 * read at most 1 MiB at a time).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferReader, ByteView, FormatError } from '../io/index.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { parseBootSector } from './boot-sector.js';
import { assembleFile, layoutOf } from './file-record.js';
import { openNtfs } from './index.js';
import { parseMftRecord } from './mft-record.js';
import { makeBootSector } from './test-support/boot-sector-bytes.js';

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

function mutate(
  bytes: Uint8Array,
  next: () => number,
  count: number,
  start = 0,
  end = bytes.length,
): Uint8Array {
  const out = bytes.slice();
  for (let index = 0; index < count; index += 1) {
    const at = start + Math.floor(next() * (end - start));
    out[at] = next() < 0.3 ? 0xff : Math.floor(next() * 256);
  }
  return out;
}

function onlyFormatErrors(work: () => void): void {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
  }
}

describe('fuzz: boot sector and MFT records', () => {
  it('mutated boot sectors parse or throw FormatError', () => {
    const next = random(7);
    for (let iteration = 0; iteration < 2000; iteration += 1) {
      const bytes = mutate(makeBootSector(), next, 1 + Math.floor(next() * 4), 0, 80);
      onlyFormatErrors(() => parseBootSector(new ByteView(bytes, 0, 'ntfs', 'boot-sector')));
    }
  });

  const entries = [
    'entry_single_file',
    'entry_multiple_index_root_entries',
    'entry_data_run_at_offset',
    'entry_long_name_and_res_ads_002',
  ].map((name) => `mft/omerbenamram_mft__${name}`);
  const corpus = skipUnlessCorpus('ntfs fuzz on mutated MFT entries', ...entries);
  it.skipIf(corpus.skip)(
    'mutated MFT records parse, assemble and map runs or throw FormatError',
    async () => {
      const records: Uint8Array[] = [];
      for (const entry of entries) records.push(new Uint8Array(readFileSync(await openCorpusFile(entry))));
      const next = random(11);
      for (let iteration = 0; iteration < 3000; iteration += 1) {
        const source = records[iteration % records.length]!;
        const bytes = mutate(source, next, 1 + Math.floor(next() * 8), 0, 512);
        try {
          const record = parseMftRecord(new ByteView(bytes, 0, 'ntfs', 'mft-record'), 1);
          const file = await assembleFile(
            record,
            async () => undefined,
            async () => new Uint8Array(0),
          );
          for (const attribute of file.attributes)
            onlyFormatErrors(() => layoutOf(attribute, 'x', 1 << 20, 4096));
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }
    },
  );

  it('random bytes with a FILE signature never crash the record parser', () => {
    const next = random(13);
    for (let iteration = 0; iteration < 2000; iteration += 1) {
      const bytes = new Uint8Array(1024);
      for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(next() * 256);
      bytes.set([0x46, 0x49, 0x4c, 0x45], 0);
      bytes[20] = 56;
      bytes[21] = 0;
      onlyFormatErrors(() => parseMftRecord(new ByteView(bytes, 0, 'ntfs', 'mft-record'), 0));
    }
  });
});

const charlie = 'image/Velocidex_go-ntfs__charlie.dd.gz';
const charlieCorpus = skipUnlessCorpus('ntfs fuzz on charlie.dd', charlie);
describe.skipIf(charlieCorpus.skip)('fuzz: whole volume (charlie.dd with a damaged MFT)', () => {
  it('listing, lookups and stream reads end with only FormatErrors', async () => {
    const image = new Uint8Array(readFileSync(await openCorpusFile(charlie)));
    const clean = await openNtfs(new BufferReader(image));
    const mftStart = clean.info.mftCluster * clean.info.clusterSize;
    const next = random(17);
    let recorded = 0;
    for (let iteration = 0; iteration < 30; iteration += 1) {
      // Damage the first 64 records (system files, the root, the files) and sometimes the boot sector.
      const damaged = mutate(image, next, 200, mftStart, mftStart + 64 * 1024);
      if (iteration % 5 === 0) damaged.set(mutate(damaged.subarray(0, 80), next, 2), 0);
      let volume: Awaited<ReturnType<typeof openNtfs>>;
      try {
        volume = await openNtfs(new BufferReader(damaged), { maxErrors: 50 });
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        continue;
      }
      let lines = 0;
      for await (const _line of volume.bodyfile()) lines += 1;
      expect(lines).toBeGreaterThan(0);
      for await (const entry of volume.entries()) {
        for (const stream of entry.streams) {
          try {
            const reader = await volume.openFile(entry.recordNumber, stream.name);
            await reader.read(0, Math.min(reader.size, 1 << 20));
          } catch (error) {
            expect(error).toBeInstanceOf(FormatError);
          }
        }
      }
      await volume.lookup('\\Nine.txt').catch((error: unknown) => expect(error).toBeInstanceOf(FormatError));
      expect(volume.errors.length).toBeLessThanOrEqual(50);
      recorded += volume.errorCount;
    }
    expect(recorded).toBeGreaterThan(0);
  });
});
