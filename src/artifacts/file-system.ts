import type { FatEntry } from '../../parsers/fat/index.js';
import { openFat } from '../../parsers/fat/index.js';
import { isFormatError, type RandomAccessReader } from '../../parsers/io/index.js';
import type { NtfsEntry, NtfsTimes } from '../../parsers/ntfs/index.js';
import { ImageSource } from '../evidence/image-source.js';
import type { ImageVolume } from '../evidence/image-volumes.js';
import type { FileRecord } from '../model/records.js';
import { splitWindowsPath } from './collected-files.js';
import type { ArtifactContext } from './context.js';
import { type FileHashes, hashReader, isKnownBinaryCandidate } from './known-binaries.js';

function windowsPathOf(path: string): string {
  return path === '' || path === '/' ? '\\' : path.replace(/\//g, '\\');
}

function noteFailure(context: ArtifactContext, error: unknown, file: string): void {
  if (isFormatError(error)) context.reportError({ ...error.toJSON(), file });
  else
    context.reportError({ format: 'file-system', structure: 'file', offset: 0, reason: String(error), file });
}

/** Hashes a known-bad candidate through the file system; a read failure is reported, not fatal. */
async function hashIfKnown(
  context: ArtifactContext,
  windowsPath: string,
  size: number,
  open: () => Promise<RandomAccessReader>,
  label: string,
): Promise<FileHashes | undefined> {
  if (!isKnownBinaryCandidate(windowsPath, size)) return undefined;
  let reader: RandomAccessReader | undefined;
  try {
    reader = await open();
    return await hashReader(reader);
  } catch (error) {
    noteFailure(context, error, label);
    return undefined;
  } finally {
    await reader?.close();
  }
}

function withTimes(record: FileRecord, times: NtfsTimes | undefined): FileRecord {
  if (times === undefined) return record;
  if (times.modified !== undefined) record.modified = times.modified;
  if (times.accessed !== undefined) record.accessed = times.accessed;
  if (times.mftModified !== undefined) record.changed = times.mftModified;
  if (times.created !== undefined) record.created = times.created;
  return record;
}

/** The `$FILE_NAME` whose name is this path's last component (hard links each have their own). */
function fileNameFor(entry: NtfsEntry, name: string) {
  const upper = name.toUpperCase();
  const named = entry.names.filter((item) => item.namespace !== 'DOS');
  return named.find((item) => item.name.toUpperCase() === upper) ?? named[0] ?? entry.names[0];
}

/**
 * NTFS: per path of each MFT record, one record with the `$STANDARD_INFORMATION` times (`$SI`)
 * and one with the `$FILE_NAME` times (`$FN`), so the timeline shows both sets (a `$SI` set
 * older than the `$FN` one is the classic sign of time stomping); one `$SI` record per alternate
 * data stream (`stream`). Sizes are the unnamed `$DATA`'s (the `$FN` copy of the size is often
 * stale). Known worm binaries are hashed on their `$SI` record.
 */
async function* readNtfs(context: ArtifactContext, volume: ImageVolume): AsyncGenerator<FileRecord> {
  const ntfs = volume.ntfs!;
  const recordSize = ntfs.info.mftRecordSize;
  const sourceFile = `${volume.name}/$MFT`;
  for await (const entry of ntfs.entries()) {
    for (const path of entry.paths) {
      const windowsPath = windowsPathOf(path);
      const { name, extension } = splitWindowsPath(windowsPath);
      const base = {
        kind: 'file' as const,
        host: context.host,
        artifact: 'ntfs',
        sourceFile,
        sourceOffset: entry.recordNumber * recordSize,
        path: windowsPath,
        name,
        extension,
        size: entry.isDirectory ? 0 : entry.size,
        deleted: entry.deleted,
        isDirectory: entry.isDirectory,
        inode: String(entry.recordNumber),
      };
      const si = withTimes({ ...base, timeSource: '$SI' }, entry.si);
      if (!entry.isDirectory && entry.streams.some((stream) => stream.name === '')) {
        const hashes = await hashIfKnown(
          context,
          windowsPath,
          entry.size,
          () => ntfs.openFile(entry.recordNumber, ''),
          `${volume.name}${path}`,
        );
        if (hashes !== undefined) Object.assign(si, hashes);
      }
      yield si;
      const fileName = fileNameFor(entry, name);
      if (fileName !== undefined) yield withTimes({ ...base, timeSource: '$FN' }, fileName.times);
      for (const stream of entry.streams) {
        if (stream.name === '') continue;
        yield withTimes({ ...base, size: stream.size, stream: stream.name, timeSource: '$SI' }, entry.si);
      }
    }
  }
  for (const error of ntfs.errors) context.reportError(error);
  if (ntfs.errorCount > ntfs.errors.length) context.countUnkeptErrors(ntfs.errorCount - ntfs.errors.length);
}

/**
 * FAT: one record per directory entry. FAT keeps local wall-clock times: with the host's time
 * zone (from its registry) they are converted to UTC, otherwise they are kept as local times and
 * flagged `timeIsLocal`.
 */
async function* readFat(context: ArtifactContext, volume: ImageVolume): AsyncGenerator<FileRecord> {
  const clock = context.clock;
  const fat = await openFat(volume.reader, clock === undefined ? {} : { timeZone: clock.offsetForLocal });
  for await (const entry of fat.entries()) {
    if (entry.isVolumeLabel) continue;
    const windowsPath = windowsPathOf(entry.path);
    const { name, extension } = splitWindowsPath(windowsPath);
    const record: FileRecord = {
      kind: 'file',
      host: context.host,
      artifact: 'fat',
      sourceFile: volume.name,
      sourceOffset: entry.entryOffset,
      path: windowsPath,
      name,
      extension,
      size: entry.isDirectory ? 0 : entry.size,
      deleted: entry.deleted,
      isDirectory: entry.isDirectory,
      inode: String(entry.inode),
      timeSource: 'fat',
    };
    if (entry.modified !== undefined) record.modified = entry.modified.micros;
    if (entry.accessed !== undefined) record.accessed = entry.accessed.micros;
    if (entry.created !== undefined) record.created = entry.created.micros;
    if (entry.timeIsLocal) record.timeIsLocal = true;
    if (!entry.isDirectory && entry.recovery !== 'overwritten') {
      const hashes = await hashIfKnown(
        context,
        windowsPath,
        entry.size,
        () => fat.openFile(entry as FatEntry),
        `${volume.name}${entry.path}`,
      );
      if (hashes !== undefined) Object.assign(record, hashes);
    }
    yield record;
  }
  for (const error of fat.errors) context.reportError(error.toJSON());
  if (fat.errorCount > fat.errors.length) context.countUnkeptErrors(fat.errorCount - fat.errors.length);
}

/**
 * A disk image volume's whole file listing as file records, streamed (one MFT record or
 * directory entry at a time; nothing is kept after it is handed on). Rules see every file:
 * deleted ones with `deleted: true`.
 */
export async function* readFileSystem(context: ArtifactContext): AsyncGenerator<FileRecord> {
  const { source, artifact } = context;
  if (!(source instanceof ImageSource)) throw new Error('file-system artifacts come from disk images only');
  const volume = source.volume(artifact.sourcePath);
  if (volume === undefined) throw new Error(`no volume ${artifact.sourcePath} in the image`);
  if (volume.ntfs !== undefined) yield* readNtfs(context, volume);
  else yield* readFat(context, volume);
}
