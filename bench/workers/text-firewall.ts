/** Bench worker: parse a firewall log from a file stream, count records. */
import { createReadStream, statSync } from 'node:fs';
import { parseFirewallLog } from '../../parsers/firewall-log/index.js';
import { workerMain } from '../lib.js';

const path = process.argv[2]!;
await workerMain(async () => {
  const parser = parseFirewallLog(createReadStream(path, { highWaterMark: 1 << 20 }));
  let records = 0;
  let ports = 0;
  for await (const batch of parser.batches())
    for (const record of batch) {
      records += 1;
      ports += record.dstPort ?? 0; // touch the record so nothing is optimised away
    }
  return {
    bytes: statSync(path).size,
    records,
    extra: { errors: parser.errors.count, ports, cpuSeconds: process.cpuUsage().user / 1e6 },
  };
});
