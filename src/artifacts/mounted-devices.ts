import { asciiBytes, ByteView } from '../../parsers/io/index.js';
import { diskSignatureHex } from '../../parsers/partitions/index.js';
import type { Hive } from '../../parsers/regf/index.js';
import { keyAt } from './registry-hive.js';

/**
 * `SYSTEM\MountedDevices`: the mount manager's record of which volume had which drive letter
 * (`\DosDevices\C:`) or volume GUID name (`\??\Volume{...}`). The data names the volume:
 * - 12 bytes: MBR disk signature (u32) and the partition's byte offset (u64), basic MBR disks;
 * - `DMIO:ID:` and a 16-byte GUID: the GPT partition's unique GUID;
 * - otherwise a UTF-16LE device path (CD-ROMs, USB storage, dynamic volumes...).
 * With the image's partition table this turns `vol1` into `C:`.
 */
export interface MountedDevice {
  /** The value name: `\DosDevices\C:` or `\??\Volume{...}`. */
  name: string;
  /** `C:` for a `\DosDevices\` name. */
  driveLetter?: string;
  /** MBR basic-disk volumes: disk signature (8 upper-case hex digits) and byte offset. */
  diskSignature?: string;
  offset?: number;
  /** GPT volumes: the partition's unique GUID, `{...}` upper case. */
  partitionGuid?: string;
  /** Anything else: the device path the data holds. */
  device?: string;
}

const DMIO_ID = 'DMIO:ID:';
const DRIVE_NAME = /^\\DosDevices\\([A-Za-z]:)$/;

/** One value of the key; undefined for names that are neither a drive letter nor a volume name. */
export function parseMountedDevice(name: string, data: Uint8Array): MountedDevice | undefined {
  const letter = DRIVE_NAME.exec(name)?.[1];
  if (letter === undefined && !name.startsWith('\\??\\Volume{')) return undefined;
  const device: MountedDevice = {
    name,
    ...(letter === undefined ? {} : { driveLetter: letter.toUpperCase() }),
  };
  const view = new ByteView(data, 0, 'regf', 'MountedDevices data');
  if (data.length === 12) {
    device.diskSignature = diskSignatureHex(view.u32(0));
    const offset = view.u64(4);
    if (offset <= BigInt(Number.MAX_SAFE_INTEGER)) device.offset = Number(offset);
  } else if (data.length === 24 && view.matches(0, asciiBytes(DMIO_ID))) {
    device.partitionGuid = view.guid(8);
  } else {
    const text = view.utf16z(0, data.length & ~1);
    if (text !== '') device.device = text;
  }
  return device;
}

/** Every drive-letter and volume-name value of `MountedDevices`, in the hive's order. */
export function mountedDevices(system: Hive): MountedDevice[] {
  const key = keyAt(system, 'MountedDevices');
  if (key === undefined) return [];
  const out: MountedDevice[] = [];
  for (const value of key.values()) {
    try {
      const device = parseMountedDevice(value.name, value.raw);
      if (device !== undefined) out.push(device);
    } catch (error) {
      system.report(error);
    }
  }
  return out;
}

/** The identity of an image volume, as MountedDevices records it. */
export interface VolumeIdentity {
  start: number;
  diskSignature?: number;
  partitionGuid?: string;
}

/** The drive letter the host last gave this volume, when MountedDevices names it. */
export function driveLetterOf(volume: VolumeIdentity, devices: readonly MountedDevice[]): string | undefined {
  const signature = volume.diskSignature === undefined ? undefined : diskSignatureHex(volume.diskSignature);
  const guid = volume.partitionGuid?.toUpperCase();
  for (const device of devices) {
    if (device.driveLetter === undefined) continue;
    if (signature !== undefined && device.diskSignature === signature && device.offset === volume.start)
      return device.driveLetter;
    if (guid !== undefined && device.partitionGuid === guid) return device.driveLetter;
  }
  return undefined;
}
