import type { FormatError } from '../io/index.js';
import type { FatTime, TimeZoneOption } from './fat-time.js';

export interface OpenFatOptions {
  /**
   * The time zone the FAT times were written in (the host's, from its registry), as minutes
   * east of UTC or a function of the local civil time. Without it times are marked
   * `timeIsLocal: true` and their `micros` read the local time as if it were UTC.
   */
  timeZone?: TimeZoneOption;
  /** Error records kept (default 1000); `errorCount` counts them all. */
  maxErrors?: number;
  /** Entries listed at most (default 10 million) against crafted volumes. */
  maxEntries?: number;
}

/** One directory entry as plain data (times are bigint micros inside FatTime). */
export interface FatEntry {
  /** Absolute path inside the volume: /WINDOWS/system32/msblast.exe. */
  path: string;
  /** The long name when there is one, else the short name. */
  name: string;
  /** 8.3 name (case restored from the NT flags); a deleted entry's first character reads '_'. */
  shortName: string;
  longName?: string;
  isDirectory: boolean;
  /** The root directory's volume label entry (ATTR_VOLUME_ID). */
  isVolumeLabel: boolean;
  deleted: boolean;
  size: number;
  startCluster: number;
  attributes: number;
  created?: FatTime;
  modified?: FatTime;
  /** Access date only (no time of day): midnight local. */
  accessed?: FatTime;
  /** True when no time zone was given: times are local civil times, not UTC. */
  timeIsLocal: boolean;
  /**
   * The Sleuth Kit's metadata address for this entry: its 32-byte slot counted from the
   * first sector after the FATs, plus 3 (fls/istat/icat use it).
   */
  inode: number;
  /** Absolute byte offset of the short entry inside the volume. */
  entryOffset: number;
  /** Deleted files: 'contiguous' when the start cluster is free and content is read from the following clusters (best effort), 'overwritten' when it is allocated again. */
  recovery?: 'contiguous' | 'overwritten';
}

export class ErrorList {
  readonly errors: FormatError[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(error: FormatError): void {
    this.count += 1;
    if (this.errors.length < this.max) this.errors.push(error);
  }
}
