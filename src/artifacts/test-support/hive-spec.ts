/**
 * One description of a hive's keys and values, rendered two ways: as a hive built by the
 * project's writer (deterministic, no tool needed: the samples) and as a `.reg` file for
 * `hivexregedit --merge` (a real registry writer: the tests).
 */
import {
  BLASTER_FILETIME,
  buildHive,
  dword,
  multiSz,
  qword,
  utf16,
  type WriterKey,
  type WriterValue,
} from '../../../parsers/regf/test-support/hive-writer.js';

export type SpecValue = { name: string } & (
  | { sz: string }
  | { expandSz: string }
  | { dword: number }
  | { qword: bigint }
  | { binary: Uint8Array }
  | { multiSz: string[] }
);

export interface SpecKey {
  /** Hive-relative path: `Microsoft\Windows\CurrentVersion\Run`. */
  path: string;
  /** FILETIME of the key's LastWrite (writer only; hivex stamps the merge time). */
  lastWrite?: bigint;
  values?: SpecValue[];
}

const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_BINARY = 3;
const REG_DWORD = 4;
const REG_MULTI_SZ = 7;
const REG_QWORD = 11;

/** FILETIME of an ISO 8601 UTC time. */
export function filetimeOf(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 10_000n + 116_444_736_000_000_000n;
}

/** Little-endian FILETIME bytes (e.g. `Control\Windows` ShutdownTime). */
export function filetimeBytes(iso: string): Uint8Array {
  return qword(filetimeOf(iso));
}

/** Little-endian DWORDs, for binary structures (FailureActions). */
export function dwords(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  for (const [index, value] of values.entries()) out.set(dword(value), index * 4);
  return out;
}

function writerValue(value: SpecValue): WriterValue {
  if ('sz' in value) return { name: value.name, type: REG_SZ, data: utf16(value.sz) };
  if ('expandSz' in value) return { name: value.name, type: REG_EXPAND_SZ, data: utf16(value.expandSz) };
  if ('dword' in value) return { name: value.name, type: REG_DWORD, data: dword(value.dword) };
  if ('qword' in value) return { name: value.name, type: REG_QWORD, data: qword(value.qword) };
  if ('multiSz' in value) return { name: value.name, type: REG_MULTI_SZ, data: multiSz(value.multiSz) };
  return { name: value.name, type: REG_BINARY, data: value.binary };
}

/** Builds the hive with the project's writer; keys not listed but on a path are created. */
export function buildSpecHive(keys: SpecKey[], rootName = 'ROOT'): Uint8Array {
  const root: WriterKey = { name: rootName, subkeys: [], lastWrite: BLASTER_FILETIME };
  for (const spec of keys) {
    let node = root;
    for (const part of spec.path.split('\\').filter((name) => name !== '')) {
      node.subkeys ??= [];
      let child = node.subkeys.find((key) => key.name.toLowerCase() === part.toLowerCase());
      if (child === undefined) {
        child = { name: part, lastWrite: spec.lastWrite ?? BLASTER_FILETIME };
        node.subkeys.push(child);
      }
      node = child;
    }
    if (spec.lastWrite !== undefined) node.lastWrite = spec.lastWrite;
    node.values = [...(node.values ?? []), ...(spec.values ?? []).map(writerValue)];
  }
  return buildHive({ root });
}

function hexList(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(',');
}

function regString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function regValue(value: SpecValue): string {
  const name = value.name === '' ? '@' : regString(value.name);
  if ('sz' in value) {
    return /^[\x20-\x7e]*$/.test(value.sz)
      ? `${name}=${regString(value.sz)}`
      : `${name}=hex(1):${hexList(utf16(value.sz))}`;
  }
  if ('expandSz' in value) return `${name}=hex(2):${hexList(utf16(value.expandSz))}`;
  if ('dword' in value) return `${name}=dword:${(value.dword >>> 0).toString(16).padStart(8, '0')}`;
  if ('qword' in value) return `${name}=hex(b):${hexList(qword(value.qword))}`;
  if ('multiSz' in value) return `${name}=hex(7):${hexList(multiSz(value.multiSz))}`;
  return `${name}=hex:${hexList(value.binary)}`;
}

/**
 * The keys as a `.reg` file below `prefix` (`HKEY_LOCAL_MACHINE\SOFTWARE`). hivexregedit
 * creates only the last key of a section, so every ancestor gets a section of its own first.
 */
export function specToReg(keys: SpecKey[], prefix: string): string {
  const seen = new Set<string>();
  const sections: string[] = ['Windows Registry Editor Version 5.00', ''];
  for (const spec of keys) {
    const parts = spec.path.split('\\').filter((name) => name !== '');
    for (let depth = 1; depth <= parts.length; depth += 1) {
      const path = parts.slice(0, depth).join('\\');
      const isLast = depth === parts.length;
      if (seen.has(path.toLowerCase()) && !isLast) continue;
      seen.add(path.toLowerCase());
      sections.push(`[${prefix}\\${path}]`);
      if (isLast) for (const value of spec.values ?? []) sections.push(regValue(value));
      sections.push('');
    }
  }
  return sections.join('\n');
}

/** `.reg` text deleting keys (`[-...]`) and values (`"name"=-`). */
export function deletionReg(
  prefix: string,
  keys: string[],
  values: Array<{ key: string; name: string }>,
): string {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (const key of keys) lines.push(`[-${prefix}\\${key}]`, '');
  for (const { key, name } of values) lines.push(`[${prefix}\\${key}]`, `${regString(name)}=-`, '');
  return lines.join('\n');
}
