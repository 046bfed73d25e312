import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BufferReader, FileReader, type RandomAccessReader, SliceReader } from '../../parsers/io/index.js';
import {
  EntryIndex,
  type EvidenceEntry,
  EvidenceError,
  type EvidenceSource,
  normalizeEntryName,
  type SourceWarning,
} from './vfs.js';

/** Limits that keep a crafted zip (bomb, millions of entries) from exhausting the machine. */
export interface ZipLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalUncompressed: number;
  /** Largest uncompressed/compressed ratio accepted for an entry at least `ratioCheckMinSize` big. */
  maxRatio: number;
  ratioCheckMinSize: number;
  /** Largest compressed entry inflated into memory for random access. */
  maxInMemoryEntry: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 1_000_000,
  maxTotalUncompressed: 64 * 1024 ** 3,
  maxRatio: 500,
  ratioCheckMinSize: 64 * 1024 ** 2,
  maxInMemoryEntry: 1024 ** 3,
};

const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

interface ZipItem {
  entry: Entry;
  evidence: EvidenceEntry;
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (error, zipfile) => (error ? reject(error) : resolve(zipfile)),
    );
  });
}

function readAllEntries(zip: ZipFile, maxEntries: number, name: string): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) {
        reject(new EvidenceError(name, '', `more than ${maxEntries} entries: refusing (possible zip bomb)`));
        return;
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/**
 * A zip read in place with yauzl: nothing is extracted to disk. Entry names are normalized so
 * none escapes the root; encrypted, unsupported or broken entries are reported and skipped.
 */
export class ZipSource implements EvidenceSource {
  readonly kind = 'zip' as const;
  readonly name: string;
  readonly warnings: SourceWarning[] = [];
  private readonly zip: ZipFile;
  private readonly limits: ZipLimits;
  private readonly items = new Map<string, ZipItem>();
  private readonly index = new EntryIndex();
  private sortedEntries: EvidenceEntry[] = [];
  private fileReader: FileReader | undefined;

  private constructor(name: string, zip: ZipFile, limits: ZipLimits) {
    this.name = name;
    this.zip = zip;
    this.limits = limits;
  }

  static async open(path: string, limits: Partial<ZipLimits> = {}): Promise<ZipSource> {
    let zip: ZipFile;
    try {
      zip = await openZip(path);
    } catch (error) {
      throw new EvidenceError(path, '', `not a readable zip: ${(error as Error).message}`);
    }
    const source = new ZipSource(path, zip, { ...defaultZipLimits, ...limits });
    try {
      await source.load();
    } catch (error) {
      zip.close();
      if (error instanceof EvidenceError) throw error;
      throw new EvidenceError(path, '', `broken zip: ${(error as Error).message}`);
    }
    return source;
  }

  private async load(): Promise<void> {
    const entries = await readAllEntries(this.zip, this.limits.maxEntries, this.name);
    this.refuseBombs(entries);
    const directories = new Set<string>();
    for (const entry of entries) {
      const rawName = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileName as unknown as Buffer,
        entry.extraFields,
        false,
      );
      const path = normalizeEntryName(rawName);
      if (path === undefined || path === '') {
        this.warnings.push({ path: rawName, reason: 'unsafe entry name (escapes the root): skipped' });
        continue;
      }
      const isDirectory = rawName.endsWith('/') || rawName.endsWith('\\');
      if (!isDirectory) {
        if (entry.isEncrypted()) {
          this.warnings.push({ path, reason: 'encrypted entry: skipped' });
          continue;
        }
        if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
          this.warnings.push({
            path,
            reason: `compression method ${entry.compressionMethod} not supported: skipped`,
          });
          continue;
        }
        if (
          entry.uncompressedSize >= this.limits.ratioCheckMinSize &&
          entry.uncompressedSize > this.limits.maxRatio * Math.max(1, entry.compressedSize)
        ) {
          throw new EvidenceError(
            this.name,
            path,
            `compression ratio ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1 exceeds the limit of ${this.limits.maxRatio}:1: refusing (possible zip bomb)`,
          );
        }
      }
      // Parent folders are implied by names; record them so directory lookups work.
      const parts = path.split('/');
      for (let depth = 1; depth < parts.length; depth += 1) {
        const parent = parts.slice(0, depth).join('/');
        if (!directories.has(parent.toLowerCase())) {
          directories.add(parent.toLowerCase());
          this.index.add({ path: parent, size: 0, isDirectory: true });
        }
      }
      const evidence: EvidenceEntry = {
        path,
        size: isDirectory ? 0 : entry.uncompressedSize,
        isDirectory,
        modified: BigInt(entry.getLastModDate({ timezone: 'UTC' }).getTime()) * 1000n,
      };
      if (isDirectory) {
        if (!directories.has(path.toLowerCase())) {
          directories.add(path.toLowerCase());
          this.index.add(evidence);
        }
        continue;
      }
      if (!this.index.add(evidence)) {
        this.warnings.push({ path, reason: 'duplicate entry name (ignoring case): later copy skipped' });
        continue;
      }
      this.items.set(path.toLowerCase(), { entry, evidence });
    }
    this.sortedEntries = this.index.sorted();
  }

  /** Refuses archives whose sizes say "bomb": too large in total, or entries sharing data. */
  private refuseBombs(entries: Entry[]): void {
    let total = 0;
    for (const entry of entries) total += entry.uncompressedSize;
    if (total > this.limits.maxTotalUncompressed) {
      throw new EvidenceError(
        this.name,
        '',
        `declared uncompressed size ${total} exceeds the limit of ${this.limits.maxTotalUncompressed} bytes: refusing (possible zip bomb)`,
      );
    }
    // Overlapping entries (several names pointing into the same compressed data) are the
    // "non-recursive" zip bomb; no honest archiver writes them.
    const byOffset = [...entries].sort(
      (a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader,
    );
    for (let index = 1; index < byOffset.length; index += 1) {
      const previous = byOffset[index - 1]!;
      const current = byOffset[index]!;
      if (
        current.relativeOffsetOfLocalHeader <
        previous.relativeOffsetOfLocalHeader + 30 + previous.compressedSize
      ) {
        throw new EvidenceError(this.name, '', 'entries overlap each other: refusing (possible zip bomb)');
      }
    }
  }

  entries(): EvidenceEntry[] {
    return this.sortedEntries;
  }

  stat(path: string): EvidenceEntry | undefined {
    return this.index.get(path);
  }

  private item(path: string): ZipItem {
    const item = this.items.get((normalizeEntryName(path) ?? '').toLowerCase());
    if (item === undefined) throw new EvidenceError(this.name, path, 'no such file in the zip');
    return item;
  }

  async openStream(path: string): Promise<AsyncIterable<Uint8Array>> {
    const { entry } = this.item(path);
    return new Promise((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => {
        if (error) reject(new EvidenceError(this.name, path, `cannot read entry: ${error.message}`));
        else resolve(stream as Readable);
      });
    });
  }

  async openReader(path: string): Promise<RandomAccessReader> {
    const { entry, evidence } = this.item(path);
    const name = `${this.name}:${evidence.path}`;
    if (entry.compressionMethod === METHOD_STORED) {
      // Stored data is read in place from the zip file: no copy at all.
      const dataStart = await new Promise<number>((resolve, reject) => {
        this.zip.readLocalFileHeader(entry, { minimal: true }, (error, header) =>
          error ? reject(error) : resolve((header as { fileDataStart: number }).fileDataStart),
        );
      });
      this.fileReader ??= await FileReader.open(this.name);
      return new SliceReader(this.fileReader, dataStart, entry.uncompressedSize, name);
    }
    if (entry.uncompressedSize > this.limits.maxInMemoryEntry) {
      throw new EvidenceError(
        this.name,
        path,
        `compressed entry of ${entry.uncompressedSize} bytes is larger than the ${this.limits.maxInMemoryEntry}-byte limit for random access`,
      );
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of await this.openStream(path)) chunks.push(chunk);
    return new BufferReader(Buffer.concat(chunks), name);
  }

  async close(): Promise<void> {
    this.zip.close();
    await this.fileReader?.close();
  }
}
