import type { RandomAccessReader } from '../../parsers/io/index.js';
import {
  type Hive,
  openHive,
  type RegistryKey,
  type RegistryValue,
  type ValueData,
} from '../../parsers/regf/index.js';
import type { EvidenceSource } from '../evidence/vfs.js';
import type { LocatedArtifact } from '../locate/artifacts.js';

/**
 * Opening located hives once per scan: the host-facts stage opens SYSTEM and SOFTWARE first
 * (host name, time zone), and the registry reader later takes the same parsed hive instead of
 * reading it again. The cache belongs to the evidence source (a WeakMap), so it ends with it.
 */
const opened = new WeakMap<EvidenceSource, Map<string, Promise<Hive>>>();

/** Opens a hive with its transaction logs replayed in memory (the evidence is never written). */
async function openFromSource(source: EvidenceSource, artifact: LocatedArtifact): Promise<Hive> {
  const reader = await source.openReader(artifact.sourcePath);
  const logs: RandomAccessReader[] = [];
  try {
    for (const path of artifact.logs ?? []) {
      // An empty or unreadable log is left out: the primary file is still read as it is.
      try {
        const log = await source.openReader(path);
        if (log.size > 0) logs.push(log);
        else await log.close();
      } catch {}
    }
    // openHive reads the hive and its logs into memory: the readers are done with after it.
    return await openHive(reader, { logs, name: artifact.sourcePath });
  } finally {
    for (const open of [reader, ...logs]) await open.close().catch(() => {});
  }
}

/** The hive of a located artifact, parsed once per source (see `takeLocatedHive`). */
export function openLocatedHive(source: EvidenceSource, artifact: LocatedArtifact): Promise<Hive> {
  let bySource = opened.get(source);
  if (bySource === undefined) {
    bySource = new Map();
    opened.set(source, bySource);
  }
  let hive = bySource.get(artifact.sourcePath);
  if (hive === undefined) {
    hive = openFromSource(source, artifact);
    // Rejections are seen by whoever awaits; this keeps an unawaited one from being "unhandled".
    hive.catch(() => {});
    bySource.set(artifact.sourcePath, hive);
  }
  return hive;
}

/** Like `openLocatedHive`, and forgets the hive: its last user frees the memory. */
export function takeLocatedHive(source: EvidenceSource, artifact: LocatedArtifact): Promise<Hive> {
  const hive = openLocatedHive(source, artifact);
  opened.get(source)?.delete(artifact.sourcePath);
  return hive;
}

/**
 * The root under which Windows shows a hive: `HKLM\SOFTWARE`, `HKLM\SYSTEM`, `HKU\<user>` for an
 * NTUSER.DAT (the profile folder name stands in for the SID, which the hive does not hold).
 */
export function hiveRoot(role: string | undefined, user: string | undefined): string {
  if (role === 'NTUSER') return `HKU\\${user ?? '?'}`;
  return `HKLM\\${role ?? '?'}`;
}

/**
 * A hive-relative key path (`\Microsoft\Windows`, `?\Run` for a recovered key whose parent
 * chain is broken) as Windows shows it (`HKLM\SOFTWARE\Microsoft\Windows`, `HKLM\SOFTWARE\?\Run`).
 */
export function windowsKeyPath(root: string, hivePath: string): string {
  if (hivePath === '\\' || hivePath === '') return root;
  return `${root}\\${hivePath.replace(/^\\/, '')}`;
}

const MAX_HEX_BYTES = 4096;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lower-case hex of the first 4 KiB, with the full size noted when cut. */
export function hexOf(bytes: Uint8Array): string {
  const shown = bytes.length > MAX_HEX_BYTES ? bytes.subarray(0, MAX_HEX_BYTES) : bytes;
  let out = '';
  for (const byte of shown) out += HEX[byte]!;
  return bytes.length > shown.length ? `${out}... (${bytes.length} bytes)` : out;
}

/** Value data as the model's text: MULTI_SZ joined with `\n`, numbers in decimal, bytes in hex. */
export function renderValueData(value: RegistryValue): string {
  let data: ValueData;
  try {
    data = value.data;
  } catch (error) {
    value.hive.report(error);
    return '';
  }
  if (typeof data === 'string') return data;
  if (typeof data === 'number' || typeof data === 'bigint') return data.toString();
  if (Array.isArray(data)) return data.join('\n');
  return hexOf(data);
}

/** A value's string data (SZ / EXPAND_SZ / first MULTI_SZ item), trimmed; undefined otherwise. */
export function stringOf(value: RegistryValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  const data = value.data;
  if (typeof data === 'string') return data.trim();
  if (Array.isArray(data) && data[0] !== undefined) return data[0].trim();
  return undefined;
}

/** A REG_DWORD's number (unsigned), undefined for any other data. */
export function dwordOf(value: RegistryValue | undefined): number | undefined {
  const data = value?.data;
  return typeof data === 'number' ? data : undefined;
}

/** Key lookup that never throws (damaged structures are recorded in `hive.errors`). */
export function keyAt(hive: Hive, path: string): RegistryKey | undefined {
  try {
    return hive.getKey(path);
  } catch (error) {
    hive.report(error);
    return undefined;
  }
}

/** A value of a key by path, or undefined. */
export function valueAt(hive: Hive, keyPath: string, name: string): RegistryValue | undefined {
  return keyAt(hive, keyPath)?.value(name);
}

/**
 * The current control set (`Select\Current`, else `Select\Default`, else the first
 * `ControlSetNNN`) as a hive-relative key name, when the hive has one.
 */
export function currentControlSet(system: Hive): string | undefined {
  const select = keyAt(system, 'Select');
  for (const name of ['Current', 'Default']) {
    const number = dwordOf(select?.value(name));
    if (number === undefined || number === 0 || number > 999) continue;
    const candidate = `ControlSet${String(number).padStart(3, '0')}`;
    if (keyAt(system, candidate) !== undefined) return candidate;
  }
  return controlSets(system)[0];
}

/** Every `ControlSetNNN` key name at the root of a SYSTEM hive, sorted. */
export function controlSets(system: Hive): string[] {
  const root = system.root();
  if (root === undefined) return [];
  return root
    .subkeys()
    .map((key) => key.name)
    .filter((name) => /^ControlSet\d{3}$/i.test(name))
    .sort();
}
