/** Bench worker: parses EVTX files with parsers/evtx, rendering every record (JSON; XML with --xml). */
import { statSync } from 'node:fs';
import { openEvtx } from '../../parsers/evtx/index.js';
import { FileReader } from '../../parsers/io/index.js';
import { workerMain } from '../lib.js';

const xml = process.argv.includes('--xml');
const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
await workerMain(async () => {
  let bytes = 0;
  let records = 0;
  let rendered = 0;
  let xmlChars = 0;
  for (const file of files) {
    bytes += statSync(file).size;
    const reader = await FileReader.open(file);
    const log = await openEvtx(reader);
    for await (const record of log.records()) {
      records += 1;
      if (record.event !== null) rendered += 1;
      if (xml) xmlChars += record.xml().length;
    }
    await reader.close();
  }
  return { bytes, records, extra: { rendered, xmlChars } };
});
