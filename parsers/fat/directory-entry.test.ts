import { describe, expect, it } from 'vitest';
import { ByteView } from '../io/index.js';
import { parseDirectoryEntry, shortNameChecksum } from './directory-entry.js';

function shortSlot(
  name: string,
  options: { first?: number; ntFlags?: number; attributes?: number } = {},
): ByteView {
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode(name.padEnd(11)), 0);
  if (options.first !== undefined) bytes[0] = options.first;
  bytes[11] = options.attributes ?? 0x20;
  bytes[12] = options.ntFlags ?? 0;
  new DataView(bytes.buffer).setUint16(20, 0x0001, true);
  new DataView(bytes.buffer).setUint16(26, 0x0002, true);
  new DataView(bytes.buffer).setUint32(28, 6176, true);
  return new ByteView(bytes, 4096, 'fat', 'directory entry');
}

describe('directory entries', () => {
  it('reads an 8.3 entry with NT lower-case flags and a 32-bit cluster', () => {
    const entry = parseDirectoryEntry(shortSlot('MSBLAST EXE', { ntFlags: 0x18 }));
    expect(entry).toMatchObject({
      kind: 'short',
      name: 'msblast.exe',
      startCluster: 0x10002,
      size: 6176,
      deleted: false,
    });
    expect(parseDirectoryEntry(shortSlot('MSBLAST EXE', { ntFlags: 0x08 }))).toMatchObject({
      name: 'msblast.EXE',
    });
    expect(parseDirectoryEntry(shortSlot('TFTP1234'))).toMatchObject({ name: 'TFTP1234' });
  });

  it('marks deleted entries and decodes 0x05 as 0xE5', () => {
    expect(parseDirectoryEntry(shortSlot('PENIS32 EXE', { first: 0xe5 }))).toMatchObject({
      name: '_ENIS32.EXE',
      deleted: true,
    });
    expect(parseDirectoryEntry(shortSlot('XBC     TXT', { first: 0x05 }))).toMatchObject({ name: 'åBC.TXT' });
  });

  it('computes the long-name checksum of fatgen103 §7 as mtools wrote it', () => {
    // From an mtools-made volume: "Blaster removal notes, August 2003.txt" -> BLASTE~1TXT, checksum 0xB3.
    expect(shortNameChecksum(new TextEncoder().encode('BLASTE~1TXT'))).toBe(0xb3);
  });

  it('reads a long-name entry part up to its NUL terminator', () => {
    const bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    bytes[0] = 0x41;
    bytes[11] = 0x0f;
    bytes[13] = 0xb3;
    const units = [...'abc.txt'].map((char) => char.charCodeAt(0));
    const slots = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    for (const [index, offset] of slots.entries()) {
      const unit = index < units.length ? units[index]! : index === units.length ? 0 : 0xffff;
      view.setUint16(offset, unit, true);
    }
    expect(parseDirectoryEntry(new ByteView(bytes))).toEqual({
      kind: 'long',
      order: 0x41,
      deleted: false,
      checksum: 0xb3,
      part: 'abc.txt',
      terminated: true,
    });
  });
});
