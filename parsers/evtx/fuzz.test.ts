/**
 * Hostile input: truncated, zeroed, random and mutated files (fixed seeds, bounded iterations).
 * Nothing may throw except a FormatError from openEvtx for a non-EVTX header; no hangs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferReader, FormatError } from '../io/index.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { openEvtx } from './index.js';
import {
  BLASTER_DAY,
  rpcTerminated,
  unexpectedShutdown,
  winsClientInstalled,
} from './test-support/events.js';
import { buildEvtx } from './test-support/evtx-writer.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** Parses everything; returns the record count, or -1 when openEvtx rejected the header. */
async function drain(bytes: Uint8Array): Promise<number> {
  let log: Awaited<ReturnType<typeof openEvtx>>;
  try {
    log = await openEvtx(new BufferReader(bytes, 'fuzz.evtx'));
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return -1;
  }
  let count = 0;
  for await (const record of log.records()) {
    count += 1;
    record.xml();
    JSON.stringify(record.event);
  }
  for (const error of log.errors.list) expect(error).toBeInstanceOf(FormatError);
  return count;
}

const written = buildEvtx(
  [rpcTerminated(1n, BLASTER_DAY), winsClientInstalled(2n, BLASTER_DAY), unexpectedShutdown(3n, BLASTER_DAY)],
  { recordsPerChunk: 2 },
);
const corpusFile = 'evtx/omerbenamram_evtx__Application_no_crc32.evtx';
const corpus = skipUnlessCorpus('evtx fuzz on a mutated real file', corpusFile);

describe('hostile input', () => {
  it('truncated at every 97th byte', async () => {
    for (let length = 0; length < written.length; length += 97) await drain(written.subarray(0, length));
  });

  it('zeroed regions', async () => {
    const next = random(1);
    for (let round = 0; round < 150; round += 1) {
      const bytes = written.slice();
      const start = Math.floor(next() * bytes.length);
      bytes.fill(0, start, start + Math.floor(next() * 512));
      await drain(bytes);
    }
  });

  it('random bytes, with and without a valid file signature', async () => {
    const next = random(2);
    for (let round = 0; round < 30; round += 1) {
      const bytes = Uint8Array.from({ length: 4096 + 65536 }, () => Math.floor(next() * 256));
      if (round % 2 === 0) bytes.set(written.subarray(0, 4096 + 8), 0); // headers + "ElfChnk\0"
      await drain(bytes);
    }
  });

  it('mutated writer output (byte flips in the records area)', async () => {
    const next = random(3);
    for (let round = 0; round < 300; round += 1) {
      const bytes = written.slice();
      for (let flip = 0; flip < 8; flip += 1) {
        const at = 4096 + 512 + Math.floor(next() * 3000);
        bytes[at] = Math.floor(next() * 256);
      }
      expect(await drain(bytes)).toBeGreaterThanOrEqual(0);
    }
  });

  it.skipIf(corpus.skip)('mutated real file (Application_no_crc32.evtx from the corpus)', async () => {
    const original = new Uint8Array(readFileSync(await openCorpusFile(corpusFile)));
    const next = random(4);
    for (let round = 0; round < 100; round += 1) {
      const bytes = original.slice();
      for (let flip = 0; flip < 16; flip += 1) {
        bytes[4096 + Math.floor(next() * 65536)] = Math.floor(next() * 256);
      }
      expect(await drain(bytes)).toBeGreaterThanOrEqual(0);
    }
  });
});
