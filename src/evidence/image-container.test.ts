import { describe, expect, it } from 'vitest';
import { detectImageFormat } from './image-container.js';

function sector(fill = 0): Uint8Array {
  return new Uint8Array(4096).fill(fill);
}

function withSignature(bytes: Uint8Array): Uint8Array {
  bytes[510] = 0x55;
  bytes[511] = 0xaa;
  return bytes;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const empty = new Uint8Array(0);

describe('detectImageFormat', () => {
  it('recognises the signed containers by content, whatever the name', () => {
    const ewf = sector();
    ewf.set([0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00], 0);
    expect(detectImageFormat(ewf, empty, 'evidence.bin')).toBe('ewf');
    const vmdk = sector();
    vmdk.set(ascii('KDMV'), 0);
    expect(detectImageFormat(vmdk, empty, 'disk')).toBe('vmdk');
    const vhdx = sector();
    vhdx.set(ascii('vhdxfile'), 0);
    expect(detectImageFormat(vhdx, empty, 'disk.img')).toBe('vhdx');
    const footer = new Uint8Array(512);
    footer.set(ascii('conectix'), 0);
    // A fixed VHD has its only footer at the end: a `.dd` with one is a VHD (charlie.dd).
    expect(detectImageFormat(withSignature(sector()), footer, 'charlie.dd')).toBe('vhd');
  });

  it('takes a VMDK descriptor by name and text', () => {
    const descriptor = ascii('# Disk DescriptorFile\nversion=1\nRW 2048 SPARSE "disk-s001.vmdk"\n');
    const head = sector();
    head.set(descriptor, 0);
    expect(detectImageFormat(head, empty, 'disk.vmdk')).toBe('vmdk');
  });

  it('takes raw by name, or by a partition table or boot sector in sector 0', () => {
    expect(detectImageFormat(sector(7), empty, 'disk.dd')).toBe('raw');
    expect(detectImageFormat(sector(7), empty, 'disk.001')).toBe('raw');
    const mbr = withSignature(sector());
    mbr.set([0x80, 0, 0, 0, 0x07, 0, 0, 0, 0x00, 0x08, 0, 0, 0x00, 0x00, 0x01, 0], 446);
    expect(detectImageFormat(mbr, empty, 'evidence')).toBe('raw');
    const ntfs = withSignature(sector());
    ntfs.set(ascii('NTFS    '), 3);
    expect(detectImageFormat(ntfs, empty, 'volume')).toBe('raw');
    const gpt = sector();
    gpt.set(ascii('EFI PART'), 512);
    expect(detectImageFormat(gpt, empty, 'evidence')).toBe('raw');
  });

  it('leaves everything else to the loose-file source', () => {
    // 55AA at 510 alone (bad boot flags, no used entry) is not a partition table.
    const junk = withSignature(sector(0x33));
    expect(detectImageFormat(junk, empty, 'capture')).toBeUndefined();
    expect(detectImageFormat(ascii('regf'), empty, 'SYSTEM')).toBeUndefined();
    // Less than a sector holds no disk, whatever its name.
    expect(detectImageFormat(new Uint8Array(100), empty, 'random.bin')).toBeUndefined();
    expect(detectImageFormat(sector(), empty, 'netstat.txt')).toBeUndefined();
  });
});
