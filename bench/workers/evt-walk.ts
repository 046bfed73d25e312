/** Bench worker: walks every record (live and recovered) of an EVT log through openEvt.recordBatches. */

import { openEvt } from '../../parsers/evt/index.js';
import { FileReader } from '../../parsers/io/index.js';
import { workerMain } from '../lib.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: evt-walk.ts <file.evt>');

await workerMain(async () => {
  const reader = await FileReader.open(path);
  try {
    const log = await openEvt(reader);
    let records = 0;
    let strings = 0;
    // recordBatches: the path src/artifacts/events.ts uses (records() adds an await per record).
    for await (const batch of log.recordBatches()) {
      for (const record of batch) {
        records += 1;
        strings += record.strings.length;
      }
    }
    return {
      bytes: reader.size,
      records,
      extra: { strings, errors: log.errorCount, recovered: log.stats.recoveredRecords },
    };
  } finally {
    await reader.close();
  }
});
