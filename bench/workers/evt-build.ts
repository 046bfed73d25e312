/** Bench helper: builds a large wrapped EVT log from a real log's records (corpus replayed). */
import { readFileSync, writeFileSync } from 'node:fs';
import { openEvt } from '../../parsers/evt/index.js';
import { buildEvtLog, type WriterEvent } from '../../parsers/evt/test-support/evt-writer.js';
import { BufferReader } from '../../parsers/io/index.js';
import { workerMain } from '../lib.js';

const [source, target, sizeText] = process.argv.slice(2);
if (source === undefined || target === undefined || sizeText === undefined)
  throw new Error('usage: evt-build.ts <source.evt> <target.evt> <size>');
const size = Number(sizeText);

await workerMain(async () => {
  const log = await openEvt(new BufferReader(readFileSync(source)));
  const templates: WriterEvent[] = [];
  for await (const record of log.records({ recovered: false })) {
    templates.push({
      timeGenerated: Number(record.timeGenerated / 1_000_000n),
      timeWritten: Number(record.timeWritten / 1_000_000n),
      eventId: record.eventId,
      eventType: record.eventType,
      category: record.category,
      sourceName: record.sourceName,
      computerName: record.computerName,
      ...(record.userSid === undefined ? {} : { userSid: record.userSid }),
      strings: record.strings,
      data: record.data,
    });
  }
  const averageBytes = log.layout.liveBytes / Math.max(1, templates.length);
  // Write 10% more than fits, so the ring wraps and old records fall into the slack.
  const total = Math.ceil((size * 1.1) / averageBytes);
  function* events(): Generator<WriterEvent> {
    for (let index = 0; index < total; index += 1) {
      const event = templates[index % templates.length]!;
      const shift = Math.floor(index / templates.length) * 3600;
      yield {
        ...event,
        timeGenerated: event.timeGenerated + shift,
        timeWritten: (event.timeWritten ?? event.timeGenerated) + shift,
      };
    }
  }
  const built = buildEvtLog({ fileSize: size, events: events(), freeExtra: 0x10000 });
  writeFileSync(target, built.bytes);
  return { bytes: size, records: built.live.length };
});
