/** Worker: full TSK-style bodyfile listing of an NTFS image written to /dev/null. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { FileReader } from '../../parsers/io/index.js';
import { openNtfs } from '../../parsers/ntfs/index.js';
import { workerMain } from '../lib.js';

const [image = ''] = process.argv.slice(2);
await workerMain(async () => {
  const reader = await FileReader.open(image);
  const volume = await openNtfs(reader);
  const out = openSync('/dev/null', 'w');
  let records = 0;
  for await (const chunk of volume.bodyfileChunks()) {
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) records += 1;
    writeSync(out, chunk);
  }
  closeSync(out);
  await reader.close();
  return { bytes: volume.info.mftSize, records, extra: { mftRecords: volume.info.mftRecordCount } };
});
