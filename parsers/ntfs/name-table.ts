/**
 * The path table of a volume in columns: per MFT record its flags and sequence number, and
 * every `$FILE_NAME` (name, parent reference, namespace) in one shared slot table, instead of
 * an object per record. Paths are rebuilt from parent references like The Sleuth Kit does
 * (README "Paths, deleted files, orphans"); only directory paths are cached.
 */
import type { NameSpace } from './file-name.js';
import { ORPHAN_DIRECTORY, ROOT_RECORD } from './mft-record.js';

export const FLAG_PARSED = 1;
export const FLAG_IN_USE = 2;
export const FLAG_DIRECTORY = 4;
export const FLAG_HAS_ATTRIBUTES = 8;
export const FLAG_EXTENSION = 16;

const MAX_PATH_DEPTH = 512;
/** Namespace codes as stored in `$FILE_NAME` (anything else reads as POSIX). */
export const NAMESPACES: NameSpace[] = ['POSIX', 'Win32', 'DOS', 'Win32&DOS'];
const NAMESPACE_DOS = 2;

export interface NameLink {
  name: string;
  parent: number;
  parentSequence: number;
  namespace: NameSpace;
}

export class NameTable {
  readonly count: number;
  readonly flags: Uint8Array;
  readonly sequence: Uint16Array;
  /** First name slot of each record (-1: none); a record's slots are contiguous. */
  private readonly firstSlot: Int32Array;
  private readonly slotCount: Uint32Array;
  private names: string[] = [];
  private parents: Float64Array;
  private parentSequences: Uint16Array;
  private namespaces: Uint8Array;
  private slots = 0;
  private readonly directoryPaths = new Map<number, string>();
  /** Cycle detection while walking up parents: records of the current walk carry `stamp`. */
  private readonly visited: Uint32Array;
  private stamp = 0;
  private readonly chain: Int32Array = new Int32Array(MAX_PATH_DEPTH + 2);

  constructor(count: number) {
    this.count = count;
    this.flags = new Uint8Array(count);
    this.sequence = new Uint16Array(count);
    this.firstSlot = new Int32Array(count).fill(-1);
    this.slotCount = new Uint32Array(count);
    this.visited = new Uint32Array(count);
    const capacity = Math.max(16, count + (count >> 3));
    this.parents = new Float64Array(capacity);
    this.parentSequences = new Uint16Array(capacity);
    this.namespaces = new Uint8Array(capacity);
  }

  /**
   * Adds one name of `record`. All names of a record are added one after the other (the scan
   * handles a record at a time), so that its slots are contiguous.
   */
  addName(record: number, name: string, parent: number, parentSequence: number, namespaceCode: number): void {
    if (this.slots === this.parents.length) this.grow();
    const slot = this.slots;
    this.slots += 1;
    if (this.firstSlot[record] === -1) this.firstSlot[record] = slot;
    this.slotCount[record] = this.slotCount[record]! + 1;
    this.names.push(name);
    this.parents[slot] = parent;
    this.parentSequences[slot] = parentSequence;
    this.namespaces[slot] = namespaceCode <= 3 ? namespaceCode : 0;
  }

  private grow(): void {
    const capacity = this.parents.length * 2;
    const parents = new Float64Array(capacity);
    parents.set(this.parents);
    this.parents = parents;
    const sequences = new Uint16Array(capacity);
    sequences.set(this.parentSequences);
    this.parentSequences = sequences;
    const namespaces = new Uint8Array(capacity);
    namespaces.set(this.namespaces);
    this.namespaces = namespaces;
  }

  hasNames(record: number): boolean {
    return this.slotCount[record]! > 0;
  }

  /** Every name of a record, in attribute order. */
  links(record: number): NameLink[] {
    const out: NameLink[] = [];
    const first = this.firstSlot[record]!;
    const end = first + this.slotCount[record]!;
    for (let slot = first; slot < end; slot += 1) {
      out.push({
        name: this.names[slot]!,
        parent: this.parents[slot]!,
        parentSequence: this.parentSequences[slot]!,
        namespace: NAMESPACES[this.namespaces[slot]!]!,
      });
    }
    return out;
  }

