import { createHash } from 'node:crypto';
import type { FileRecord } from '../model/records.js';
import type { ArtifactContext } from './context.js';

/** Executables and TFTP leftovers are hashed so known-bad hashes can match; other files are not read. */
const HASHED_NAME = /\.(exe|dll|com|scr|sys|pif)$|^tftp\d+$/i;
const MAX_HASHED_BYTES = 64 * 1024 * 1024;

export function splitWindowsPath(path: string): { name: string; extension: string } {
  const name = path.slice(path.lastIndexOf('\\') + 1);
  const dot = name.lastIndexOf('.');
  return { name, extension: dot > 0 ? name.slice(dot + 1).toLowerCase() : '' };
}

/**
 * A file copied into a triage collection is itself a file-listing record: its path on the
 * volume, its size, the container's time for it (the collector's copy of the modified time).
 */
export async function* readCollectedFile(context: ArtifactContext): AsyncGenerator<FileRecord> {
  const { artifact, source } = context;
  const path = artifact.windowsPath ?? `\\${artifact.sourcePath.replace(/\//g, '\\')}`;
  const { name, extension } = splitWindowsPath(path);
  const record: FileRecord = {
    kind: 'file',
    host: context.host,
    artifact: source.kind === 'zip' ? 'collected-file' : 'directory-file',
    sourceFile: artifact.sourcePath,
    path,
    name,
    extension,
    size: artifact.size,
    deleted: false,
    isDirectory: false,
    timeSource: source.kind === 'zip' ? 'zip entry' : 'file system copy',
    ...(artifact.modified === undefined ? {} : { modified: artifact.modified }),
  };
  if (HASHED_NAME.test(name) && artifact.size <= MAX_HASHED_BYTES) {
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    for await (const chunk of await source.openStream(artifact.sourcePath)) {
      md5.update(chunk);
      sha1.update(chunk);
      sha256.update(chunk);
    }
    record.md5 = md5.digest('hex');
    record.sha1 = sha1.digest('hex');
    record.sha256 = sha256.digest('hex');
  }
  yield record;
}
