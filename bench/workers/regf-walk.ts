/** Walks every key and value of a hive, decoding all data (and the deleted-record scan). */
import { FileReader } from '../../parsers/io/index.js';
import { openHive, walkKeys } from '../../parsers/regf/index.js';
import { workerMain } from '../lib.js';

const path = process.argv[2]!;
await workerMain(async () => {
  const reader = await FileReader.open(path);
  const hive = await openHive(reader);
  await reader.close();
  let records = 0;
  let checksum = 0;
  for (const key of walkKeys(hive)) {
    records += 1;
    checksum += key.name.length;
    for (const value of key.values()) {
      records += 1;
      const data = value.data;
      checksum += typeof data === 'string' ? data.length : 1;
    }
  }
  const deleted = hive.recoverDeleted();
  return {
    bytes: reader.size,
    records,
    extra: {
      deletedKeys: deleted.keys.length,
      deletedValues: deleted.values.length,
      errors: hive.errorCount,
      checksum,
    },
  };
});
