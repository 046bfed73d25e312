import { describe, expect, it, vi } from 'vitest';
import { BufferReader, FormatError, filetimeToMicros, microsToIso } from '../io/index.js';
import {
  REG_BINARY,
  REG_DWORD,
  REG_DWORD_BIG_ENDIAN,
  REG_EXPAND_SZ,
  REG_FULL_RESOURCE_DESCRIPTOR,
  REG_LINK,
  REG_MULTI_SZ,
  REG_NONE,
  REG_QWORD,
  REG_RESOURCE_LIST,
  REG_RESOURCE_REQUIREMENTS_LIST,
  REG_SZ,
} from './constants.js';
import { openHive, type RegistryKey, type RegistryValue } from './hive.js';
import {
  BLASTER_FILETIME,
  buildHive,
  dword,
  dwordBigEndian,
  type HiveSpec,
  multiSz,
  qword,
  utf16,
  type WriterKey,
} from './test-support/hive-writer.js';
import { visitKeys, walkHive, walkKeys } from './walk.js';

const big = Uint8Array.from({ length: 40_000 }, (_, index) => (index * 7) & 0xff);

function blasterSpec(): HiveSpec {
  const run: WriterKey = {
    name: 'Run',
    values: [
      { name: 'windows auto update', type: REG_SZ, data: utf16('msblast.exe') },
      { name: '', type: REG_SZ, data: utf16('default') },
    ],
  };
  return {
    root: {
      name: 'CMI-CreateHive{TEST}',
      subkeys: [
        {
          name: 'Microsoft',
          subkeys: [{ name: 'Windows', subkeys: [{ name: 'CurrentVersion', subkeys: [run] }] }],
        },
        {
          name: 'Types',
          className: 'TypeClass',
          values: [
            { name: 'none', type: REG_NONE, data: new Uint8Array([1, 2, 3]) },
            { name: 'sz', type: REG_SZ, data: utf16('hello\0garbage') },
            { name: 'expand', type: REG_EXPAND_SZ, data: utf16('%SystemRoot%\\system32') },
            { name: 'binary', type: REG_BINARY, data: new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01]) },
            { name: 'dword', type: REG_DWORD, data: dword(0xfffffffe) },
            { name: 'dwordbe', type: REG_DWORD_BIG_ENDIAN, data: dwordBigEndian(0x01020304) },
            { name: 'link', type: REG_LINK, data: utf16('\\Registry\\Machine\\X', false) },
            { name: 'multi', type: REG_MULTI_SZ, data: multiSz(['one', 'two', 'three']) },
            { name: 'rl', type: REG_RESOURCE_LIST, data: new Uint8Array(12).fill(8) },
            { name: 'frd', type: REG_FULL_RESOURCE_DESCRIPTOR, data: new Uint8Array(9).fill(9) },
            { name: 'rrl', type: REG_RESOURCE_REQUIREMENTS_LIST, data: new Uint8Array(10).fill(10) },
            { name: 'qword', type: REG_QWORD, data: qword(0x1122334455667788n) },
            { name: 'unknown', type: 0x1234, data: new Uint8Array([5, 6]) },
            { name: 'ascii sz', type: REG_SZ, data: new TextEncoder().encode('teekids.exe\0') },
            { name: 'cjk', type: REG_SZ, data: utf16('大正_大_Taisho_T') },
            { name: 'odd sz', type: REG_SZ, data: new Uint8Array([0x41, 0, 0x42, 0, 0x43]) },
            { name: 'empty', type: REG_SZ, data: new Uint8Array(0) },
            { name: 'big', type: REG_BINARY, data: big },
            { name: 'Ünïcode värde', type: REG_DWORD, data: dword(7) },
          ],
        },
        {
          name: 'Lists',
          subkeys: [
            { name: 'lf', list: 'lf', subkeys: [{ name: 'a' }, { name: 'b' }] },
            { name: 'li', list: 'li', subkeys: [{ name: 'c' }, { name: 'd' }] },
            {
              name: 'ri',
              list: 'ri',
              riLeafSize: 3,
              subkeys: Array.from({ length: 10 }, (_, index) => ({ name: `k${index}` })),
            },
          ],
        },
        { name: 'Ключ' },
      ],
    },
    deletedKeys: [
      {
        name: 'RpcTftpd',
        values: [{ name: 'ImagePath', type: REG_EXPAND_SZ, data: utf16('%System%\\wins\\svchost.exe') }],
      },
    ],
    deletedValues: [{ name: 'Microsoft Inet Xp..', type: REG_SZ, data: utf16('teekids.exe') }],
  };
}

