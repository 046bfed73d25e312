import type { RandomAccessReader } from '../../parsers/io/index.js';

/**
 * One read-only virtual file system over every kind of evidence: a directory tree, a zip, a
 * disk image's file system. Paths are relative to the source root, `/`-separated, never
 * starting with `/` and never containing `..`; lookups ignore case, as Windows does.
 */
export interface EvidenceEntry {
  /** Normalized path inside the source (`C/Windows/system32/config/SYSTEM`). */
  path: string;
  size: number;
  isDirectory: boolean;
  /** Last modification time, microseconds UTC, when the container records one. */
  modified?: bigint;
  /** Set by sources that know: deleted entries recovered from a file system. */
  deleted?: boolean;
}

export interface SourceWarning {
  path: string;
  reason: string;
}

export type SourceKind = 'directory' | 'zip' | 'image';

/** A file system inside a source (a disk image's volume), listed whole by the `file-system` reader. */
export interface FileSystemInfo {
  /** The volume's path prefix in the source (`vol1`). */
  name: string;
  fileSystem: 'ntfs' | 'fat';
  /** Bytes. */
  size: number;
}

export interface EvidenceSource {
  /** The evidence as the user named it (a path). */
  readonly name: string;
  readonly kind: SourceKind;
  /** Entries that could not be used (encrypted, broken, unsafe names), with why. */
  readonly warnings: SourceWarning[];
  /** Every file and directory, in a stable order. */
  entries(): EvidenceEntry[];
  /** Case-insensitive lookup of one path. */
  stat(path: string): EvidenceEntry | undefined;
  /** The file's bytes as a stream (for text parsers and hashing). */
  openStream(path: string): Promise<AsyncIterable<Uint8Array>>;
  /** Random access to the file's bytes (for binary parsers). */
  openReader(path: string): Promise<RandomAccessReader>;
  close(): Promise<void>;
  /** Sources that hold whole file systems (disk images) name them here. */
  fileSystems?(): FileSystemInfo[];
}

/** A path inside a source that does not exist or cannot be read. */
export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  readonly source: string;
  readonly path: string;

  constructor(source: string, path: string, reason: string) {
    super(`${source}: ${path === '' ? '' : `${path}: `}${reason}`);
    this.source = source;
    this.path = path;
  }
}

/**
 * Turns a stored name (zip entry, directory path) into a safe relative path: backslashes become
 * slashes, drive letters and leading slashes are dropped, `.` is removed, and a `..` that would
 * climb above the root makes the name unsafe (returns undefined) — the zip-slip defence.
 */
export function normalizeEntryName(name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  const parts = name.replace(/\\/g, '/').split('/');
  const out: string[] = [];
  for (let index = 0; index < parts.length; index += 1) {
    let part = parts[index]!;
    // `C:` as the first component is a drive designator, not a name (`C:foo` keeps `foo`).
    if (index === 0 && /^[a-zA-Z]:/.test(part)) part = part.slice(2);
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

/** Case-folding key for lookups. */
export function lookupKey(path: string): string {
  return (normalizeEntryName(path) ?? '').toLowerCase();
}

/** Builds the case-insensitive index shared by every source kind. */
export class EntryIndex {
  private readonly byKey = new Map<string, EvidenceEntry>();
  private readonly ordered: EvidenceEntry[] = [];

  add(entry: EvidenceEntry): boolean {
    const key = entry.path.toLowerCase();
    if (this.byKey.has(key)) return false;
    this.byKey.set(key, entry);
    this.ordered.push(entry);
    return true;
  }

  get(path: string): EvidenceEntry | undefined {
    return this.byKey.get(lookupKey(path));
  }

  get size(): number {
    return this.ordered.length;
  }

  /** Entries sorted by path (byte order), so every run sees the same order. */
  sorted(): EvidenceEntry[] {
    return [...this.ordered].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
