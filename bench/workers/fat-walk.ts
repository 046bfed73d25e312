/** Bench worker: `fat-walk.ts <image> bodyfile|extract <path>` over our FAT reader. */
import { createHash } from 'node:crypto';
import { openFat } from '../../parsers/fat/index.js';
import { FileReader, readBlocks } from '../../parsers/io/index.js';
import { workerMain } from '../lib.js';

const [image, mode, target] = process.argv.slice(2);

await workerMain(async () => {
  const reader = await FileReader.open(image!);
  const volume = await openFat(reader);
  let records = 0;
  let bytes = 0;
  if (mode === 'extract') {
    const entry = await volume.lookup(target!);
    const file = await volume.openFile(entry!);
    const hash = createHash('sha256');
    for await (const block of readBlocks(file, 1024 * 1024)) {
      hash.update(block);
      bytes += block.length;
    }
    records = 1;
  } else {
    for await (const line of volume.bodyfile()) {
      records += 1;
      bytes += line.length + 1;
    }
    bytes = reader.size;
  }
  await reader.close();
  return { bytes, records };
});