async function open(bytes: Uint8Array) {
  return openHive(new BufferReader(bytes, 'test.hiv'));
}

describe('openHive on writer-built hives', () => {
  it('reads the base block', async () => {
    const hive = await open(buildHive(blasterSpec()));
    expect(hive.info).toMatchObject({
      majorVersion: 1,
      minorVersion: 5,
      primarySequence: 1,
      secondarySequence: 1,
      dirty: false,
      checksumValid: true,
      fileName: 'SYSTEM',
      logsApplied: [],
    });
    expect(microsToIso(hive.info.lastWritten!)).toBe('2003-08-11T20:13:03.000000Z');
    expect(hive.errorCount).toBe(0);
  });

  it('looks keys up case-insensitively, with or without the root name', async () => {
    const hive = await open(buildHive(blasterSpec()));
    const run = hive.getKey('microsoft\\WINDOWS\\CurrentVersion\\Run');
    expect(run?.path).toBe('\\Microsoft\\Windows\\CurrentVersion\\Run');
    expect(hive.getKey('CMI-CreateHive{TEST}\\Microsoft\\Windows\\CurrentVersion\\Run')?.offset).toBe(
      run?.offset,
    );
    expect(hive.getKey('\\Microsoft\\Windows\\CurrentVersion\\Run\\')?.offset).toBe(run?.offset);
    expect(hive.getKey('Microsoft\\Nope')).toBeUndefined();
    expect(hive.getKey('')?.path).toBe('\\');
    expect(run?.value('WINDOWS AUTO UPDATE')?.data).toBe('msblast.exe');
    expect(run?.value('')?.data).toBe('default');
    expect(run?.lastWrite).toBe(1_060_632_783_000_000n);
    expect(BLASTER_FILETIME).toBe(127_051_063_830_000_000n);
    expect(hive.getKey('Ключ')?.name).toBe('Ключ');
  });

  it('decodes every value type', async () => {
    const hive = await open(buildHive(blasterSpec()));
    const types = hive.getKey('Types')!;
    expect(types.className).toBe('TypeClass');
    const data = Object.fromEntries(types.values().map((value) => [value.name, value.data]));
    expect(data.none).toEqual(new Uint8Array([1, 2, 3]));
    expect(data.sz).toBe('hello');
    expect(data.expand).toBe('%SystemRoot%\\system32');
    expect(data.binary).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01]));
    expect(data.dword).toBe(0xfffffffe);
    expect(data.dwordbe).toBe(0x01020304);
    expect(data.link).toBe('\\Registry\\Machine\\X');
    expect(data.multi).toEqual(['one', 'two', 'three']);
    expect(data.rl).toEqual(new Uint8Array(12).fill(8));
    expect(data.frd).toEqual(new Uint8Array(9).fill(9));
    expect(data.rrl).toEqual(new Uint8Array(10).fill(10));
    expect(data.qword).toBe(0x1122334455667788n);
    expect(data.unknown).toEqual(new Uint8Array([5, 6]));
    expect(data['ascii sz']).toBe('teekids.exe');
    // All its bytes are printable ASCII, yet it is UTF-16 (seen in real SYSTEM hives: Nls\Calendars).
    expect(data.cjk).toBe('大正_大_Taisho_T');
    // UTF-16 with a dangling final byte: the odd byte is dropped (it stays in `raw`).
    expect(data['odd sz']).toBe('AB');
    expect(data.empty).toBe('');
    expect(data.big).toEqual(big);
    expect(data['Ünïcode värde']).toBe(7);
    const sz = types.value('sz')!;
    expect(sz.raw).toEqual(utf16('hello\0garbage'));
    expect(sz.typeName).toBe('REG_SZ');
    expect(types.value('unknown')!.typeName).toBe('REG_UNKNOWN_0x1234');
    expect(types.value('big')!.size).toBe(40_000);
    expect(hive.errorCount).toBe(0);
  });

  it('reads lf, li and nested ri subkey lists', async () => {
    const hive = await open(buildHive(blasterSpec()));
    expect(
      hive
        .getKey('Lists\\lf')!
        .subkeys()
        .map((key) => key.name),
    ).toEqual(['a', 'b']);
    expect(
      hive
        .getKey('Lists\\li')!
        .subkeys()
        .map((key) => key.name),
    ).toEqual(['c', 'd']);
    const ri = hive.getKey('Lists\\ri')!;
    expect(ri.subkeys().map((key) => key.name)).toEqual(
      Array.from({ length: 10 }, (_, index) => `k${index}`),
    );
    expect(hive.getKey('Lists\\ri\\K9')?.path).toBe('\\Lists\\ri\\k9');
  });

  it('recovers deleted keys and values from free cells with their paths', async () => {
    const hive = await open(buildHive(blasterSpec()));
    expect(hive.getKey('RpcTftpd')).toBeUndefined();
    const [key] = hive.deletedKeys();
    expect(key).toMatchObject({ name: 'RpcTftpd', path: '\\RpcTftpd', deleted: true });
    expect(key!.value('ImagePath')?.data).toBe('%System%\\wins\\svchost.exe');
    const values = hive
      .deletedValues()
      .map((value) => [value.name, value.data, value.keyPath, value.deleted]);
    expect(values).toContainEqual(['Microsoft Inet Xp..', 'teekids.exe', undefined, true]);
    expect(values).toContainEqual(['ImagePath', '%System%\\wins\\svchost.exe', '\\RpcTftpd', true]);
  });

  it('scans free cells only when deleted records are asked for, with the same result after a walk', async () => {
    const bytes = buildHive(blasterSpec());
    const walked = await open(bytes);
    const scan = vi.spyOn(walked, 'recoverDeleted');
    const visited: string[] = [];
    visitKeys(walked, (key) => {
      visited.push(key.path);
      for (const value of key.values()) expect(value.data).toBeDefined();
    });
    expect(visited).toEqual([...walkKeys(walked)].map((key) => key.path));
    expect([...walkHive(walked, { deleted: false })].some((row) => row.kind === 'key' && row.deleted)).toBe(
      false,
    );
    expect(scan).not.toHaveBeenCalled();
    const late = walked.recoverDeleted();
    expect(walked.recoverDeleted()).toBe(late);
    // A hive scanned before any walk finds the same records.
    const fresh = (await open(bytes)).recoverDeleted();
    const describeKeys = (keys: RegistryKey[]) =>
      keys.map((key) => [
        key.path,
        key.offset,
        key.lastWrite,
        key.values().map((value) => [value.name, value.data]),
      ]);
    const describeValues = (values: RegistryValue[]) =>
      values.map((value) => [value.name, value.offset, value.keyPath, value.data]);
    expect(describeKeys(late.keys)).toEqual(describeKeys(fresh.keys));
    expect(describeValues(late.values)).toEqual(describeValues(fresh.values));
    expect(late.keys.length + late.values.length).toBeGreaterThan(2);
    // walkHive with deleted rows uses the same (lazy, cached) scan.
    const rows = [...walkHive(walked, { meta: false })].filter((row) => row.kind === 'key' && row.deleted);
    expect(rows.map((row) => (row.kind === 'key' ? row.path : ''))).toEqual(late.keys.map((key) => key.path));
  });

  it('value(name) finds what values() lists, case-insensitively, the default value included', async () => {
    const hive = await open(buildHive(blasterSpec()));
    let lookups = 0;
    for (const key of walkKeys(hive)) {
      for (const value of key.values()) {
        const found = key.value(value.name.toUpperCase());
        expect(found?.offset).toBe(
          key.values().find((other) => other.name.toLowerCase() === value.name.toLowerCase())?.offset,
        );
        expect([found?.name, found?.keyPath, found?.data]).toEqual([value.name, key.path, value.data]);
        lookups += 1;
      }
      expect(key.value('no such value')).toBeUndefined();
    }
    expect(lookups).toBeGreaterThan(10);
    expect(hive.getKey('Microsoft\\Windows\\CurrentVersion\\Run')!.value('')!.data).toBe('default');
    expect(hive.errorCount).toBe(0);
  });

  it('keeps a key or value readable after the walk moved on (fields read from the hive bytes)', async () => {
    const hive = await open(buildHive(blasterSpec()));
    const keys = [...walkKeys(hive)];
    const values = keys.flatMap((key) => key.values());
    const run = keys.find((key) => key.path === '\\Microsoft\\Windows\\CurrentVersion\\Run')!;
    expect(run.lastWrite).toBe(
      run.node.lastWrittenFiletime === 0n ? undefined : filetimeToMicros(run.node.lastWrittenFiletime),
    );
    expect(run.valueCount).toBe(run.node.valueCount);
    const blaster = values.find((value) => value.name === 'windows auto update')!;
    expect([blaster.data, blaster.type, blaster.size, blaster.record.name, blaster.keyPath]).toEqual([
      'msblast.exe',
      REG_SZ,
      24,
      'windows auto update',
      run.path,
    ]);
    expect(blaster.raw).toBe(blaster.raw);
  });

  it('walkHive yields JSON rows: info, keys, deleted keys, orphan values, errors', async () => {
    const hive = await open(buildHive(blasterSpec()));
    const rows = [...walkHive(hive)];
    const json = JSON.parse(JSON.stringify(rows)) as typeof rows;
    expect(json).toEqual(rows);
    expect(rows[0]).toMatchObject({ kind: 'info', version: '1.5', dirty: false });
    const keys = rows.filter((row) => row.kind === 'key');
    expect(keys.filter((row) => !row.deleted)).toHaveLength([...walkKeys(hive)].length);
    const run = keys.find((row) => row.path === '\\Microsoft\\Windows\\CurrentVersion\\Run');
    expect(run).toMatchObject({ lastWrite: '2003-08-11T20:13:03.000000Z', valueCount: 2 });
    expect(run?.values[0]).toMatchObject({
      name: 'windows auto update',
      typeName: 'REG_SZ',
      data: 'msblast.exe',
    });
    const types = keys.find((row) => row.path === '\\Types')!;
    const byName = Object.fromEntries(types.values.map((value) => [value.name, value]));
    expect(byName.qword).toMatchObject({ data: '1234605616436508552', hex: false });
    expect(byName.binary).toMatchObject({ data: 'deadbeef01', hex: true });
    expect(keys.find((row) => row.deleted)).toMatchObject({ path: '\\RpcTftpd', name: 'RpcTftpd' });
    expect(rows).toContainEqual(
      expect.objectContaining({ kind: 'value', name: 'Microsoft Inet Xp..', keyPath: null, deleted: true }),
    );
    expect(rows.at(-1)).toEqual({ kind: 'errors', total: 0, kept: 0 });
  });

  it('detects dirty hives and reads them as they are without logs', async () => {
    const hive = await open(buildHive({ ...blasterSpec(), primarySequence: 5, secondarySequence: 4 }));
    expect(hive.info.dirty).toBe(true);
    expect(hive.getKey('Microsoft\\Windows\\CurrentVersion\\Run')).toBeDefined();
  });
});

