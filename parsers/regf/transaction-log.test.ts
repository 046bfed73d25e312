import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferReader, FileReader } from '../io/index.js';
import { REG_DWORD, REG_SZ } from './constants.js';
import { openHive } from './hive.js';
import { marvin32 } from './marvin32.js';
import { buildHive, dword, type HiveSpec, utf16 } from './test-support/hive-writer.js';
import { buildNewLog, buildOldLog } from './test-support/log-writer.js';

function spec(services: string[], sequence: number): HiveSpec {
  return {
    primarySequence: sequence,
    root: {
      name: 'SYSTEM',
      subkeys: [
        {
          name: 'ControlSet001',
          subkeys: [
            {
              name: 'Services',
              subkeys: services.map((name) => ({
                name,
                values: [
                  { name: 'ImagePath', type: REG_SZ, data: utf16(`%System%\\wins\\${name}.exe`) },
                  { name: 'Start', type: REG_DWORD, data: dword(2) },
                ],
              })),
            },
          ],
        },
      ],
    },
  };
}

/** The primary file as left by a crash: old content, sequences out of step. */
function dirty(bytes: Uint8Array, primary: number, secondary: number): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  view.setUint32(4, primary, true);
  view.setUint32(8, secondary, true);
  let checksum = 0;
  for (let at = 0; at < 508; at += 4) checksum = (checksum ^ view.getUint32(at, true)) >>> 0;
  view.setUint32(508, checksum, true);
  return copy;
}

const names = (hive: Awaited<ReturnType<typeof openHive>>): string[] =>
  hive
    .getKey('ControlSet001\\Services')!
    .subkeys()
    .map((key) => key.name);

describe('Marvin32', () => {
  it('is deterministic, seed- and length-sensitive', () => {
    const bytes = Uint8Array.from({ length: 37 }, (_, index) => index);
    const seed = 0x82ef4d887a4e55c5n;
    const results = new Set<bigint>();
    for (let length = 0; length <= 37; length += 1) results.add(marvin32(bytes, 0, length, seed));
    expect(results.size).toBe(38);
    expect(marvin32(bytes, 0, 8, seed)).toBe(marvin32(bytes.slice(), 0, 8, seed));
    expect(marvin32(bytes, 0, 8, seed)).not.toBe(marvin32(bytes, 0, 8, seed + 1n));
  });
});

