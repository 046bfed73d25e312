/**
 * Registry test fixtures: hives merged by the real `hivexregedit` (libwin-hivex-perl) or built
 * by the project's writer, laid out as a triage collection in a directory, then read the way
 * the scan reads them (locate, host facts, registry reader).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FormatErrorRecord } from '../../../parsers/io/index.js';
import { buildHive } from '../../../parsers/regf/test-support/hive-writer.js';
import { cleanHostHiveKeys, systemKeys } from '../../../samples/sample-hives.js';
import { openEvidence } from '../../evidence/open-evidence.js';
import { locateArtifacts } from '../../locate/artifacts.js';
import type { NormalizedRecord } from '../../model/records.js';
import { type CollectedHostFacts, collectHostFacts } from '../host-facts.js';
import { readRegistryHive } from '../registry.js';
import { dwords, filetimeOf, type SpecKey, specToReg } from './hive-spec.js';

export function hasHivexregedit(): boolean {
  return spawnSync('sh', ['-c', 'command -v hivexregedit'], { stdio: 'ignore' }).status === 0;
}

export const SOFTWARE_PREFIX = 'HKEY_LOCAL_MACHINE\\SOFTWARE';
export const SYSTEM_PREFIX = 'HKEY_LOCAL_MACHINE\\SYSTEM';
export const USER_PREFIX = 'HKEY_CURRENT_USER';

/** Runs `hivexregedit --merge` of `reg` into the hive at `path` (created empty first when absent). */
export function mergeReg(path: string, reg: string, prefix: string, create = true): void {
  mkdirSync(dirname(path), { recursive: true });
  if (create) writeFileSync(path, buildHive({ root: { name: 'ROOT' } }));
  const regPath = `${path}.${Date.now()}.reg`;
  writeFileSync(regPath, reg);
  const result = spawnSync('hivexregedit', ['--merge', '--prefix', prefix, path, regPath], {
    encoding: 'utf8',
  });
  if (result.status !== 0 || result.stderr !== '') {
    throw new Error(`hivexregedit failed (${result.status}): ${result.stderr}`);
  }
}

/** A hive of `keys` merged by hivexregedit into a new file at `path`; returns its bytes. */
export function hivexHive(path: string, keys: SpecKey[], prefix: string): Uint8Array {
  mergeReg(path, specToReg(keys, prefix), prefix);
  return new Uint8Array(readFileSync(path));
}

/** Welchia.A's services (WEA-S1/S2) on an XP SP1 host that Welchia patched (KB823980). */
export function welchiaHostHiveKeys(): { system: SpecKey[]; software: SpecKey[] } {
  const installed = filetimeOf('2003-08-19T02:00:05Z');
  const system = systemKeys('WS-LAB-03', '2003-08-25T08:00:00Z').map((key) =>
    // Hand remediation of the RPC crashes: "restart the service" instead of the reboot.
    key.path === 'ControlSet001\\Services\\RpcSs'
      ? {
          ...key,
          values: (key.values ?? []).map((value) =>
            value.name === 'FailureActions'
              ? { name: 'FailureActions', binary: dwords(0, 0, 0, 1, 0x14, 1, 60_000) }
              : value,
          ),
        }
      : key,
  );
  system.push(
    {
      path: 'ControlSet001\\Services\\RpcPatch',
      lastWrite: installed,
      values: [
        { name: 'DisplayName', sz: 'WINS Client' },
        { name: 'ImagePath', expandSz: '%System%\\wins\\dllhost.exe' },
        { name: 'Start', dword: 2 },
        { name: 'Type', dword: 0x10 },
        { name: 'ErrorControl', dword: 1 },
      ],
    },
    {
      path: 'ControlSet001\\Services\\RpcTftpd',
      lastWrite: installed,
      values: [
        { name: 'DisplayName', sz: 'Network Connections Sharing' },
        { name: 'ImagePath', sz: 'C:\\WINDOWS\\system32\\wins\\svchost.exe' },
        { name: 'Start', dword: 3 },
        { name: 'Type', dword: 0x10 },
      ],
    },
  );
  return { system, software: cleanHostHiveKeys().software };
}

export interface ReadHives {
  host: CollectedHostFacts;
  records: NormalizedRecord[];
  errors: Map<string, FormatErrorRecord[]>;
}

/** Reads a collection directory the way the scan does: host facts, then every hive's records. */
export async function readCollection(dir: string, fallbackHost = 'fallback'): Promise<ReadHives> {
  const source = await openEvidence(dir);
  try {
    const { artifacts } = await locateArtifacts(source);
    const host = await collectHostFacts(source, artifacts, fallbackHost);
    const records: NormalizedRecord[] = [];
    const errors = new Map<string, FormatErrorRecord[]>();
    for (const artifact of artifacts.filter((item) => item.type === 'registry-hive')) {
      const kept: FormatErrorRecord[] = [];
      errors.set(artifact.sourcePath, kept);
      const context = {
        source,
        artifact,
        host: host.facts?.record.host ?? fallbackHost,
        profiles: host.facts?.profiles ?? [],
        reportError: (error: FormatErrorRecord) => kept.push(error),
        countUnkeptErrors: () => {},
      };
      for await (const record of readRegistryHive(context)) records.push(record);
    }
    return { host, records, errors };
  } finally {
    await source.close();
  }
}

/** Writes files (path relative to `dir`, `/`-separated) into a collection directory. */
export function writeCollection(dir: string, files: Array<{ path: string; data: Uint8Array }>): void {
  for (const file of files) {
    const path = join(dir, ...file.path.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.data);
  }
}
