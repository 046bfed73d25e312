import { FormatError, type RandomAccessReader, readView } from '../io/index.js';
import { BOOT_INDICATOR_ACTIVE, BOOT_RECORD_SIZE, isUsedEntry, parseBootRecord } from './boot-record.js';
import { EXTENDED_TYPES, mbrTypeName } from './type-names.js';
import type { ErrorList, Partition } from './types.js';

/**
 * Follows the chain of extended boot records inside a primary extended partition.
 * In each EBR the logical partition's start is relative to that EBR, the link to the next
 * EBR is relative to the start of the primary extended partition
 * (libyal/libvsmbr documentation, "Extended partition record").
 * The chain is bounded (`maxLinks`) and a revisited EBR ends it (loop).
 */
export async function readExtendedChain(
  reader: RandomAccessReader,
  sectorSize: number,
  extendedStartLba: number,
  extendedSectors: number,
  firstIndex: number,
  maxLinks: number,
  errors: ErrorList,
): Promise<Partition[]> {
  const partitions: Partition[] = [];
  const visited = new Set<number>();
  const diskSectors = Math.floor(reader.size / sectorSize);
  const extendedEnd = extendedStartLba + extendedSectors;
  let ebrLba: number | undefined = extendedStartLba;
  let table = 1;
  let index = firstIndex;
  while (ebrLba !== undefined) {
    const offset = ebrLba * sectorSize;
    if (visited.has(ebrLba)) {
      errors.add(
        new FormatError(
          'partitions',
          'extended boot record',
          offset,
          'EBR chain loops back to an earlier EBR',
        ),
      );
      break;
    }
    if (table > maxLinks) {
      errors.add(
        new FormatError(
          'partitions',
          'extended boot record',
          offset,
          `EBR chain longer than ${maxLinks} links: stopped`,
        ),
      );
      break;
    }
    visited.add(ebrLba);
    if (offset + BOOT_RECORD_SIZE > reader.size) {
      errors.add(
        new FormatError('partitions', 'extended boot record', offset, 'EBR lies beyond the end of the media'),
      );
      break;
    }
    let record: ReturnType<typeof parseBootRecord>;
    try {
      const view = await readView(reader, offset, BOOT_RECORD_SIZE, 'partitions', 'extended boot record');
      record = parseBootRecord(view, 'extended boot record');
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      errors.add(error);
      break;
    }
    let next: number | undefined;
    for (const entry of record.entries) {
      if (!isUsedEntry(entry)) continue;
      const entryOffset = offset + 446 + entry.slot * 16;
      if (EXTENDED_TYPES.has(entry.type)) {
        if (next !== undefined) {
          errors.add(
            new FormatError('partitions', 'extended boot record', entryOffset, 'second link entry ignored'),
          );
          continue;
        }
        next = extendedStartLba + entry.lbaStart;
        if (next < extendedStartLba || next >= extendedEnd) {
          errors.add(
            new FormatError(
              'partitions',
              'extended boot record',
              entryOffset,
              'next EBR lies outside the extended partition',
            ),
          );
        }
        continue;
      }
      const startLba = ebrLba + entry.lbaStart;
      if (startLba + entry.sectorCount > diskSectors) {
        errors.add(
          new FormatError(
            'partitions',
            'extended boot record',
            entryOffset,
            `logical partition (sectors ${startLba}+${entry.sectorCount}) runs past the end of the media (${diskSectors} sectors)`,
          ),
        );
      }
      partitions.push({
        index,
        start: startLba * sectorSize,
        size: entry.sectorCount * sectorSize,
        type: entry.type,
        typeName: mbrTypeName(entry.type),
        bootable: entry.bootIndicator === BOOT_INDICATOR_ACTIVE,
        table,
        slot: entry.slot,
      });
      index += 1;
    }
    ebrLba = next;
    table += 1;
  }
  return partitions;
}
