/** Worker: parse every MFT record (fixups, headers, attribute headers), no paths. */
import { FileReader } from '../../parsers/io/index.js';
import { openNtfs } from '../../parsers/ntfs/index.js';
import { workerMain } from '../lib.js';

const [image = ''] = process.argv.slice(2);
await workerMain(async () => {
  const reader = await FileReader.open(image);
  const volume = await openNtfs(reader);
  let records = 0;
  let attributes = 0;
  for await (const record of volume.records()) {
    records += 1;
    attributes += record.attributes.length;
  }
  await reader.close();
  return { bytes: volume.info.mftSize, records, extra: { attributes } };
});
