import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { FileReader, type RandomAccessReader } from '../../parsers/io/index.js';
import {
  EntryIndex,
  type EvidenceEntry,
  EvidenceError,
  type EvidenceSource,
  type SourceWarning,
} from './vfs.js';

export interface DirectoryLimits {
  /** Most entries to index before refusing (a crafted tree cannot exhaust memory). */
  maxEntries: number;
  maxDepth: number;
}

const defaultLimits: DirectoryLimits = { maxEntries: 2_000_000, maxDepth: 64 };

/** A directory tree: a mounted image or files copied off a host. Symbolic links are not followed. */
export class DirectorySource implements EvidenceSource {
  readonly kind = 'directory' as const;
  readonly name: string;
  readonly warnings: SourceWarning[] = [];
  private readonly root: string;
  private readonly index = new EntryIndex();
  private sortedEntries: EvidenceEntry[] = [];

  private constructor(name: string) {
    this.name = name;
    this.root = resolve(name);
  }

  static async open(path: string, limits: Partial<DirectoryLimits> = {}): Promise<DirectorySource> {
    const source = new DirectorySource(path);
    await source.scan({ ...defaultLimits, ...limits });
    return source;
  }

  private async scan(limits: DirectoryLimits): Promise<void> {
    const pending: Array<{ absolute: string; relative: string; depth: number }> = [
      { absolute: this.root, relative: '', depth: 0 },
    ];
    while (pending.length > 0) {
      const { absolute, relative, depth } = pending.pop()!;
      let names: string[];
      try {
        names = await readdir(absolute);
      } catch (error) {
        this.warnings.push({ path: relative, reason: `unreadable directory: ${(error as Error).message}` });
        continue;
      }
      for (const name of names) {
        const childRelative = relative === '' ? name : `${relative}/${name}`;
        const childAbsolute = join(absolute, name);
        let stats: Awaited<ReturnType<typeof lstat>>;
        try {
          stats = await lstat(childAbsolute);
        } catch (error) {
          this.warnings.push({ path: childRelative, reason: `cannot stat: ${(error as Error).message}` });
          continue;
        }
        if (stats.isSymbolicLink()) {
          this.warnings.push({ path: childRelative, reason: 'symbolic link not followed' });
          continue;
        }
        if (!stats.isFile() && !stats.isDirectory()) continue;
        if (this.index.size >= limits.maxEntries) {
          throw new EvidenceError(this.name, '', `more than ${limits.maxEntries} entries: refusing to index`);
        }
        const entry: EvidenceEntry = {
          path: childRelative,
          size: stats.isFile() ? stats.size : 0,
          isDirectory: stats.isDirectory(),
          modified: BigInt(Math.round(stats.mtimeMs * 1000)),
        };
        if (!this.index.add(entry)) {
          this.warnings.push({
            path: childRelative,
            reason: 'name differs from another only by case; second one skipped',
          });
          continue;
        }
        if (stats.isDirectory()) {
          if (depth + 1 >= limits.maxDepth) {
            this.warnings.push({
              path: childRelative,
              reason: `deeper than ${limits.maxDepth} levels: not descended`,
            });
          } else {
            pending.push({ absolute: childAbsolute, relative: childRelative, depth: depth + 1 });
          }
        }
      }
    }
    this.sortedEntries = this.index.sorted();
  }

  entries(): EvidenceEntry[] {
    return this.sortedEntries;
  }

  stat(path: string): EvidenceEntry | undefined {
    return this.index.get(path);
  }

  private resolveFile(path: string): string {
    const entry = this.index.get(path);
    if (entry === undefined || entry.isDirectory) throw new EvidenceError(this.name, path, 'no such file');
    const absolute = join(this.root, ...entry.path.split('/'));
    if (!absolute.startsWith(this.root + sep))
      throw new EvidenceError(this.name, path, 'path escapes the root');
    return absolute;
  }

  async openStream(path: string): Promise<AsyncIterable<Uint8Array>> {
    return createReadStream(this.resolveFile(path), { flags: 'r', highWaterMark: 1024 * 1024 });
  }

  async openReader(path: string): Promise<RandomAccessReader> {
    return FileReader.open(this.resolveFile(path));
  }

  async close(): Promise<void> {}
}
