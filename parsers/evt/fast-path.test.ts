/**
 * The record walk's fast paths (native signature search, short-string decoding, shared data
 * slab, small batches) against the obvious slow reading of the same bytes: on the corpus
 * SysEvent.Evt (skipped when absent) and on writer logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferReader, ByteView } from '../io/index.js';
import { type EvtRecord, openEvt } from './index.js';
import { blasterDay, buildEvtLog } from './test-support/evt-writer.js';

const corpusPath = [
  resolve(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'shared',
    'corpus',
    'evt',
    'log2timeline_plaso__SysEvent.Evt.gz',
  ),
  '/work/shared/corpus/evt/log2timeline_plaso__SysEvent.Evt.gz',
].find((path) => existsSync(path));
if (corpusPath === undefined) console.warn('corpus SysEvent.Evt absent: EVT fast-path corpus tests skipped');

/** Reads a record's names and strings with ByteView.utf16z and its data byte for byte. */
function slowFields(file: Uint8Array, record: EvtRecord) {
  const view = new ByteView(file.subarray(record.offset, record.offset + record.size));
  const end = record.size - 4;
  const sourceName = view.utf16z(0x38, end - 0x38);
  const computerName = view.utf16z(0x38 + sourceName.length * 2 + 2, end - 0x38 - sourceName.length * 2 - 2);
  const strings: string[] = [];
  let position = view.u32(0x24);
  const dataOffset = view.u32(0x34);
  const dataLength = view.u32(0x30);
  const stringsEnd = dataLength !== 0 && dataOffset > position && dataOffset <= end ? dataOffset : end;
  while (strings.length < view.u16(0x1a) && position < stringsEnd) {
    const text = view.utf16z(position, stringsEnd - position);
    strings.push(text);
    position += text.length * 2 + 2;
  }
  return {
    sourceName,
    computerName,
    strings,
    data: Array.from(dataLength === 0 ? [] : view.subarray(dataOffset, dataLength)),
    timeGenerated: BigInt(view.u32(0x0c)) * 1_000_000n,
    timeWritten: BigInt(view.u32(0x10)) * 1_000_000n,
  };
}

async function walk(
  file: Uint8Array,
  options: { blockSize?: number; maxRecordSize?: number } = {},
): Promise<{ records: EvtRecord[]; batches: number[] }> {
  const log = await openEvt(new BufferReader(file), options);
  const records: EvtRecord[] = [];
  const batches: number[] = [];
  for await (const batch of log.recordBatches()) {
    batches.push(batch.length);
    records.push(...batch);
  }
  return { records, batches };
}

function comparable(record: EvtRecord) {
  return { ...record, data: Array.from(record.data) };
}

describe.skipIf(corpusPath === undefined)('fast paths on the corpus SysEvent.Evt', () => {
  const file =
    corpusPath === undefined ? new Uint8Array(0) : new Uint8Array(gunzipSync(readFileSync(corpusPath)));

  it('decodes names, strings, data and times exactly as the slow readers do', async () => {
    const { records } = await walk(file);
    expect(records.length).toBe(6320);
    let checked = 0;
    for (const record of records) {
      if (record.offset + record.size > file.length) continue; // split across the end of the file
      expect({
        sourceName: record.sourceName,
        computerName: record.computerName,
        strings: record.strings,
        data: Array.from(record.data),
        timeGenerated: record.timeGenerated,
        timeWritten: record.timeWritten,
      }).toEqual(slowFields(file, record));
      checked += 1;
    }
    expect(checked).toBeGreaterThan(6300);
  });

  it('gives the same records whatever the block size, in batches of at most 256', async () => {
    const reference = await walk(file);
    expect(Math.max(...reference.batches)).toBeLessThanOrEqual(256);
    for (const blockSize of [0x40000 + 16, 0x50000, 4 * 1024 * 1024]) {
      const other = await walk(file, { blockSize });
      expect(other.records.map(comparable)).toEqual(reference.records.map(comparable));
    }
  });
});

describe('fast paths on writer logs', () => {
  it('recovers the same slack records with any block size (native signature search at block edges)', async () => {
    const built = buildEvtLog({
      fileSize: 0x8000,
      events: blasterDay(1_060_632_000, 200),
      freeExtra: 0x1000,
    });
    const reference = await walk(built.bytes);
    expect(reference.records.filter((record) => record.recovered).length).toBeGreaterThan(3);
    // Small blocks (records up to 0x400 bytes): many block edges inside the live and slack areas.
    for (const blockSize of [0x410, 0x414, 0x41c, 0x800, 0x1234]) {
      const other = await walk(built.bytes, { blockSize, maxRecordSize: 0x400 });
      expect(other.records.map(comparable)).toEqual(reference.records.map(comparable));
    }
    // Records copied out of the block are their own bytes: changing the file does not touch them.
    const before = reference.records.map((record) => Array.from(record.data));
    built.bytes.fill(0);
    expect(reference.records.map((record) => Array.from(record.data))).toEqual(before);
  });
});
