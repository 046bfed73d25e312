/**
 * Conformance on real NTFS volumes: one built by ntfs-3g in the test (see
 * test-support/build-image.ts for what real tools made), and the go-ntfs corpus image charlie.dd.
 * Listing vs `fls -r -m /` line by line, every extracted stream vs the SHA-256 of what was put in
 * and vs `icat`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileReader, type RandomAccessReader, readBlocks } from '../io/index.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { type NtfsEntry, type NtfsVolume, openNtfs } from './index.js';
import { NameTable } from './name-table.js';
import { type BuiltImage, buildTestImage, toolMissing } from './test-support/build-image.js';
import { compareRecord, newTally } from './test-support/scan-equivalence.js';
import { diffLines, flsBodyfile, icatSha256, tskAvailable } from './test-support/tsk.js';

async function sha256Of(reader: RandomAccessReader): Promise<string> {
  const hash = createHash('sha256');
  for await (const block of readBlocks(reader, 1 << 20)) hash.update(block);
  return hash.digest('hex');
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

let built: BuiltImage | undefined;
let skipReason = toolMissing();
if (skipReason === undefined) {
  try {
    built = buildTestImage();
  } catch (error) {
    skipReason = `cannot build the ntfs-3g test image (FUSE mount?): ${(error as Error).message.split('\n')[0]}`;
  }
}
if (skipReason !== undefined) console.warn(`ntfs volume conformance skipped: ${skipReason}`);

describe.skipIf(built === undefined)('volume built by ntfs-3g vs The Sleuth Kit', () => {
  const image = built?.image ?? '';
  let reader: FileReader;
  let volume: NtfsVolume;
  let entries: NtfsEntry[];

  beforeAll(async () => {
    reader = await FileReader.open(image);
    volume = await openNtfs(reader);
    entries = await collect(volume.entries());
  });
  afterAll(async () => {
    await reader?.close();
    built?.cleanup();
  });

  it('reads the boot sector like mkntfs wrote it', () => {
    expect(volume.info.clusterSize).toBe(4096);
    expect(volume.info.mftRecordSize).toBe(1024);
    expect(volume.info.indexRecordSize).toBe(4096);
    expect(volume.info.volumeSize).toBe(48 * 1024 * 1024 - 512); // mkntfs keeps the backup boot sector
    expect(volume.errors).toEqual([]);
  });

  it('writes the same bodyfile as fls -r -m / (all lines, all times)', async () => {
    const ours = await collect(volume.bodyfile());
    const theirs = flsBodyfile(image);
    expect(theirs.length).toBeGreaterThan(900);
    expect(diffLines(ours, theirs)).toEqual({ onlyOurs: [], onlyTheirs: [] });
    expect(ours.length).toBe(theirs.length);
  });

  it('fast scan and object path agree on every record; chunks are the lines', async () => {
    const stream = await volume.openFile(0, '');
    const mft = await stream.read(0, stream.size);
    const size = volume.info.mftRecordSize;
    const table = new NameTable(volume.info.mftRecordCount);
    const tally = newTally();
    for (let record = 0; record < volume.info.mftRecordCount; record += 1)
      compareRecord(mft, record * size, size, record, table, tally);
    expect(tally.disagreements).toEqual([]);
    // A clean volume without attribute lists: every record takes the fast path.
    expect(tally.fast).toBeGreaterThan(500);
    expect(tally.fallback).toBe(0);
    const chunks: Uint8Array[] = [];
    for await (const chunk of volume.bodyfileChunks()) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toBe(`${(await collect(volume.bodyfile())).join('\n')}\n`);
  });

  it('extracts every file put in with its SHA-256, and as icat does', async () => {
    for (const file of built!.files) {
      const reader = await volume.open(file.path.replaceAll('/', '\\'));
      expect(reader, file.path).toBeDefined();
      expect(reader!.size, file.path).toBe(file.size);
      expect(await sha256Of(reader!), file.path).toBe(file.sha256);
    }
    // icat on every stream of every record, deleted ones included (system files too), except
    // that only every 20th of the look-alike Prefetch and filler files is compared (test time).
    let compared = 0;
    for (const entry of entries) {
      const lookAlike = /^\/(WINDOWS\/Prefetch|fill)\//.test(entry.path);
      if (lookAlike && entry.recordNumber % 20 !== 0) continue;
      for (const stream of entry.streams) {
        if (stream.size > 8 * 1024 * 1024) continue;
        const ours = await sha256Of(await volume.openFile(entry.recordNumber, stream.name));
        expect(ours, `${entry.path}:${stream.name}`).toBe(
          icatSha256(image, `${entry.recordNumber}-128-${stream.attributeId}`),
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('reads compressed (LZNT1), sparse and fragmented files', async () => {
    const compressed = await volume.open('/compressed/mixed.dat');
    expect(compressed?.compressed).toBe(true);
    expect(compressed!.runs.some((run) => run.lcn < 0)).toBe(true);
    const text = entries.find((entry) => entry.path === '/compressed/text.log')!;
    expect(text.streams[0]).toMatchObject({ compressed: true, size: 300_000 });
    expect(text.streams[0]!.allocatedSize).toBeGreaterThan(0);
    const sparse = entries.find((entry) => entry.path === '/sparse.bin')!;
    expect(sparse.streams[0]?.sparse).toBe(true);
    expect(sparse.attributeFlags).toContain('SPARSE_FILE');
    const fragmented = await volume.open('\\FRAGMENTED.BIN');
    expect(fragmented!.runs.filter((run) => run.lcn >= 0).length).toBeGreaterThan(1);
    // Random access inside a compressed file matches the bytes put in.
    const original = built!.files.find((file) => file.path === '/compressed/mixed.dat')!;
    expect(original.size).toBe(400_000);
    const middle = await compressed!.read(199_990, 20);
    const whole = await compressed!.read(0, compressed!.size);
    expect(middle).toEqual(whole.subarray(199_990, 200_010));
  });

  it('puts a deleted file whose parent record was reused under /$OrphanFiles, as TSK does', async () => {
    // Simulate reuse of the deleted directory's MFT record: bump its sequence number in a copy.
    const tempdir = entries.find((entry) => entry.path === '/tempdir')!;
    const record = await volume.readRecord(tempdir.recordNumber);
    const bytes = readFileSync(image);
    const at = bytes.indexOf(Buffer.from(record!.view.bytes.subarray(0, 56)));
    expect(at).toBeGreaterThan(0);
    bytes.writeUInt16LE(tempdir.sequence + 7, at + 16); // header sequence number (not under a fixup)
    const patched = join(built!.dir, 'orphan.raw');
    writeFileSync(patched, bytes);
    const patchedReader = await FileReader.open(patched);
    try {
      const orphaned = await openNtfs(patchedReader);
      const ours = await collect(orphaned.bodyfile());
      expect(diffLines(ours, flsBodyfile(patched))).toEqual({ onlyOurs: [], onlyTheirs: [] });
      expect(ours.filter((line) => line.includes('/$OrphanFiles/orphan.txt (deleted)|'))).toHaveLength(1);
      const entry = (await collect(orphaned.entries())).find((item) => item.names[0]?.name === 'orphan.txt');
      expect(entry?.path).toBe('/$OrphanFiles/orphan.txt');
    } finally {
      await patchedReader.close();
      rmSync(patched);
    }
  });

  it('looks up paths case-insensitively, by long and 8.3 names, with streams', async () => {
    const system = await volume.lookup('\\WINDOWS\\system32\\config\\SYSTEM');
    expect(system).toBeDefined();
    expect(await volume.lookup('\\windows\\SYSTEM32\\CONFIG\\system')).toBe(system);
    expect(await volume.lookup('/WINDOWS/AVERYL~1.TXT')).toBe(
      await volume.lookup('/WINDOWS/A very long file name for Windows.txt'),
    );
    expect(await volume.lookup('\\WINDOWS\\nope.exe')).toBeUndefined();
    const zone = await volume.open('\\WINDOWS\\download.exe:Zone.Identifier');
    expect(new TextDecoder().decode(await zone!.read(0, zone!.size))).toBe('[ZoneTransfer]\r\nZoneId=3\r\n');
  });

  it('lists names (long, 8.3, hard links), streams and deleted entries', () => {
    const long = entries.find((entry) => entry.path === '/WINDOWS/A very long file name for Windows.txt')!;
    expect(long.names.map((name) => name.namespace).sort()).toEqual(['DOS', 'Win32']);
    expect(long.names.find((name) => name.namespace === 'DOS')?.name).toBe('AVERYL~1.TXT');
    const blaster = entries.find((entry) => entry.paths.includes('/WINDOWS/system32/msblast.exe'))!;
    expect(blaster.paths.sort()).toEqual(['/WINDOWS/msblast-link.exe', '/WINDOWS/system32/msblast.exe']);
    expect(blaster.size).toBe(6176);
    expect(blaster.si?.created).toBeTypeOf('bigint');
    const download = entries.find((entry) => entry.path === '/WINDOWS/download.exe')!;
    const streams = download.streams.map((stream) => [stream.name, stream.size, stream.resident]);
    expect(streams.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['', 9000, false],
      ['payload', 20_000, false],
      ['Zone.Identifier', 26, true],
    ]);
    const deleted = entries.filter((entry) => entry.deleted && entry.names.length > 0);
    expect(deleted.map((entry) => entry.path)).toEqual(
      expect.arrayContaining(['/tempdir', '/tempdir/orphan.txt']),
    );
    for (const entry of deleted) expect(entry.inUse).toBe(false);
    // Files deleted and whose MFT record ntfs-3g reused are gone from the MFT (TSK agrees).
    const prefetch = entries.filter((entry) => entry.path.startsWith('/WINDOWS/Prefetch/'));
    expect(prefetch).toHaveLength(400);
    expect(
      JSON.parse(JSON.stringify(entries[0], (_k, v) => (typeof v === 'bigint' ? String(v) : v))),
    ).toHaveProperty('recordNumber', 0);
  });
});

const charlie = 'image/Velocidex_go-ntfs__charlie.dd.gz';
const charlieCorpus = skipUnlessCorpus('charlie.dd conformance', charlie);
const charlieTsk = tskAvailable();
if (!charlieTsk) console.warn('charlie.dd conformance skipped: fls/icat missing');

describe.skipIf(charlieCorpus.skip || !charlieTsk)(
  'go-ntfs corpus image charlie.dd vs The Sleuth Kit',
  () => {
    let image: string;
    let reader: FileReader;
    let volume: NtfsVolume;
    beforeAll(async () => {
      image = await openCorpusFile(charlie);
      reader = await FileReader.open(image);
      volume = await openNtfs(reader);
    });
    afterAll(async () => {
      await reader?.close();
    });

    it('writes the same bodyfile as fls -r -m /', async () => {
      const ours = await collect(volume.bodyfile());
      expect(diffLines(ours, flsBodyfile(image))).toEqual({ onlyOurs: [], onlyTheirs: [] });
      // Nine.txt has an $ATTRIBUTE_LIST with ADS in extension records (ids 11, 12 as TSK numbers them).
      expect(ours.some((line) => line.includes('|/Nine.txt:111|38-128-11|'))).toBe(true);
    });

    it('extracts every stream as icat does', async () => {
      let compared = 0;
      for await (const entry of volume.entries()) {
        for (const stream of entry.streams) {
          // icat prints nothing for $BadClus:$Bad (TSK special-cases it); we read its sparse zeros.
          if (entry.recordNumber === 8 && stream.name === '$Bad') continue;
          const ours = await sha256Of(await volume.openFile(entry.recordNumber, stream.name));
          expect(ours, `${entry.path}:${stream.name}`).toBe(
            icatSha256(image, `${entry.recordNumber}-128-${stream.attributeId}`),
          );
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(20);
    });
  },
);
