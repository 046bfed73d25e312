/**
 * regf bench worker. `regf-walk.ts <hive> [walk|deleted]`:
 * - walk: open the hive, then every key of the allocated tree (path, name, LastWrite, class
 *   name) and every value (name, type, data decoded); what hivexml and regfexport print.
 * - deleted: open the hive, then the deleted-record scan alone (`recoverDeleted()`, lazy: the
 *   walk above never runs it), with the recovered keys' paths and values decoded.
 * - rows: open the hive, then `walkHive` rows of the live tree (the JSONL shape of
 *   `parse --type regf`: ISO times, hex of binary data), not serialised.
 * Prints the worker line of bench/lib.ts (time measured in here: Node start-up excluded).
 */
import { FileReader } from '../../parsers/io/index.js';
import { openHive, walkHive, walkKeys } from '../../parsers/regf/index.js';
import { workerMain } from '../lib.js';

const path = process.argv[2]!;
const mode = process.argv[3] ?? 'walk';
await workerMain(async () => {
  const cpuStart = process.cpuUsage();
  const reader = await FileReader.open(path);
  const hive = await openHive(reader);
  await reader.close();
  let records = 0;
  let checksum = 0;
  if (mode === 'deleted') {
    const { keys, values } = hive.recoverDeleted();
    for (const key of keys) checksum += key.path.length + (key.lastWrite === undefined ? 0 : 1);
    for (const value of values) {
      const data = value.data;
      checksum += value.name.length + (typeof data === 'string' ? data.length : 1);
    }
    records = keys.length + values.length;
  } else if (mode === 'rows') {
    for (const row of walkHive(hive, { deleted: false, meta: false })) {
      if (row.kind !== 'key') continue;
      records += 1 + row.values.length;
      checksum += row.path.length + (row.lastWrite?.length ?? 0);
      for (const value of row.values) checksum += typeof value.data === 'string' ? value.data.length : 1;
    }
  } else {
    // walkKeys (the public generator most callers use; visitKeys is the callback form).
    for (const key of walkKeys(hive)) {
      records += 1;
      checksum += key.path.length + key.name.length;
      if (key.lastWrite !== undefined) checksum += 1;
      if (key.className !== undefined) checksum += 1;
      for (const value of key.values()) {
        records += 1;
        const data = value.data;
        checksum += value.name.length + value.type + (typeof data === 'string' ? data.length : 1);
      }
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { bytes: reader.size, records, extra: { mode, cpuSeconds, errors: hive.errorCount, checksum } };
});