describe('hostile hives', () => {
  it('refuses what is not a hive with a typed error', async () => {
    await expect(open(new Uint8Array(100))).rejects.toBeInstanceOf(FormatError);
    await expect(open(new Uint8Array(8192))).rejects.toThrow(/missing regf signature/);
  });

  it('reports a subkey cycle once and still walks the rest', async () => {
    const bytes = buildHive(blasterSpec());
    const hive0 = await open(bytes);
    const lf = hive0.getKey('Lists\\lf')!;
    const list = lf.node.subkeyList;
    // Point 'lf''s list element 'b' at 'Lists' (its own ancestor): a cycle.
    const view = new DataView(bytes.buffer);
    view.setUint32(4096 + list + 4 + 4 + 8, hive0.getKey('Lists')!.offset - 4096, true);
    const hive = await open(bytes);
    const paths = [...walkKeys(hive)].map((key) => key.path);
    expect(paths).toContain('\\Microsoft\\Windows\\CurrentVersion\\Run');
    expect(new Set(paths).size).toBe(paths.length);
    expect(hive.errors.some((error) => /reached twice/.test(error.reason))).toBe(true);
    expect(hive.errors[0]).toMatchObject({ format: 'regf', structure: 'nk' });
  });

  it('reports a bad value list offset with its file offset and keeps the key', async () => {
    const bytes = buildHive(blasterSpec());
    const hive0 = await open(bytes);
    const run = hive0.getKey('Microsoft\\Windows\\CurrentVersion\\Run')!;
    new DataView(bytes.buffer).setUint32(run.offset + 4 + 40, 0x7ffffff0, true);
    const hive = await open(bytes);
    expect(hive.getKey('Microsoft\\Windows\\CurrentVersion\\Run')!.values()).toEqual([]);
    expect(hive.errors[0]).toMatchObject({ structure: 'value list', offset: 4096 + 0x7ffffff0 });
    expect(hive.errors[0]!.file).toBe('test.hiv');
  });
});
