/** Hostile input: truncated, zeroed, random and mutated logs never crash, hang or throw untyped errors. */
import { describe, expect, it } from 'vitest';
import { BufferReader, FormatError } from '../io/index.js';
import { mulberry32 } from '../io/test-support/random.js';
import { openEvt } from './index.js';
import { blasterDay, buildEvtLog } from './test-support/evt-writer.js';

/** Small deterministic PRNG (mulberry32) so failures reproduce: numbers in [0, 1). */
function random(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/** Opens and walks a log; returns record count, or 'rejected' when openEvt threw a FormatError. */
async function walk(bytes: Uint8Array): Promise<number | 'rejected'> {
  let log: Awaited<ReturnType<typeof openEvt>>;
  try {
    log = await openEvt(new BufferReader(bytes), { blockSize: 4096, maxRecordSize: 0x2000 });
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return 'rejected';
  }
  let count = 0;
  for await (const record of log.records()) {
    expect(record.size).toBeLessThanOrEqual(0x2000);
    count += 1;
  }
  for (const error of log.errors) expect(error).toBeInstanceOf(FormatError);
  expect(log.errors.length).toBeLessThanOrEqual(1000);
  // Every record occupies at least the minimum record size of the file.
  expect(count).toBeLessThanOrEqual(bytes.length / 0x3c + 1);
  return count;
}

const base = buildEvtLog({ fileSize: 0x4000, events: blasterDay(1_060_632_783, 40), freeExtra: 0x400 }).bytes;

describe('hostile EVT input', () => {
  it('survives every truncation length on a 4-byte grid', async () => {
    for (let length = 0; length <= base.length; length += 52) {
      const result = await walk(base.slice(0, length));
      if (length < 0x30) expect(result).toBe('rejected');
    }
  });

  it('survives zeroed files and zeroed regions', async () => {
    const zero = new Uint8Array(0x4000);
    expect(await walk(zero)).toBe('rejected');
    const headerOnly = zero.slice();
    headerOnly.set(base.subarray(0, 0x30));
    expect(await walk(headerOnly)).toBe(0);
    const next = random(7);
    for (let round = 0; round < 40; round += 1) {
      const bytes = base.slice();
      const start = 0x30 + Math.floor(next() * (bytes.length - 0x30));
      bytes.fill(0, start, Math.min(bytes.length, start + Math.floor(next() * 0x800)));
      await walk(bytes);
    }
  });

  it('survives random bytes behind a valid signature', async () => {
    const next = random(11);
    for (let round = 0; round < 30; round += 1) {
      const bytes = Uint8Array.from({ length: 0x30 + Math.floor(next() * 0x3000) }, () =>
        Math.floor(next() * 256),
      );
      bytes.set(base.subarray(0, 0x30), 0);
      // Plant signatures so the scanners have something to chew on.
      for (let plant = 0; plant < 20; plant += 1) {
        const at = 0x30 + 4 * Math.floor((next() * (bytes.length - 0x40)) / 4);
        bytes.set([0x4c, 0x66, 0x4c, 0x65], at + 4);
      }
      await walk(bytes);
    }
  });

  it('survives a mutated log (bytes, dwords and length fields), fixed seed', async () => {
    const next = random(2003);
    for (let round = 0; round < 150; round += 1) {
      const bytes = base.slice();
      const view = new DataView(bytes.buffer);
      const edits = 1 + Math.floor(next() * 12);
      for (let edit = 0; edit < edits; edit += 1) {
        const at = 4 * Math.floor((next() * (bytes.length - 4)) / 4);
        const kind = next();
        if (kind < 0.4) bytes[at] = Math.floor(next() * 256);
        else if (kind < 0.7)
          view.setUint32(
            at,
            [0, 0x27, 0x28, 0x30, 0x3c, 0xffffffff, 0x7fffffff][Math.floor(next() * 7)]!,
            true,
          );
        else view.setUint32(at, Math.floor(next() * 0x100000000), true);
      }
      await walk(bytes);
    }
  });

  it('survives a header whose offsets point anywhere, including at the very end', async () => {
    for (const value of [0, 0x2f, 0x30, 0x3ffc, 0x4000, 0xffffffff]) {
      for (const field of [0x10, 0x14]) {
        const bytes = base.slice();
        new DataView(bytes.buffer).setUint32(field, value, true);
        expect(await walk(bytes)).not.toBe('rejected');
      }
    }
  });
});
