import { describe, expect, it } from 'vitest';
import { ByteView, FormatError } from '../io/index.js';
import { detectNtfs, parseBootSector } from './boot-sector.js';
import { makeBootSector } from './test-support/boot-sector-bytes.js';

const parse = (bytes: Uint8Array) => parseBootSector(new ByteView(bytes, 0, 'ntfs', 'boot-sector'));

describe('boot sector', () => {
  it('reads geometry, MFT location, record sizes (2^-n form) and serial', () => {
    const boot = parse(makeBootSector());
    expect(boot).toMatchObject({
      bytesPerSector: 512,
      sectorsPerCluster: 8,
      clusterSize: 4096,
      mftCluster: 4,
      mftMirrorCluster: 6143,
      mftRecordSize: 1024,
      indexRecordSize: 4096,
      serialNumber: '1b8d7e6950d1d19b',
    });
    expect(boot.clusterCount).toBe(Math.floor((98_303 * 512) / 4096));
  });

  it('decodes the negative-exponent sectors-per-cluster byte of big-cluster volumes', () => {
    // 0xF7 = -9 -> 512 sectors of 512 bytes = 256 KiB clusters; records as 2^-10.
    const boot = parse(makeBootSector({ spc: 0xf7, totalSectors: 1 << 24, indexByte: 0xf4 }));
    expect(boot.clusterSize).toBe(256 * 1024);
    expect(boot.mftRecordSize).toBe(1024);
    // A positive record byte counts clusters.
    expect(parse(makeBootSector({ spc: 1, recordByte: 2, indexByte: 8 })).mftRecordSize).toBe(1024);
  });

  it('detects NTFS and refuses damaged boot sectors with typed errors', () => {
    expect(detectNtfs(makeBootSector())).toBe(true);
    expect(detectNtfs(new Uint8Array(512))).toBe(false);
    expect(detectNtfs(new Uint8Array(4))).toBe(false);
    const cases: Array<[string, (bytes: Uint8Array) => void]> = [
      ['oem', (b) => b.set([0x46], 3)],
      ['sector size', (b) => b.set([0x00, 0x03], 11)],
      ['spc zero', (b) => b.set([0], 13)],
      ['spc not power of two', (b) => b.set([3], 13)],
      ['mft outside', (b) => b.set([0xff, 0xff, 0xff], 48)],
      ['record size', (b) => b.set([0x03], 64)],
      ['index size', (b) => b.set([0x00], 68)],
    ];
    for (const [label, mutate] of cases) {
      const bytes = makeBootSector();
      mutate(bytes);
      expect(() => parse(bytes), label).toThrow(FormatError);
    }
    expect(() => parse(new Uint8Array(100))).toThrow(FormatError);
  });
});
