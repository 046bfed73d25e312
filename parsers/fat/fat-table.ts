import { FormatError, type RandomAccessReader, readView } from '../io/index.js';
import type { BootSector, FatType } from './boot-sector.js';

/**
 * The file allocation table: one 12-, 16- or 32-bit (28 used) entry per cluster
 * (fatgen103 §4 "FAT Data Structure"). Entries are read on demand through the caller's cache.
 */
export const FIRST_CLUSTER = 2;
const FAT32_MASK = 0x0fffffff;

export type ClusterState = 'free' | 'next' | 'end' | 'bad' | 'reserved';

export interface ClusterRun {
  /** First cluster of the run of consecutive clusters. */
  cluster: number;
  count: number;
}

export interface ChainResult {
  runs: ClusterRun[];
  clusters: number;
  /** Why the chain ended early, if it did. */
  error?: FormatError;
}

export class FatTable {
  readonly type: FatType;
  /** Highest valid cluster number (clusterCount + 1). */
  readonly maxCluster: number;
  private readonly reader: RandomAccessReader;
  private readonly fatOffset: number;
  private readonly fatBytes: number;
  private readonly endOfChain: number;
  private readonly badCluster: number;

  constructor(reader: RandomAccessReader, boot: BootSector) {
    this.reader = reader;
    this.type = boot.type;
    const activeFat =
      boot.type === 32 && boot.extFlags !== undefined && (boot.extFlags & 0x80) !== 0
        ? boot.extFlags & 0x0f
        : 0;
    const fat = activeFat < boot.numberOfFats ? activeFat : 0;
    this.fatOffset = (boot.firstFatSector + fat * boot.fatSizeSectors) * boot.bytesPerSector;
    this.fatBytes = boot.fatSizeSectors * boot.bytesPerSector;
    // A FAT too small for the cluster count limits the clusters it can describe.
    const entriesInFat = Math.floor((this.fatBytes * 8) / boot.type);
    this.maxCluster = Math.min(boot.clusterCount + 1, entriesInFat - 1);
    this.endOfChain = boot.type === 12 ? 0xff8 : boot.type === 16 ? 0xfff8 : 0x0ffffff8;
    this.badCluster = this.endOfChain - 1;
  }

  /** Absolute offset of a cluster's entry, for error records. */
  entryOffset(cluster: number): number {
    return this.fatOffset + (this.type === 12 ? cluster + (cluster >> 1) : (cluster * this.type) / 8);
  }

  async entry(cluster: number): Promise<number> {
    const offset = this.entryOffset(cluster);
    if (this.type === 32) {
      const view = await readView(this.reader, offset, 4, 'fat', 'FAT');
      return view.u32(0) & FAT32_MASK;
    }
    if (this.type === 16) return (await readView(this.reader, offset, 2, 'fat', 'FAT')).u16(0);
    const value = (await readView(this.reader, offset, 2, 'fat', 'FAT')).u16(0);
    return cluster & 1 ? value >> 4 : value & 0xfff;
  }

  classify(value: number): ClusterState {
    if (value === 0) return 'free';
    if (value >= this.endOfChain) return 'end';
    if (value === this.badCluster) return 'bad';
    if (value < FIRST_CLUSTER || value > this.maxCluster) return 'reserved';
    return 'next';
  }

  isValidCluster(cluster: number): boolean {
    return cluster >= FIRST_CLUSTER && cluster <= this.maxCluster;
  }

  async isFree(cluster: number): Promise<boolean> {
    return this.isValidCluster(cluster) && (await this.entry(cluster)) === 0;
  }

  /**
   * Follows a chain from `start`, at most `limit` clusters (default: every cluster once).
   * A loop, a free, bad or out-of-range link ends it with an error; the clusters read so far
   * are kept.
   */
  async chain(start: number, limit = this.maxCluster - 1): Promise<ChainResult> {
    const runs: ClusterRun[] = [];
    let clusters = 0;
    const visited = new Set<number>();
    const fail = (cluster: number, reason: string): ChainResult => ({
      runs,
      clusters,
      error: new FormatError(
        'fat',
        'FAT chain',
        this.entryOffset(cluster),
        `chain from cluster ${start}: ${reason}`,
      ),
    });
    if (!this.isValidCluster(start)) {
      return {
        runs,
        clusters,
        error: new FormatError('fat', 'FAT chain', this.fatOffset, `start cluster ${start} is out of range`),
      };
    }
    let cluster = start;
    const bound = Math.min(limit, this.maxCluster - 1);
    for (;;) {
      visited.add(cluster);
      const last = runs.at(-1);
      if (last !== undefined && last.cluster + last.count === cluster) last.count += 1;
      else runs.push({ cluster, count: 1 });
      clusters += 1;
      if (clusters >= bound) return { runs, clusters };
      let value: number;
      try {
        value = await this.entry(cluster);
      } catch (error) {
        if (error instanceof FormatError) return { runs, clusters, error };
        throw error;
      }
      const state = this.classify(value);
      if (state === 'end') return { runs, clusters };
      if (state === 'free') return fail(cluster, `cluster ${cluster} links to a free entry`);
      if (state === 'bad') return fail(cluster, `cluster ${cluster} is marked bad`);
      if (state === 'reserved')
        return fail(cluster, `cluster ${cluster} links to invalid value 0x${value.toString(16)}`);
      // The entry of `cluster` is the one that closes the loop: report its offset.
      if (visited.has(value)) return fail(cluster, `loops back to cluster ${value}`);
      cluster = value;
    }
  }
}
