/**
 * Single MFT entries with edge cases from omerbenamram/mft's test data (corpus). Expected values
 * were derived by reading the hex of each entry (names, namespaces, parents, sizes), and agree with
 * what omerbenamram/mft's own tests describe for these files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteView } from '../io/index.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { assembleFile } from './file-record.js';
import { parseMftRecord } from './mft-record.js';
import { decodeRunList } from './run-list.js';

const corpus = skipUnlessCorpus('MFT entry corpus tests', 'mft');

async function load(name: string) {
  const bytes = new Uint8Array(readFileSync(await openCorpusFile(`mft/omerbenamram_mft__${name}`)));
  const record = parseMftRecord(new ByteView(bytes, 0, 'ntfs', 'mft-record'), 0);
  const file = await assembleFile(
    record,
    async () => undefined,
    async () => new Uint8Array(0),
  );
  return { record, file };
}

describe.skipIf(corpus.skip)('MFT entries from the corpus', () => {
  it('entry_102130_fixup_issue: a torn sector is reported, the entry is still used', async () => {
    const { record, file } = await load('entry_102130_fixup_issue');
    expect(record.warnings).toHaveLength(1);
    expect(record.warnings[0]?.reason).toMatch(/bad fixup/);
    expect(record.isDirectory).toBe(true);
    expect(record.sequence).toBe(8);
    expect(file.fileNames.map((name) => [name.value.name, name.value.namespace])).toEqual([
      ['APPLIC~1', 'DOS'],
      ['Application Data', 'Win32'],
    ]);
    expect(file.fileNames[0]?.value.parent.record).toBe(101_990);
  });

  it('entry_single_file: Win32 + DOS names and a non-resident $DATA', async () => {
    const { file } = await load('entry_single_file');
    expect(file.fileNames.map((name) => name.value.name)).toEqual(['TEST_C~3.PY', 'test_cfuncs.py']);
    const data = file.attributes.find((attribute) => attribute.type === 0x80)!;
    expect(data.resident).toBe(false);
    expect(data.dataSize).toBe(8072);
    const runs = decodeRunList(data.pieces[0]!.runList!, 0, data.pieces[0]!.lastVcn, 1 << 30);
    expect(runs.reduce((sum, run) => sum + run.length, 0) * 4096).toBeGreaterThanOrEqual(8072);
  });

  it('entry_long_name_and_res_ads_002: POSIX name and a resident named stream', async () => {
    const { file } = await load('entry_long_name_and_res_ads_002');
    expect(file.fileNames.map((name) => [name.value.name, name.value.namespace])).toEqual([
      ['longname_res_with_ads.txt', 'POSIX'],
    ]);
    const streams = file.attributes.filter((attribute) => attribute.type === 0x80);
    expect(streams.map((stream) => [stream.name, stream.resident, stream.dataSize])).toEqual([
      ['', true, 24],
      ['res.ads', true, 37],
    ]);
  });

  it('entry_super_long_name_001: a 228-character name', async () => {
    const { file } = await load('entry_super_long_name_001');
    expect(file.fileNames[0]?.value.name).toHaveLength(228);
    expect(file.fileNames[0]?.value.name.startsWith('time_for_a_super_super')).toBe(true);
  });

  it('entry_multiple_index_root_entries: $INDEX_ROOT, $INDEX_ALLOCATION and $BITMAP of a directory', async () => {
    const { record, file } = await load('entry_multiple_index_root_entries');
    expect(record.isDirectory).toBe(true);
    expect(file.fileNames[0]?.value).toMatchObject({ name: 'test', namespace: 'Win32&DOS' });
    expect(file.attributes.map((attribute) => [attribute.type, attribute.name])).toEqual([
      [0x90, '$I30'],
      [0xa0, '$I30'],
      [0xb0, '$I30'],
    ]);
    const allocation = file.attributes[1]!;
    const runs = decodeRunList(allocation.pieces[0]!.runList!, 0, allocation.pieces[0]!.lastVcn, 1 << 30);
    expect(runs.reduce((sum, run) => sum + run.length, 0) * 4096).toBe(allocation.allocatedSize);
  });

  it('entry_data_run_at_offset: extension record, $UsnJrnl:$J whose run list starts at an odd offset', async () => {
    const { record, file } = await load('entry_data_run_at_offset');
    expect(record.baseReference.record).toBe(57_676);
    const journal = file.attributes.find((attribute) => attribute.name === '$J')!;
    expect(journal.dataSize).toBe(2_152_925_272);
    const piece = journal.pieces[0]!;
    const runs = decodeRunList(piece.runList!, piece.firstVcn, piece.lastVcn, 1 << 30);
    expect(runs[0]?.vcn).toBe(piece.firstVcn);
    expect(runs.at(-1)!.vcn + runs.at(-1)!.length).toBe(piece.lastVcn + 1);
    expect(runs.some((run) => run.lcn < 0)).toBe(true); // the journal's sparse head
  });
});
