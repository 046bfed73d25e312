import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BufferReader } from '../../parsers/io/index.js';
import { hashReader, isKnownBinaryCandidate, MAX_HASHED_BYTES } from './known-binaries.js';

describe('isKnownBinaryCandidate', () => {
  it('takes the catalog binaries by name and place, any case', () => {
    for (const path of [
      '\\WINDOWS\\system32\\msblast.exe',
      '\\WINNT\\System32\\PENIS32.EXE',
      '\\WINDOWS\\system32\\teekids.exe',
      '\\WINDOWS\\system32\\mspatch.exe',
      '\\WINDOWS\\system32\\mslaugh.exe',
      '\\WINDOWS\\system32\\Enbiei.exe',
      '\\WINDOWS\\system32\\eschlp.exe',
      '\\WINDOWS\\system32\\svchosthlp.exe',
      '\\WINDOWS\\system32\\wins\\dllhost.exe',
      '\\WINDOWS\\system32\\wins\\svchost.exe',
      '\\WINDOWS\\system32\\drivers\\svchost.exe',
      '\\WINDOWS\\system32\\TFTP1432',
      '\\Documents and Settings\\bob\\Start Menu\\Programs\\Startup\\TFTP7',
      '\\Temp\\RpcServicePack.exe',
    ]) {
      expect(isKnownBinaryCandidate(path, 1000), path).toBe(true);
    }
  });

  it('takes files of the worms sizes in system32 and system32\\wins only', () => {
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\renamed.exe', 6176)).toBe(true);
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\wins\\x.dat', 10_240)).toBe(true);
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\drivers\\x.sys', 6176)).toBe(false);
    expect(isKnownBinaryCandidate('\\Program Files\\x.exe', 6176)).toBe(false);
  });

  it('leaves ordinary files, legitimate namesakes and huge files alone', () => {
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\svchost.exe', 14_336)).toBe(false);
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\dllhost.exe', 5632)).toBe(false);
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\tftp.exe', 16_896)).toBe(false);
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\TFTP1432.old', 100)).toBe(false);
    expect(isKnownBinaryCandidate('\\WINDOWS\\system32\\msblast.exe', MAX_HASHED_BYTES + 1)).toBe(false);
  });
});

describe('hashReader', () => {
  it('gives the MD5, SHA-1 and SHA-256 of the bytes, read in blocks', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, index) => (index * 31) & 0xff);
    const hashes = await hashReader(new BufferReader(bytes));
    for (const algorithm of ['md5', 'sha1', 'sha256'] as const) {
      expect(hashes[algorithm]).toBe(createHash(algorithm).update(bytes).digest('hex'));
    }
  });
});
