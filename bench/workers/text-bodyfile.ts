/** Bench worker: parse a bodyfile from a file stream, count records. */
import { createReadStream, statSync } from 'node:fs';
import { parseBodyfile } from '../../parsers/bodyfile/index.js';
import { workerMain } from '../lib.js';

const path = process.argv[2]!;
await workerMain(async () => {
  const parser = parseBodyfile(createReadStream(path, { highWaterMark: 1 << 20 }));
  let records = 0;
  let timed = 0;
  for await (const batch of parser.batches())
    for (const record of batch) {
      records += 1;
      if (record.mtime !== undefined) timed += 1;
    }
  return {
    bytes: statSync(path).size,
    records,
    extra: { errors: parser.errors.count, timed, cpuSeconds: process.cpuUsage().user / 1e6 },
  };
});
