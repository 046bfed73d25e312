import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { FileReader, type RandomAccessReader } from '../../parsers/io/index.js';
import {
  type EvidenceEntry,
  EvidenceError,
  type EvidenceSource,
  lookupKey,
  type SourceWarning,
} from './vfs.js';

/** One loose artifact file (a netstat capture, a bodyfile, a hive) as a source holding just it. */
export class SingleFileSource implements EvidenceSource {
  readonly kind = 'directory' as const;
  readonly name: string;
  readonly warnings: SourceWarning[] = [];
  private readonly absolute: string;
  private readonly entry: EvidenceEntry;

  private constructor(path: string, entry: EvidenceEntry) {
    this.name = path;
    this.absolute = resolve(path);
    this.entry = entry;
  }

  static async open(path: string): Promise<SingleFileSource> {
    const stats = await stat(path);
    return new SingleFileSource(path, {
      path: basename(path),
      size: stats.size,
      isDirectory: false,
      modified: BigInt(Math.round(stats.mtimeMs * 1000)),
    });
  }

  entries(): EvidenceEntry[] {
    return [this.entry];
  }

  stat(path: string): EvidenceEntry | undefined {
    return lookupKey(path) === this.entry.path.toLowerCase() ? this.entry : undefined;
  }

  private check(path: string): void {
    if (this.stat(path) === undefined) throw new EvidenceError(this.name, path, 'no such file');
  }

  async openStream(path: string): Promise<AsyncIterable<Uint8Array>> {
    this.check(path);
    return createReadStream(this.absolute, { flags: 'r', highWaterMark: 1024 * 1024 });
  }

  async openReader(path: string): Promise<RandomAccessReader> {
    this.check(path);
    return FileReader.open(this.absolute);
  }

  async close(): Promise<void> {}
}
