/** Bench worker: the same files through @ts-evtx/core (peer measurement only), rendering XML. */
import { statSync } from 'node:fs';
import { EvtxFile } from '@ts-evtx/core';
import { workerMain } from '../lib.js';

const files = process.argv.slice(2);
await workerMain(async () => {
  let bytes = 0;
  let records = 0;
  for (const file of files) {
    bytes += statSync(file).size;
    try {
      const log = await EvtxFile.open(file);
      for (const record of log.records()) {
        try {
          record.renderXml();
          records += 1;
        } catch {
          // a record it cannot render is not counted
        }
      }
    } catch {
      // a file it cannot open contributes no records
    }
  }
  return { bytes, records };
});
