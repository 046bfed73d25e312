/**
 * Conformance against the reference tools on the real-world corpus (../shared/corpus/regf):
 * regfexport (libregf-utils) and hivexml (libhivex-bin). Skips when the corpus or a tool is absent.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferReader, FileReader, FormatError } from '../io/index.js';
import { type Hive, openHive } from './hive.js';
import { hasTool, runHivexml, runRegfexport } from './test-support/reference-tools.js';
import { walkHive, walkKeys } from './walk.js';

// The corpus sits beside the repository (../shared/corpus); a worktree is one level deeper.
const corpus =
  [
    join(process.cwd(), '..', 'shared', 'corpus', 'regf'),
    join(process.cwd(), '..', '..', 'shared', 'corpus', 'regf'),
  ].find((candidate) => existsSync(candidate)) ?? join(process.cwd(), '..', 'shared', 'corpus', 'regf');
const haveCorpus = existsSync(corpus);
const haveTools = hasTool('regfexport') && hasTool('hivexml');
if (!haveCorpus) console.warn(`regf conformance skipped: corpus ${corpus} is absent`);
if (!haveTools) console.warn('regf conformance skipped: regfexport or hivexml is not installed');

// regfexport needs ~10-20 s per 12 MB SYSTEM hive on a shared 2-core machine: the big hives are
// compared with regfexport only when REGF_FULL_CONFORMANCE=1 (hivexml always runs).
const full = process.env.REGF_FULL_CONFORMANCE === '1';
const REGFEXPORT_QUICK_LIMIT = 4 * 1024 * 1024;

let work = '';
/** Corpus file path, gunzipped into the temp dir when it is stored as .gz. */
function corpusFile(name: string): string {
  const plain = join(corpus, name);
  if (existsSync(plain)) return plain;
  const out = join(work, name);
  if (!existsSync(out)) writeFileSync(out, gunzipSync(readFileSync(`${plain}.gz`)));
  return out;
}

async function load(name: string, logs: string[] = []): Promise<Hive> {
  const readers = logs.map((log) => new BufferReader(new Uint8Array(readFileSync(corpusFile(log))), log));
  const bytes = new Uint8Array(readFileSync(corpusFile(name)));
  return openHive(new BufferReader(bytes, name), { logs: readers });
}

function ours(hive: Hive): { keys: string[]; values: string[] } {
  const rootName = hive.root()!.name;
  const keys: string[] = [];
  const values: string[] = [];
  for (const key of walkKeys(hive)) {
    const path = key.path === '\\' ? rootName : `${rootName}${key.path}`;
    keys.push(path);
    for (const value of key.values()) values.push(`${path}\t${value.name === '' ? '(default)' : value.name}`);
  }
  return { keys, values };
}

/** Values where hivexml gives a decoded string or number, compared with ours. */
function compareWithHivexml(hive: Hive, file: string): { compared: number; mismatches: string[] } {
  const reference = runHivexml(file);
  expect(reference.ok).toBe(true);
  const rootName = hive.root()!.name;
  let compared = 0;
  const mismatches: string[] = [];
  let keyCount = 0;
  for (const key of walkKeys(hive)) {
    keyCount += 1;
    const path = key.path === '\\' ? rootName : `${rootName}${key.path}`;
    const theirs = reference.keys.get(path);
    if (theirs === undefined) {
      mismatches.push(`key ${path} missing in hivexml`);
      continue;
    }
    for (const value of key.values()) {
      const other = theirs.get(value.name);
      if (other === undefined) {
        mismatches.push(`value ${path}\\${value.name} missing in hivexml`);
        continue;
      }
      if (other.base64) continue;
      const data = value.data;
      if ((other.type === 'string' || other.type === 'expand') && typeof data === 'string') {
        compared += 1;
        if (data !== other.value)
          mismatches.push(`${path}\\${value.name}: ${JSON.stringify([data, other.value])}`);
      } else if (other.type === 'int32' && typeof data === 'number') {
        compared += 1;
        if ((data | 0) !== Number(other.value))
          mismatches.push(`${path}\\${value.name}: ${data} vs ${other.value}`);
      } else if (other.type === 'int64' && typeof data === 'bigint') {
        compared += 1;
        if (BigInt.asIntN(64, data) !== BigInt(other.value ?? '')) mismatches.push(`${path}\\${value.name}`);
      } else if (other.type === 'string-list' && Array.isArray(data)) {
        compared += 1;
        // hivexml lists the empty string that terminates the list; we stop at it.
        const strings = other.strings ?? [];
        const expected = strings.includes('') ? strings.slice(0, strings.indexOf('')) : strings;
        if (JSON.stringify(data) !== JSON.stringify(expected))
          mismatches.push(`${path}\\${value.name}: ${JSON.stringify([data, other.strings])}`);
      }
    }
  }
  expect(keyCount).toBe(reference.keys.size);
  return { compared, mismatches };
}

