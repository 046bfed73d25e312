import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../parsers/io/test-support/random.js';
import { driveLetterOf, type MountedDevice, parseMountedDevice } from './mounted-devices.js';

const mbr = (signature: number, offset: bigint): Uint8Array => {
  const data = new Uint8Array(12);
  const view = new DataView(data.buffer);
  view.setUint32(0, signature, true);
  view.setBigUint64(4, offset, true);
  return data;
};

/** `DMIO:ID:` then the GUID {01234567-89AB-CDEF-0123-456789ABCDEF} in its on-disk byte order. */
const gpt = (): Uint8Array =>
  Uint8Array.from([
    ...Buffer.from('DMIO:ID:', 'latin1'),
    ...[0x67, 0x45, 0x23, 0x01, 0xab, 0x89, 0xef, 0xcd, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef],
  ]);

describe('MountedDevices values', () => {
  it('reads MBR, GPT and device-path data, and the drive letter from the name', () => {
    expect(parseMountedDevice('\\DosDevices\\c:', mbr(0xdeadbeef, 32256n))).toEqual({
      name: '\\DosDevices\\c:',
      driveLetter: 'C:',
      diskSignature: 'DEADBEEF',
      offset: 32256,
    });
    expect(parseMountedDevice('\\DosDevices\\E:', gpt())).toEqual({
      name: '\\DosDevices\\E:',
      driveLetter: 'E:',
      partitionGuid: '{01234567-89AB-CDEF-0123-456789ABCDEF}',
    });
    const path = '\\??\\USBSTOR#Disk&Ven_Kingston#0001#{53f56307-b6bf-11d0-94f2-00a0c91efb8b}';
    expect(parseMountedDevice('\\??\\Volume{1}', Buffer.from(`${path}\0junk`, 'utf16le'))).toEqual({
      name: '\\??\\Volume{1}',
      device: path,
    });
  });

  it('skips other names; odd, empty or huge data gives no identity and no exception', () => {
    expect(parseMountedDevice('#{some-other-entry}', mbr(1, 0n))).toBeUndefined();
    expect(parseMountedDevice('\\DosDevices\\F:', new Uint8Array(0))).toEqual({
      name: '\\DosDevices\\F:',
      driveLetter: 'F:',
    });
    expect(parseMountedDevice('\\DosDevices\\G:', Uint8Array.of(0x41))).toEqual({
      name: '\\DosDevices\\G:',
      driveLetter: 'G:',
    });
    expect(parseMountedDevice('\\DosDevices\\H:', mbr(1, 0xffffffffffffffffn))).toEqual({
      name: '\\DosDevices\\H:',
      driveLetter: 'H:',
      diskSignature: '00000001',
    });
  });

  it('random, zeroed and truncated data of any length never throws (fixed seed)', () => {
    const next = mulberry32(0x4d44);
    const valid = [mbr(0xdeadbeef, 32256n), gpt()];
    for (let round = 0; round < 3000; round += 1) {
      const length = next() % 64;
      const data =
        round % 3 === 0
          ? new Uint8Array(length)
          : round % 3 === 1
            ? valid[round % 2]!.subarray(0, length % 25)
            : Uint8Array.from({ length }, () => next() & 0xff);
      const device = parseMountedDevice(round % 2 ? '\\DosDevices\\Z:' : '\\??\\Volume{x}', data);
      expect(device?.name).toBeDefined();
      if (device?.offset !== undefined) expect(Number.isSafeInteger(device.offset)).toBe(true);
    }
  });

  it('gives an image volume the letter whose signature and offset, or partition GUID, match', () => {
    const devices: MountedDevice[] = [
      parseMountedDevice('\\??\\Volume{a}', mbr(0x1234, 1048576n))!,
      parseMountedDevice('\\DosDevices\\C:', mbr(0x1234, 1048576n))!,
      parseMountedDevice('\\DosDevices\\D:', mbr(0x1234, 2097152n))!,
      parseMountedDevice('\\DosDevices\\E:', gpt())!,
    ];
    expect(driveLetterOf({ start: 1048576, diskSignature: 0x1234 }, devices)).toBe('C:');
    expect(driveLetterOf({ start: 2097152, diskSignature: 0x1234 }, devices)).toBe('D:');
    expect(driveLetterOf({ start: 1048576, diskSignature: 0x9999 }, devices)).toBeUndefined();
    expect(
      driveLetterOf({ start: 0, partitionGuid: '{01234567-89ab-cdef-0123-456789abcdef}' }, devices),
    ).toBe('E:');
    expect(driveLetterOf({ start: 0 }, devices)).toBeUndefined();
  });
});