  /** The slot of the name that gives a record its path: the first non-DOS name, else the first. */
  private primarySlot(record: number): number {
    const first = this.firstSlot[record]!;
    if (first < 0) return -1;
    const end = first + this.slotCount[record]!;
    for (let slot = first; slot < end; slot += 1) if (this.namespaces[slot] !== NAMESPACE_DOS) return slot;
    return first;
  }

  /** True when `parent` is a directory whose current (or, if deleted, previous) sequence matches. */
  parentValid(parent: number, parentSequence: number): boolean {
    if (parent >= this.count) return false;
    const flags = this.flags[parent]!;
    if ((flags & FLAG_PARSED) === 0 || (flags & FLAG_DIRECTORY) === 0) return false;
    const sequence = this.sequence[parent]!;
    if (parentSequence === 0 || sequence === parentSequence) return true;
    // Deleting a record increments its sequence number: a deleted directory still parents
    // the files that were in it (TSK lists them under it).
    return (flags & FLAG_IN_USE) === 0 && ((sequence - 1) & 0xffff) === parentSequence;
  }

  private cache(record: number, path: string): void {
    if ((this.flags[record]! & FLAG_DIRECTORY) !== 0) this.directoryPaths.set(record, path);
  }

  /**
   * Primary path of a record ('' for the root). Walks up the primary names' parents until the
   * root, a cached directory or a broken link (cycle, invalid parent, depth above 512), which
   * ends in `/$OrphanFiles/<name>`; the walk's directories are cached on the way down.
   */
  directoryPath(record: number): string {
    if (record === ROOT_RECORD) return '';
    this.stamp = (this.stamp + 1) >>> 0 || 1;
    const stamp = this.stamp;
    const chain = this.chain;
    let length = 0;
    let current = record;
    let path: string;
    for (;;) {
      if (current === ROOT_RECORD) {
        path = '';
        break;
      }
      const cached = this.directoryPaths.get(current);
      if (cached !== undefined) {
        path = cached;
        break;
      }
      const slot = this.primarySlot(current);
      if (slot < 0) {
        path = `/${ORPHAN_DIRECTORY}/OrphanFile-${current}`;
        this.cache(current, path);
        break;
      }
      const parent = this.parents[slot]!;
      if (
        length < MAX_PATH_DEPTH &&
        parent !== current &&
        this.visited[parent] !== stamp &&
        this.parentValid(parent, this.parentSequences[slot]!)
      ) {
        this.visited[current] = stamp;
        chain[length] = current;
        length += 1;
        current = parent;
        continue;
      }
      path = `/${ORPHAN_DIRECTORY}/${this.names[slot]!}`;
      this.cache(current, path);
      break;
    }
    for (let index = length - 1; index >= 0; index -= 1) {
      const child = chain[index]!;
      path = `${path}/${this.names[this.primarySlot(child)]!}`;
      this.cache(child, path);
    }
    return path;
  }

  /** All paths of a record: one per non-DOS name whose parent is valid, the primary path first. */
  pathsOf(record: number): string[] {
    if (record === ROOT_RECORD) return ['/'];
    const primary = this.directoryPath(record);
    const first = this.firstSlot[record]!;
    const count = this.slotCount[record]!;
    if (count <= 1) return [primary];
    const paths = [primary];
    const primarySlot = this.primarySlot(record);
    const seen = new Set<string>([`${this.parents[primarySlot]}:${this.names[primarySlot]}`]);
    for (let slot = first; slot < first + count; slot += 1) {
      if (this.namespaces[slot] === NAMESPACE_DOS) continue;
      const parent = this.parents[slot]!;
      const name = this.names[slot]!;
      const key = `${parent}:${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (parent !== record && this.parentValid(parent, this.parentSequences[slot]!)) {
        paths.push(`${this.directoryPath(parent)}/${name}`);
      }
    }
    return paths;
  }

  /** Calls `visit` for every (record, name, parent) whose parent is valid (the lookup index). */
  forEachValidLink(visit: (record: number, name: string, parent: number) => void): void {
    for (let record = 0; record < this.count; record += 1) {
      if (record === ROOT_RECORD) continue;
      const first = this.firstSlot[record]!;
      const end = first + this.slotCount[record]!;
      for (let slot = first; slot < end; slot += 1) {
        const parent = this.parents[slot]!;
        if (this.parentValid(parent, this.parentSequences[slot]!)) visit(record, this.names[slot]!, parent);
      }
    }
  }
}
