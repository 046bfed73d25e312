/** Reads every media byte of an E01 set through parsers/ewf, in 4 MiB requests (EWF_READ_BLOCK). */
import { openEwf } from '../../parsers/ewf/index.js';
import { workerMain } from '../lib.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: ewf-read.ts <image.E01>');

await workerMain(async () => {
  const image = await openEwf(path);
  const block = Number(process.env.EWF_READ_BLOCK ?? 4 * 1024 * 1024);
  let bytes = 0;
  let checksum = 0;
  for (let offset = 0; offset < image.size; offset += block) {
    const data = await image.read(offset, Math.min(block, image.size - offset));
    bytes += data.length;
    // Touch the data so that nothing is optimised away.
    checksum = (checksum + data[data.length - 1]!) >>> 0;
  }
  await image.close();
  return { bytes, records: image.info.chunkCount, extra: { checksum } };
});
