/**
 * Conformance with libevt's evtexport on the real-world corpus and on writer fixtures.
 * Skips (with a warning) when evtexport or the corpus is absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferReader, FileReader } from '../io/index.js';
import { corpusFiles, openCorpusFile } from '../io/test-support/corpus.js';
import { type EvtRecord, openEvt } from './index.js';
import { blasterDay, buildEvtLog } from './test-support/evt-writer.js';
import { asExported, evtexportAvailable, runEvtexport } from './test-support/evtexport.js';

const evtFiles = corpusFiles('evt', /\.evt(\.gz)?$/i);
const haveTool = evtexportAvailable();
if (!haveTool) console.warn('evtexport (libevt-utils) not installed: EVT conformance tests skipped');
if (evtFiles.length === 0)
  console.warn('no EVT corpus (../shared/corpus/evt): corpus conformance tests skipped');

const temp = mkdtempSync(join(tmpdir(), 'bt-evt-conf-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function ours(
  path: string,
): Promise<{ live: EvtRecord[]; recovered: EvtRecord[]; duplicates: number }> {
  const reader = await FileReader.open(path);
  try {
    const log = await openEvt(reader);
    const records: EvtRecord[] = [];
    for await (const record of log.records()) records.push(record);
    return {
      live: records.filter((record) => !record.recovered),
      recovered: records.filter((record) => record.recovered),
      duplicates: log.stats.duplicatesDropped,
    };
  } finally {
    await reader.close();
  }
}

const JAN_2003 = 1_041_379_200;

describe.skipIf(!haveTool || evtFiles.length === 0)('corpus logs agree with evtexport', () => {
  for (const name of evtFiles) {
    it(`${basename(name)}: live records, numbers, times, IDs, names and strings`, async () => {
      const path = await openCorpusFile(name);
      const mine = await ours(path);
      const items = runEvtexport(path, 'items');
      expect(items.length).toBeGreaterThan(0);
      expect(mine.live.map(asExported)).toEqual(items);

      // evtexport's recovered list also holds slack copies of records that are still live
      // (this log carries a stale copy of records 1392.. 64 KiB before the live ones). We
      // drop a slack record whose number is live; each one must really be a copy, and the
      // rest must agree exactly.
      const recovered = runEvtexport(path, 'recovered');
      const liveByNumber = new Map(mine.live.map((record) => [record.recordNumber, asExported(record)]));
      const mineRecovered = mine.recovered.map(asExported);
      const mineNumbers = new Set(mineRecovered.map((record) => record.number));
      const onlyTheirs = recovered.filter((record) => !mineNumbers.has(record.number));
      expect(recovered.filter((record) => mineNumbers.has(record.number))).toEqual(mineRecovered);
      let damagedCopies = 0;
      for (const extra of onlyTheirs) {
        const live = liveByNumber.get(extra.number);
        expect(live, `evtexport-only recovered record ${extra.number} is a copy of a live one`).toBeDefined();
        if (JSON.stringify(extra) === JSON.stringify(live)) continue;
        // A copy cut short (its tail overwritten): evtexport does not check the trailing
        // length copy of slack records and prints its garbage strings; we reject its frame.
        damagedCopies += 1;
        expect([extra.number, extra.sourceName, extra.strings[0]]).toEqual([
          live!.number,
          live!.sourceName,
          live!.strings[0],
        ]);
      }
      // We drop exactly the sound copies as duplicates and reject the damaged ones.
      expect(mine.duplicates).toBe(onlyTheirs.length - damagedCopies);
      if (name.startsWith('log2timeline_plaso__SysEvent')) {
        expect([
          mine.live.length,
          mine.recovered.length,
          mine.duplicates,
          onlyTheirs.length,
          damagedCopies,
        ]).toEqual([6063, 257, 180, 181, 1]);
      }
    });
  }
});

describe.skipIf(!haveTool)('writer fixtures agree with evtexport', () => {
  const fixtures = {
    plain: buildEvtLog({ fileSize: 0x10000, events: blasterDay(JAN_2003 + 19_000_000, 5) }),
    wrapped: buildEvtLog({
      fileSize: 0x2000,
      events: blasterDay(JAN_2003 + 19_000_000, 40),
      freeExtra: 0x300,
    }),
  };
  for (const [name, built] of Object.entries(fixtures)) {
    it(`${name} log: live and recovered records`, async () => {
      const path = join(temp, `${name}.Evt`);
      writeFileSync(path, built.bytes);
      const mine = await ours(path);
      expect(mine.live.map(asExported)).toEqual(runEvtexport(path, 'items'));
      expect(mine.live.length).toBe(built.live.length);
      expect(mine.recovered.map(asExported)).toEqual(runEvtexport(path, 'recovered'));
      expect(mine.recovered.length).toBe(built.slack.length);
    });
  }

  it('dirty log whose header is out of date: evtexport stops at the first split record, we read to the EOF record', async () => {
    const built = buildEvtLog({
      fileSize: 0x3000,
      events: blasterDay(JAN_2003 + 19_000_000, 30),
      staleHeaderAfter: 100,
      freeExtra: 0x200,
    });
    const path = join(temp, 'dirty.Evt');
    writeFileSync(path, built.bytes);
    const mine = await ours(path);
    const theirs = runEvtexport(path, 'items');
    expect(mine.live.map((record) => record.recordNumber)).toEqual(
      built.live.map((record) => record.recordNumber),
    );
    // libevt first walks from the header's stale begin offset (which wraps), then finds the
    // EOF record by scanning and walks again from its begin offset; its "has wrapped" state
    // from the first attempt makes it give up at the first record split across the end of
    // the file. The EOF record says the log goes on, and the writer wrote those records.
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.length).toBeLessThan(mine.live.length);
    expect(mine.live.slice(0, theirs.length).map(asExported)).toEqual(theirs);
    const firstMissing = mine.live[theirs.length]!;
    expect(firstMissing.offset + firstMissing.size).toBeGreaterThan(built.bytes.length);
  });

  it('0x27 filler at the end of the file: evtexport stops there, we follow it to the header', async () => {
    const built = buildEvtLog({
      fileSize: 0x2000,
      events: blasterDay(JAN_2003 + 19_000_000, 30),
      skipFillerBelow: 0x200,
    });
    const path = join(temp, 'filler.Evt');
    writeFileSync(path, built.bytes);
    const mine = await ours(path);
    const theirs = runEvtexport(path, 'items');
    expect(mine.live.length).toBe(built.live.length);
    const log = await openEvt(new BufferReader(built.bytes));
    expect(log.layout.wrapped).toBe(true);
    // evtexport reads the filler dword 0x27 as a record size and gives up on the live list.
    expect(theirs.length).toBeLessThan(built.live.length);
    expect(mine.live.slice(0, theirs.length).map(asExported)).toEqual(theirs);
  });
});
