import type { FormatError } from '../io/index.js';

export type PartitionScheme = 'mbr' | 'gpt' | 'none';

/** One volume found on the media. Offsets and sizes are in bytes from the start of the media. */
export interface Partition {
  /**
   * MBR: 0-3 for the primary slots, 4, 5, ... for logical partitions in chain order
   * (Linux numbers them 5, 6, ...). GPT: the entry's index in the entries array.
   * Bare file system: 0.
   */
  index: number;
  start: number;
  size: number;
  /** MBR type byte, GPT type GUID ({...} upper case), or the file system name for a bare volume. */
  type: number | string;
  typeName: string;
  /** GPT partition name (UTF-16 in the entry). */
  name?: string;
  /** MBR boot indicator 0x80. */
  bootable?: boolean;
  /** The primary extended container (0x05/0x0F/0x85): holds the logical partitions, not a volume. */
  extended?: boolean;
  /** MBR: 0 for the MBR itself, n for the n-th EBR of the chain, and the entry slot in it (mmls `table:slot`). */
  table?: number;
  slot?: number;
  /** GPT unique partition GUID and attribute flags (hex, 64 bits). */
  guid?: string;
  attributes?: string;
  /** For scheme 'none': the file system recognised in the first sector. */
  fileSystem?: 'ntfs' | 'fat';
}

export interface PartitionTable {
  scheme: PartitionScheme;
  sectorSize: number;
  partitions: Partition[];
  /** Damage found while reading the tables (capped list; `errorCount` is the full count). */
  errors: FormatError[];
  errorCount: number;
  /**
   * MBR only: the Windows disk signature (u32 at 440). With a partition's byte offset it is how
   * `SYSTEM\MountedDevices` names a basic-disk volume (its drive letter).
   */
  diskSignature?: number;
  /** GPT only: the disk GUID and which header was used. */
  diskGuid?: string;
  gptHeader?: 'primary' | 'backup';
}

export interface ReadPartitionsOptions {
  /** Maximum EBRs followed in an extended partition chain (default 1024). */
  maxLogicalPartitions?: number;
  /** Maximum error records kept (default 100). */
  maxErrors?: number;
}

/** Collects errors up to a cap, counting all of them. */
export class ErrorList {
  readonly errors: FormatError[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(error: FormatError): void {
    this.count += 1;
    if (this.errors.length < this.max) this.errors.push(error);
  }
}
