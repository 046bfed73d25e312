import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  BufferReader,
  ByteView,
  CachedReader,
  FileReader,
  FormatError,
  filetimeToMicros,
  microsToIso,
  readLines,
  readView,
  SliceReader,
} from './index.js';

describe('ByteView', () => {
  const bytes = Uint8Array.from([
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x41, 0x00, 0x42, 0x00, 0, 0,
  ]);
  const view = new ByteView(bytes, 1000, 'test', 'header');

  it('reads little- and big-endian integers', () => {
    expect(view.u16(0)).toBe(0x0201);
    expect(view.u16be(0)).toBe(0x0102);
    expect(view.u32(0)).toBe(0x04030201);
    expect(view.u64(0)).toBe(0x0807060504030201n);
    expect(view.utf16(8, 4)).toBe('AB');
    expect(view.utf16z(8, 6)).toBe('AB');
  });

  it('throws a FormatError naming the absolute offset on an out-of-range read', () => {
    expect(() => view.u32(12)).toThrow(FormatError);
    try {
      view.u32(12);
    } catch (error) {
      expect((error as FormatError).offset).toBe(1012);
      expect((error as FormatError).structure).toBe('header');
      expect((error as FormatError).message).toMatch(/test header at offset 1012/);
    }
    expect(() => view.view(10, 10)).toThrow(FormatError);
    expect(() => view.u8(-1)).toThrow(FormatError);
  });

  it('refuses fractional offsets and reads signed and unsigned values alike', () => {
    expect(() => view.u32(1.5)).toThrow(FormatError);
    expect(() => view.u16(0.5)).toThrow(FormatError);
    const high = new ByteView(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    expect(high.u32(0)).toBe(0xffffffff);
    expect(high.i32(0)).toBe(-1);
    expect(high.u16(0)).toBe(0xffff);
  });

  it('copies really copy, even over a Node Buffer', () => {
    const buffer = Buffer.from([1, 2, 3, 4]);
    const copy = new ByteView(buffer).copy(0, 4);
    copy[0] = 9;
    expect(buffer[0]).toBe(1);
  });

  it('sub-views keep absolute offsets', () => {
    const sub = view.view(4, 4, 'cell');
    expect(sub.base).toBe(1004);
    expect(() => sub.u32(2)).toThrow(/offset 1006/);
  });

  it('formats GUIDs in registry form', () => {
    const guid = new ByteView(
      Uint8Array.from([
        0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
      ]),
    );
    expect(guid.guid(0)).toBe('{00112233-4455-6677-8899-AABBCCDDEEFF}');
  });
});

describe('readers', () => {
  it('refuses reads past the end and windows through slices', async () => {
    const reader = new BufferReader(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'mem');
    await expect(reader.read(6, 4)).rejects.toThrow(FormatError);
    const slice = new SliceReader(reader, 2, 4);
    expect([...(await slice.read(0, 4))]).toEqual([3, 4, 5, 6]);
    await expect(slice.read(1, 4)).rejects.toThrow(FormatError);
    await expect(readView(reader, 4, 8, 'fmt', 'block')).rejects.toThrow(/fmt block at offset 4.*truncated/);
  });

  it('caches pages with bounded memory and reads across page boundaries', async () => {
    const data = Uint8Array.from({ length: 1000 }, (_, index) => index & 0xff);
    const cached = new CachedReader(new BufferReader(data), { pageSize: 64, maxPages: 2 });
    expect([...(await cached.read(60, 10))]).toEqual([...data.subarray(60, 70)]);
    expect([...(await cached.read(900, 100))]).toEqual([...data.subarray(900, 1000)]);
  });

  it('opens files read-only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bt-io-'));
    const path = join(dir, 'evidence.bin');
    await writeFile(path, Uint8Array.from([9, 8, 7]));
    const reader = await FileReader.open(path);
    expect(reader.size).toBe(3);
    expect([...(await reader.read(1, 2))]).toEqual([8, 7]);
    await expect(reader.read(2, 2)).rejects.toThrow(FormatError);
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('time', () => {
  it('converts FILETIME to UTC microseconds and ISO 8601', () => {
    // 2003-08-11 20:13:03 UTC
    const micros = filetimeToMicros(127_051_063_830_000_000n);
    expect(micros).toBeDefined();
    expect(microsToIso(micros!)).toBe('2003-08-11T20:13:03.000000Z');
    expect(filetimeToMicros(0n)).toBeUndefined();
    expect(microsToIso(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});

describe('readLines', () => {
  it('splits CRLF and LF lines across chunk boundaries with numbers and offsets', async () => {
    const chunks = ['\ufeffab', 'c\r\nde', 'f\n\ngh'].map((text) => Buffer.from(text));
    const lines = [];
    for await (const line of readLines(Readable.from(chunks))) lines.push(line);
    expect(lines.map((line) => line.text)).toEqual(['abc', 'def', '', 'gh']);
    expect(lines.map((line) => line.number)).toEqual([1, 2, 3, 4]);
    expect(lines.map((line) => line.offset)).toEqual([0, 8, 12, 13]);
  });

  it('cuts over-long lines instead of growing without bound', async () => {
    const chunks = [Buffer.alloc(5000, 0x41), Buffer.alloc(5000, 0x42), Buffer.from('\nok\n')];
    const lines = [];
    for await (const line of readLines(Readable.from(chunks), { maxLineBytes: 1000 })) lines.push(line);
    expect(lines[0]!.truncated).toBe(true);
    expect(lines[0]!.text.length).toBe(1000);
    expect(lines[1]).toMatchObject({ text: 'ok', truncated: false, number: 2, offset: 10001 });
  });
});
