import { checkRange, FormatError, type RandomAccessReader } from '../io/index.js';
import type { ClusterRun } from './fat-table.js';

/** A file's bytes: runs of clusters in the data area, cut to the file size. */
export class ClusterReader implements RandomAccessReader {
  readonly name: string;
  readonly size: number;
  private readonly volume: RandomAccessReader;
  readonly runs: ClusterRun[];
  private readonly clusterSize: number;
  private readonly clusterOffset: (cluster: number) => number;

  constructor(
    volume: RandomAccessReader,
    name: string,
    size: number,
    runs: ClusterRun[],
    clusterSize: number,
    clusterOffset: (cluster: number) => number,
  ) {
    this.volume = volume;
    this.name = name;
    this.runs = runs;
    this.clusterSize = clusterSize;
    this.clusterOffset = clusterOffset;
    const available = runs.reduce((total, run) => total + run.count * clusterSize, 0);
    this.size = Math.min(size, available);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    let written = 0;
    let runStart = 0;
    for (const run of this.runs) {
      const runBytes = run.count * this.clusterSize;
      const position = offset + written;
      if (written < length && position < runStart + runBytes) {
        const within = position - runStart;
        const take = Math.min(length - written, runBytes - within);
        const absolute = this.clusterOffset(run.cluster) + within;
        try {
          out.set(await this.volume.read(absolute, take), written);
        } catch (error) {
          if (error instanceof FormatError) {
            throw new FormatError(
              'fat',
              'file data',
              absolute,
              `cluster data unreadable: ${error.reason}`,
              this.name,
            );
          }
          throw error;
        }
        written += take;
      }
      runStart += runBytes;
      if (written === length) break;
    }
    return out;
  }

  async close(): Promise<void> {}
}
