import { describe, expect, it } from 'vitest';
import { BufferReader, ByteView, FormatError } from '../io/index.js';
import { decompressLznt1 } from './lznt1.js';
import { NtfsStreamReader } from './stream-reader.js';

/** One compressed chunk: "abc" as literals, then a back reference (distance 3, length 9). */
const CHUNK = [0x05, 0xb0, 0x08, 0x61, 0x62, 0x63, 0x06, 0x20];

describe('LZNT1', () => {
  it('decompresses literals and overlapping back references', () => {
    const out = new Uint8Array(16);
    const produced = decompressLznt1(new ByteView(new Uint8Array(CHUNK), 0, 'ntfs', 'lznt1'), out);
    expect(produced).toBe(12);
    expect(new TextDecoder().decode(out.subarray(0, 12))).toBe('abcabcabcabc');
  });

  it('copies stored (uncompressed) chunks and pads short chunks to 4 KiB', () => {
    const stored = new Uint8Array(2 + 4096 + CHUNK.length);
    stored[0] = 0xff; // size - 3 = 0xfff: 4098 bytes in all, header bit 15 clear
    stored[1] = 0x3f;
    for (let index = 0; index < 4096; index += 1) stored[2 + index] = index & 0xff;
    stored.set(CHUNK, 4098);
    const out = new Uint8Array(8192);
    expect(decompressLznt1(new ByteView(stored, 0, 'ntfs', 'lznt1'), out)).toBe(4096 + 12);
    expect(out[4095]).toBe(0xff);
    expect(new TextDecoder().decode(out.subarray(4096, 4108))).toBe('abcabcabcabc');
  });

  it('refuses a back reference before the chunk start', () => {
    const bad = new Uint8Array([0x03, 0xb0, 0x01, 0x06, 0x20]);
    expect(() => decompressLznt1(new ByteView(bad, 0, 'ntfs', 'lznt1'), new Uint8Array(64))).toThrow(
      FormatError,
    );
  });

  it('reads compressed, sparse and stored units of a stream (512-byte clusters, 16-cluster units)', async () => {
    const cs = 512;
    const volume = new Uint8Array(64 * cs);
    volume.set(CHUNK, 2 * cs); // unit 0: one compressed cluster + 15 sparse clusters
    for (let index = 0; index < 16 * cs; index += 1) volume[10 * cs + index] = (index * 7) & 0xff; // unit 2 stored
    const reader = new NtfsStreamReader(new BufferReader(volume), cs, {
      name: 'test',
      dataSize: 3 * 16 * cs - 100,
      validSize: 3 * 16 * cs - 100,
      runs: [
        { vcn: 0, length: 1, lcn: 2 },
        { vcn: 1, length: 31, lcn: -1 }, // rest of unit 0 and all of unit 1 sparse
        { vcn: 32, length: 16, lcn: 10 },
      ],
      compressionUnit: 4,
    });
    const all = await reader.read(0, reader.size);
    expect(new TextDecoder().decode(all.subarray(0, 12))).toBe('abcabcabcabc');
    expect(all.subarray(12, 32 * cs).every((byte) => byte === 0)).toBe(true);
    expect(all[32 * cs + 5]).toBe(35);
    expect(await reader.read(32 * cs + 5, 1)).toEqual(new Uint8Array([35]));
    await expect(reader.read(reader.size - 1, 2)).rejects.toThrow(FormatError);
  });

  it('reads zeros past the valid data length and in sparse runs of a plain stream', async () => {
    const cs = 512;
    const volume = new Uint8Array(8 * cs).fill(0x41);
    const reader = new NtfsStreamReader(new BufferReader(volume), cs, {
      name: 'plain',
      dataSize: 4 * cs,
      validSize: cs + 10,
      runs: [
        { vcn: 0, length: 1, lcn: 1 },
        { vcn: 1, length: 1, lcn: -1 },
        { vcn: 2, length: 2, lcn: 3 },
      ],
      compressionUnit: 0,
    });
    const all = await reader.read(0, reader.size);
    expect(all.subarray(0, cs).every((byte) => byte === 0x41)).toBe(true);
    expect(all.subarray(cs).every((byte) => byte === 0)).toBe(true);
  });
});
