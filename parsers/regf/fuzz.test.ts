/**
 * Mutation fuzzing with a fixed seed: random byte flips, truncation, pointer swaps and zeroed
 * runs on a writer-built hive and (when present) small real corpus hives. Every case must open
 * or fail with a FormatError, and a full walk (keys, values, data, deleted records) must end
 * without an uncaught exception, in bounded time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferReader, FormatError } from '../io/index.js';
import { REG_BINARY, REG_MULTI_SZ, REG_SZ } from './constants.js';
import { openHive } from './hive.js';
import { buildHive, multiSz, utf16 } from './test-support/hive-writer.js';
import { walkHive } from './walk.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 0x100000000;
  };
}

function mutate(source: Uint8Array, next: () => number): Uint8Array {
  const kind = Math.floor(next() * 4);
  let bytes = source.slice();
  const at = () => Math.floor(next() * bytes.length);
  if (kind === 0) {
    for (let count = 1 + Math.floor(next() * 16); count > 0; count -= 1)
      bytes[at()] = Math.floor(next() * 256);
  } else if (kind === 1) {
    bytes = bytes.slice(0, Math.floor(next() * bytes.length));
  } else if (kind === 2) {
    // Swap aligned 4-byte words (cell offsets, sizes, counts) past the base block.
    const view = new DataView(bytes.buffer);
    for (let count = 1 + Math.floor(next() * 8); count > 0; count -= 1) {
      const a = 4096 + (Math.floor(next() * (bytes.length - 4100)) & ~3);
      const b = 4096 + (Math.floor(next() * (bytes.length - 4100)) & ~3);
      const word = view.getUint32(a, true);
      view.setUint32(a, view.getUint32(b, true), true);
      view.setUint32(b, word, true);
    }
  } else {
    const start = at();
    bytes.fill(next() < 0.5 ? 0 : 0xff, start, start + Math.floor(next() * 512));
  }
  return bytes;
}

async function exercise(bytes: Uint8Array): Promise<number> {
  try {
    const hive = await openHive(new BufferReader(bytes, 'fuzz'));
    let rows = 0;
    for (const row of walkHive(hive)) {
      JSON.stringify(row);
      rows += 1;
    }
    expect(hive.errors.length).toBeLessThanOrEqual(1000);
    return rows;
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return 0;
  }
}

const seedHive = buildHive({
  root: {
    name: 'ROOT',
    subkeys: Array.from({ length: 30 }, (_, index) => ({
      name: `Key${index}`,
      list: index % 2 ? 'ri' : 'lf',
      riLeafSize: 2,
      subkeys: [
        { name: 'a', values: [{ name: 'v', type: REG_SZ, data: utf16('x'.repeat(index)) }] },
        { name: 'b' },
      ],
      values: [
        { name: 'm', type: REG_MULTI_SZ, data: multiSz(['p', 'q']) },
        { name: 'big', type: REG_BINARY, data: new Uint8Array(index === 3 ? 20_000 : 12).fill(index) },
      ],
    })),
  },
  deletedKeys: [{ name: 'Gone', values: [{ name: 'x', type: REG_SZ, data: utf16('y') }] }],
});

const corpus = [join(process.cwd(), '..', 'shared', 'corpus', 'regf'), '/work/shared/corpus/regf'].find(
  existsSync,
);

describe('mutation fuzzing', () => {
  it('writer-built hive: 400 mutations, no crash, no hang', async () => {
    const next = random(0x5eed);
    for (let iteration = 0; iteration < 400; iteration += 1) await exercise(mutate(seedHive, next));
  });

  it.skipIf(corpus === undefined)('real hives: 150 mutations each, no crash, no hang', async () => {
    const next = random(0xb1a57);
    for (const name of ['EricZimmerman_Registry__SAM', 'williballenthin_python-registry__UNICODE_TESTS']) {
      const source = new Uint8Array(readFileSync(join(corpus!, name)));
      for (let iteration = 0; iteration < 150; iteration += 1) await exercise(mutate(source, next));
    }
  });

  it('pathological shapes: self-referencing lists and huge counts stay bounded', async () => {
    const bytes = seedHive.slice();
    const view = new DataView(bytes.buffer);
    const hive = await openHive(new BufferReader(bytes));
    const root = hive.root()!;
    // Root's subkey list points at itself as an ri, with a count of 65535.
    const list = root.node.subkeyList;
    bytes.set([0x72, 0x69], 4096 + list + 4);
    view.setUint16(4096 + list + 6, 0xffff, true);
    for (let index = 0; index < 8; index += 1) view.setUint32(4096 + list + 8 + index * 4, list, true);
    const start = Date.now();
    expect(await exercise(bytes)).toBeGreaterThan(0);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});