const clean = [
  'EricZimmerman_Registry__Acronis_0x52_Usrclass.dat',
  'EricZimmerman_Registry__BCD',
  'EricZimmerman_Registry__NTUSER1.DAT',
  'EricZimmerman_Registry__SAM',
  'EricZimmerman_Registry__SAM_DUPENAME',
  'EricZimmerman_Registry__SAM_RootValue',
  'EricZimmerman_Registry__SAM_hasBigEndianDWord',
  'EricZimmerman_Registry__SECURITY',
  'EricZimmerman_Registry__UsrClassDeletedBags.dat',
  'log2timeline_plaso__100_sub_keys.hiv',
  'log2timeline_plaso__Amcache.hve',
  'log2timeline_plaso__NTUSER.DAT',
  'log2timeline_plaso__SAM',
  'mkorman90_regipy__SAM',
  'mkorman90_regipy__SECURITY',
  'mkorman90_regipy__SYSTEM',
  'williballenthin_python-registry__REORGANIZED_VALUES_TESTS',
  'williballenthin_python-registry__UNICODE_TESTS',
  'williballenthin_python-registry__issue22.hive',
];

describe.skipIf(!haveCorpus || !haveTools)('regf conformance on the corpus', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'regf-corpus-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists every corpus hive it knows (a new corpus file must be classified here)', () => {
    const names = readdirSync(corpus).map((name) => name.replace(/\.gz$/, ''));
    for (const name of clean) expect(names).toContain(name);
  });

  it.each(clean)('%s: same keys and values as regfexport, same data as hivexml', async (name) => {
    const hive = await load(name);
    const mine = ours(hive);
    if (full || hive.info.fileSize <= REGFEXPORT_QUICK_LIMIT) {
      const reference = runRegfexport(corpusFile(name));
      expect(reference.ok).toBe(true);
      expect(mine.keys).toHaveLength(reference.keys.length);
      expect(mine.values).toHaveLength(reference.values.length);
      expect([...mine.keys].sort()).toEqual([...reference.keys].sort());
    }
    const { compared, mismatches } = compareWithHivexml(hive, corpusFile(name));
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(0);
    expect(hive.errors).toEqual([]);
    for (const row of walkHive(hive)) JSON.stringify(row);
  });

  it.each([
    // regipy's own tests expect 315 and 132 recovered dirty pages for these logs.
    [
      'mkorman90_regipy__SYSTEM_B',
      ['mkorman90_regipy__SYSTEM_B.LOG1', 'mkorman90_regipy__SYSTEM_B.LOG2'],
      315,
      24,
    ],
    [
      'mkorman90_regipy__transactions_NTUSER.DAT',
      ['mkorman90_regipy__transactions_ntuser.dat.log1', 'mkorman90_regipy__transactions_ntuser.dat.log2'],
      132,
      23,
    ],
  ] as const)('%s: replays its logs; reference tools agree on the replayed image', async (name, logs, pages, entries) => {
    const before = await load(name);
    const hive = await load(name, [...logs]);
    expect(hive.info.dirty).toBe(true);
    const applied = hive.info.logsApplied;
    expect(applied.reduce((sum, log) => sum + log.pages, 0)).toBe(pages);
    expect(applied.reduce((sum, log) => sum + log.entries, 0)).toBe(entries);
    const mine = ours(hive);
    expect(mine.keys.length).toBeGreaterThan(ours(before).keys.length);
    // regfexport and hivexml do not replay logs: give them our replayed image (a temp copy).
    const replayed = join(work, `${name}.replayed`);
    writeFileSync(replayed, hive.bytes);
    if (full || hive.bytes.length <= REGFEXPORT_QUICK_LIMIT) {
      const reference = runRegfexport(replayed);
      expect([...mine.keys].sort()).toEqual([...reference.keys].sort());
      expect(mine.values).toHaveLength(reference.values.length);
    }
    expect(compareWithHivexml(hive, replayed).mismatches).toEqual([]);
  });

  it('plaso NTUSER.DAT with its old-format .LOG: the hive is clean, so the log is not applied', async () => {
    const hive = await load('log2timeline_plaso__NTUSER.DAT', ['log2timeline_plaso__ntuser.dat.LOG']);
    expect(hive.info.dirty).toBe(false);
    expect(hive.info.logsApplied).toEqual([]);
  });

  it('NotAHive is refused with a typed error', async () => {
    const error = await load('EricZimmerman_Registry__NotAHive').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ format: 'regf', structure: 'base block', offset: 0 });
  });

  it.each([
    // [file, keys we still walk, error structure expected]; the reference tools give up entirely
    // on these (hivexml: "Operation not supported"/"Bad address", regfexport: error exit).
    ['EricZimmerman_Registry__SAMBadHBinHeader', 68, 'hbin'],
    ['EricZimmerman_Registry__SAN(OTHER)', 68, undefined],
    ['log2timeline_plaso__corrupt_sub_key_list.hiv', 100, 'nk'],
    ['mkorman90_regipy__corrupted_system_hive', 1687, 'hbin'],
  ] as const)('%s: partial tree and typed errors, never a crash', async (name, keyCount, structure) => {
    const hive = await load(name);
    expect([...walkKeys(hive)]).toHaveLength(keyCount);
    if (structure !== undefined) {
      expect(hive.errors.length).toBeGreaterThan(0);
      expect(hive.errors[0]).toBeInstanceOf(FormatError);
      expect(hive.errors.map((error) => error.structure)).toContain(structure);
    }
    const rows = [...walkHive(hive)];
    expect(rows.at(-1)).toMatchObject({ kind: 'errors', total: hive.errorCount });
  });

  it('SECURITYNoRoot: same partial tree as both tools', async () => {
    const name = 'EricZimmerman_Registry__SECURITYNoRoot';
    const hive = await load(name);
    const mine = ours(hive);
    const reference = runRegfexport(corpusFile(name));
    expect([...mine.keys].sort()).toEqual([...reference.keys].sort());
    expect(mine.values).toHaveLength(reference.values.length);
    expect(compareWithHivexml(hive, corpusFile(name)).mismatches).toEqual([]);
  });

  it('recovers deleted keys from UsrClassDeletedBags.dat with resolved paths', async () => {
    const hive = await load('EricZimmerman_Registry__UsrClassDeletedBags.dat');
    const deleted = hive.deletedKeys();
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((key) => key.deleted)).toBe(true);
    const live = new Set([...walkKeys(hive)].map((key) => key.offset));
    expect(deleted.some((key) => live.has(key.offset))).toBe(false);
    expect(deleted.filter((key) => key.path.startsWith('\\')).length).toBeGreaterThan(0);
  });

  it('reads a hive through a FileReader', async () => {
    const reader = await FileReader.open(corpusFile('EricZimmerman_Registry__SAM'));
    try {
      const hive = await openHive(reader);
      expect(hive.getKey('SAM\\Domains\\Account\\Users\\Names')?.subkeys().length).toBeGreaterThan(0);
    } finally {
      await reader.close();
    }
  });
});