describe('new-format logs (HvLE)', () => {
  const base = buildHive(spec(['Alerter'], 10));
  const step1 = buildHive(spec(['Alerter', 'RpcPatch'], 11));
  const step2 = buildHive(spec(['Alerter', 'RpcPatch', 'RpcTftpd'], 12));

  it('replays in place for a FileReader and on a copy for a caller buffer, with the same result', async () => {
    const primary = Buffer.from(dirty(base, 11, 10));
    const before = Buffer.from(primary);
    const log1 = buildNewLog(base, [step1], 10);
    const log2 = buildNewLog(step1, [step2], 11);
    const logs = () => [new BufferReader(log1, 'SYSTEM.LOG1'), new BufferReader(log2, 'SYSTEM.LOG2')];
    // A Node Buffer given by the caller: `Buffer#slice` would share memory, the replay must not.
    const fromBuffer = await openHive(new BufferReader(primary, 'SYSTEM'), { logs: logs() });
    expect(primary.equals(before)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'regf-replay-'));
    try {
      const path = join(dir, 'SYSTEM');
      writeFileSync(path, primary);
      const reader = await FileReader.open(path);
      const fromFile = await openHive(reader, { logs: logs() });
      await reader.close();
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(Buffer.from(fromFile.bytes).equals(Buffer.from(fromBuffer.bytes))).toBe(true);
      expect(names(fromFile)).toEqual(['Alerter', 'RpcPatch', 'RpcTftpd']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies entries in sequence order across two logs', async () => {
    const primary = dirty(base, 11, 10);
    const log1 = buildNewLog(base, [step1], 10);
    const log2 = buildNewLog(step1, [step2], 11);
    // Logs given in the "wrong" order: sequence numbers decide.
    const hive = await openHive(new BufferReader(primary, 'SYSTEM'), {
      logs: [new BufferReader(log2, 'SYSTEM.LOG2'), new BufferReader(log1, 'SYSTEM.LOG1')],
    });
    expect(hive.info.dirty).toBe(true);
    expect(names(hive)).toEqual(['Alerter', 'RpcPatch', 'RpcTftpd']);
    expect(hive.info.logsApplied).toEqual([
      expect.objectContaining({
        log: 'SYSTEM.LOG1',
        format: 'new',
        entries: 1,
        firstSequence: 10,
        lastSequence: 10,
      }),
      expect.objectContaining({
        log: 'SYSTEM.LOG2',
        format: 'new',
        entries: 1,
        firstSequence: 11,
        lastSequence: 11,
      }),
    ]);
    expect(hive.getKey('ControlSet001\\Services\\RpcTftpd')!.value('ImagePath')!.data).toBe(
      '%System%\\wins\\RpcTftpd.exe',
    );
  });

  it('stops at the first entry with a bad hash and reports it', async () => {
    const primary = dirty(base, 11, 10);
    const log = buildNewLog(base, [step1, step2], 10, { corruptEntry: 1 });
    const hive = await openHive(new BufferReader(primary), { logs: [new BufferReader(log, 'SYSTEM.LOG1')] });
    expect(names(hive)).toEqual(['Alerter', 'RpcPatch']);
    expect(hive.info.logsApplied).toEqual([expect.objectContaining({ entries: 1, lastSequence: 10 })]);
    expect(hive.errors.some((error) => error.structure === 'HvLE' && /hash/.test(error.reason))).toBe(true);
  });

  it('ignores logs of a clean hive and entries older than the hive', async () => {
    const log = buildNewLog(base, [step1], 10);
    const clean = await openHive(new BufferReader(base), { logs: [new BufferReader(log)] });
    expect(clean.info.logsApplied).toEqual([]);
    expect(names(clean)).toEqual(['Alerter']);
    const stale = await openHive(new BufferReader(dirty(base, 21, 20)), { logs: [new BufferReader(log)] });
    expect(stale.info.logsApplied).toEqual([]);
    const noReplay = await openHive(new BufferReader(dirty(base, 11, 10)), {
      logs: [new BufferReader(log)],
      replay: false,
    });
    expect(names(noReplay)).toEqual(['Alerter']);
  });
});

describe('old-format logs (DIRT)', () => {
  it('writes the dirty 512-byte pages into the in-memory hive', async () => {
    const before = buildHive(spec(['Alerter', 'RpcPatch'], 3));
    const after = buildHive(spec(['Alerter', 'RpcPatch', 'RpcTftpd'], 3));
    const log = buildOldLog(before, after, 3);
    const primary = dirty(before, 4, 3);
    const hive = await openHive(new BufferReader(primary), { logs: [new BufferReader(log, 'system.LOG')] });
    expect(names(hive)).toEqual(['Alerter', 'RpcPatch', 'RpcTftpd']);
    const [applied] = hive.info.logsApplied;
    expect(applied).toMatchObject({ log: 'system.LOG', format: 'old', entries: 0 });
    expect(applied!.pages).toBeGreaterThan(0);
    expect(primary).toEqual(dirty(before, 4, 3));
  });

  it('refuses a log whose timestamp does not match the hive', async () => {
    const before = buildHive(spec(['Alerter'], 3));
    const after = buildHive(spec(['Alerter', 'RpcTftpd'], 3));
    const log = buildOldLog(before, after, 3);
    new DataView(log.buffer).setUint32(12, 1, true);
    const hive = await openHive(new BufferReader(dirty(before, 4, 3)), { logs: [new BufferReader(log)] });
    expect(names(hive)).toEqual(['Alerter']);
    expect(hive.errors.some((error) => /checksum|timestamps/.test(error.reason))).toBe(true);
  });
});
