/**
 * Builds valid regf hives in memory, for tests and benchmarks: keys (ASCII or UTF-16 names,
 * class names), values of every type (inline, single cell, big data), lf/lh/li/ri subkey
 * lists, a shared security cell, and deleted keys/values left in free cells. Layout follows
 * the specification; it is not a byte-for-byte imitation of Windows.
 */
export interface WriterValue {
  name: string;
  type: number;
  data: Uint8Array;
}

export interface WriterKey {
  name: string;
  className?: string;
  /** FILETIME; defaults to 2003-08-11T20:13:03Z. */
  lastWrite?: bigint;
  values?: WriterValue[];
  subkeys?: WriterKey[];
  /** Subkey list kind (default 'lh'); 'ri' splits into leaves of `riLeafSize` lh elements. */
  list?: 'lf' | 'lh' | 'li' | 'ri';
  riLeafSize?: number;
}

export interface HiveSpec {
  root: WriterKey;
  minorVersion?: number;
  /** Keys written under the root then freed (their cells become unallocated). */
  deletedKeys?: WriterKey[];
  /** Values written then freed. */
  deletedValues?: WriterValue[];
  primarySequence?: number;
  secondarySequence?: number;
  fileName?: string;
  /** Smallest hive bin size; larger bins make fewer, bigger bins (default 4096). */
  binSize?: number;
}

export const BLASTER_FILETIME = 127_051_063_830_000_000n; // 2003-08-11T20:13:03Z

export function utf16(text: string, terminate = true): Uint8Array {
  const units = terminate ? `${text}\0` : text;
  const out = new Uint8Array(units.length * 2);
  for (let index = 0; index < units.length; index += 1) {
    out[index * 2] = units.charCodeAt(index) & 0xff;
    out[index * 2 + 1] = units.charCodeAt(index) >> 8;
  }
  return out;
}
export function multiSz(parts: string[]): Uint8Array {
  return utf16(`${parts.join('\0')}\0`);
}
export function dword(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}
export function dwordBigEndian(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, false);
  return out;
}
export function qword(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

const ASCII_ONLY = /^[\x20-\x7e]*$/;

export class HiveWriter {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  /** Used length of hive bins data (relative). */
  private used = 0;
  private binStart = 0;
  private binEnd = 0;
  private readonly minBin: number;
  private readonly minorVersion: number;
  private security = 0xffffffff;
  private tracking: number[] | undefined;

  constructor(minorVersion = 5, binSize = 4096) {
    this.minorVersion = minorVersion;
    this.minBin = binSize;
  }

  private ensure(size: number): void {
    if (size <= this.buffer.length) return;
    let length = this.buffer.length;
    while (length < size) length *= 2;
    const grown = new Uint8Array(length);
    grown.set(this.buffer);
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Allocates a cell with `dataSize` bytes of data; returns its relative offset. */
  alloc(dataSize: number): number {
    const size = Math.ceil((dataSize + 4) / 8) * 8;
    if (this.used + size > this.binEnd) {
      if (this.binEnd > this.used) this.view.setInt32(this.used, this.binEnd - this.used, true);
      const binSize = Math.max(this.minBin, Math.ceil((size + 32) / 4096) * 4096);
      this.binStart = this.binEnd;
      this.binEnd = this.binStart + binSize;
      this.ensure(this.binEnd);
      this.buffer.fill(0, this.binStart, this.binEnd);
      this.view.setUint32(this.binStart, 0x6e696268, true);
      this.view.setUint32(this.binStart + 4, this.binStart, true);
      this.view.setUint32(this.binStart + 8, binSize, true);
      this.used = this.binStart + 32;
    }
    const offset = this.used;
    this.view.setInt32(offset, -size, true);
    this.used += size;
    this.tracking?.push(offset);
    return offset;
  }

  private u16(at: number, value: number): void {
    this.view.setUint16(at, value, true);
  }
  private u32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0, true);
  }
  private bytes(at: number, data: Uint8Array): void {
    this.buffer.set(data, at);
  }
  private sig(at: number, text: string): void {
    this.buffer[at] = text.charCodeAt(0);
    this.buffer[at + 1] = text.charCodeAt(1);
  }

  private writeSecurity(): number {
    // Self-relative descriptor: owner S-1-5-32-544, no DACL (everyone has access).
    const sid = new Uint8Array([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0]);
    const descriptor = new Uint8Array(20 + sid.length);
    const view = new DataView(descriptor.buffer);
    descriptor[0] = 1;
    view.setUint16(2, 0x8000, true);
    view.setUint32(4, 20, true);
    view.setUint32(8, 20, true);
    descriptor.set(sid, 20);
    const cell = this.alloc(20 + descriptor.length);
    const data = cell + 4;
    this.sig(data, 'sk');
    this.u32(data + 4, cell);
    this.u32(data + 8, cell);
    this.u32(data + 12, 1);
    this.u32(data + 16, descriptor.length);
    this.bytes(data + 20, descriptor);
    return cell;
  }

  writeValue(value: WriterValue): number {
    const ascii = ASCII_ONLY.test(value.name);
    const name = ascii ? Uint8Array.from(value.name, (char) => char.charCodeAt(0)) : utf16(value.name, false);
    const cell = this.alloc(20 + name.length);
    const data = cell + 4;
    this.sig(data, 'vk');
    this.u16(data + 2, name.length);
    this.u32(data + 12, value.type);
    this.u16(data + 16, ascii ? 1 : 0);
    this.bytes(data + 20, name);
    const length = value.data.length;
    if (length <= 4) {
      this.u32(data + 4, 0x80000000 | length);
      this.bytes(data + 8, value.data);
    } else if (length > 16344 && this.minorVersion >= 4) {
      const segments: number[] = [];
      for (let start = 0; start < length; start += 16344) {
        const chunk = value.data.subarray(start, Math.min(length, start + 16344));
        const segment = this.alloc(chunk.length);
        this.bytes(segment + 4, chunk);
        segments.push(segment);
      }
      const list = this.alloc(segments.length * 4);
      for (const [index, segment] of segments.entries()) this.u32(list + 4 + index * 4, segment);
      const db = this.alloc(8);
      this.sig(db + 4, 'db');
      this.u16(db + 6, segments.length);
      this.u32(db + 8, list);
      this.u32(data + 4, length);
      this.u32(data + 8, db);
    } else {
      const dataCell = this.alloc(length);
      this.bytes(dataCell + 4, value.data);
      this.u32(data + 4, length);
      this.u32(data + 8, dataCell);
    }
    return cell;
  }

  writeKey(key: WriterKey, parent: number, root = false): number {
    const ascii = ASCII_ONLY.test(key.name);
    const name = ascii ? Uint8Array.from(key.name, (char) => char.charCodeAt(0)) : utf16(key.name, false);
    const cell = this.alloc(76 + name.length);
    const data = cell + 4;
    this.sig(data, 'nk');
    this.u16(data + 2, (ascii ? 0x20 : 0) | (root ? 0x0c : 0));
    this.view.setBigUint64(data + 4, key.lastWrite ?? BLASTER_FILETIME, true);
    this.u32(data + 16, parent);
    this.u32(data + 28, 0xffffffff);
    this.u32(data + 32, 0xffffffff);
    this.u32(data + 40, 0xffffffff);
    this.u32(data + 44, this.security);
    this.u32(data + 48, 0xffffffff);
    this.u16(data + 72, name.length);
    this.bytes(data + 76, name);
    if (key.className !== undefined) {
      const className = utf16(key.className, false);
      const classCell = this.alloc(className.length);
      this.bytes(classCell + 4, className);
      this.u32(data + 48, classCell);
      this.u16(data + 74, className.length);
    }
    const values = key.values ?? [];
    if (values.length > 0) {
      const offsets = values.map((value) => this.writeValue(value));
      const list = this.alloc(offsets.length * 4);
      for (const [index, offset] of offsets.entries()) this.u32(list + 4 + index * 4, offset);
      this.u32(data + 36, offsets.length);
      this.u32(data + 40, list);
    }
    const subkeys = [...(key.subkeys ?? [])].sort((a, b) =>
      a.name.toUpperCase() < b.name.toUpperCase() ? -1 : a.name.toUpperCase() > b.name.toUpperCase() ? 1 : 0,
    );
    if (subkeys.length > 0) {
      const children = subkeys.map((child) => ({ offset: this.writeKey(child, cell), name: child.name }));
      this.u32(data + 20, children.length);
      this.u32(data + 28, this.writeSubkeyList(children, key.list ?? 'lh', key.riLeafSize ?? 512));
    }
    return cell;
  }

  private writeLeaf(children: { offset: number; name: string }[], kind: 'lf' | 'lh' | 'li'): number {
    const stride = kind === 'li' ? 4 : 8;
    const list = this.alloc(4 + children.length * stride);
    this.sig(list + 4, kind);
    this.u16(list + 6, children.length);
    children.forEach((child, index) => {
      const at = list + 8 + index * stride;
      this.u32(at, child.offset);
      if (kind === 'lf') {
        const hint = new Uint8Array(4);
        for (let char = 0; char < 4 && char < child.name.length; char += 1)
          hint[char] = child.name.charCodeAt(char);
        this.bytes(at + 4, hint);
      } else if (kind === 'lh') this.u32(at + 4, nameHash(child.name));
    });
    return list;
  }

  private writeSubkeyList(
    children: { offset: number; name: string }[],
    kind: string,
    leafSize: number,
  ): number {
    if (kind !== 'ri') return this.writeLeaf(children, kind as 'lf' | 'lh' | 'li');
    const leaves: number[] = [];
    for (let start = 0; start < children.length; start += leafSize) {
      leaves.push(
        this.writeLeaf(children.slice(start, start + leafSize), start % (2 * leafSize) ? 'li' : 'lh'),
      );
    }
    const root = this.alloc(4 + leaves.length * 4);
    this.sig(root + 4, 'ri');
    this.u16(root + 6, leaves.length);
    for (const [index, leaf] of leaves.entries()) this.u32(root + 8 + index * 4, leaf);
    return root;
  }

  /** Runs `write`, then marks every cell it allocated as free (positive size). */
  private freed(write: () => void): void {
    this.tracking = [];
    write();
    for (const cell of this.tracking)
      this.view.setInt32(cell, Math.abs(this.view.getInt32(cell, true)), true);
    this.tracking = undefined;
  }

  build(spec: HiveSpec): Uint8Array {
    this.security = this.writeSecurity();
    const rootOffset = this.writeKey(spec.root, 0xffffffff, true);
    for (const key of spec.deletedKeys ?? []) this.freed(() => this.writeKey(key, rootOffset));
    for (const value of spec.deletedValues ?? []) this.freed(() => this.writeValue(value));
    if (this.binEnd > this.used) this.view.setInt32(this.used, this.binEnd - this.used, true);
    const hive = new Uint8Array(4096 + this.binEnd);
    hive.set(this.buffer.subarray(0, this.binEnd), 4096);
    const base = new DataView(hive.buffer);
    hive.set([0x72, 0x65, 0x67, 0x66], 0);
    base.setUint32(4, spec.primarySequence ?? 1, true);
    base.setUint32(8, spec.secondarySequence ?? spec.primarySequence ?? 1, true);
    base.setBigUint64(12, BLASTER_FILETIME, true);
    base.setUint32(20, 1, true);
    base.setUint32(24, spec.minorVersion ?? this.minorVersion, true);
    base.setUint32(32, 1, true);
    base.setUint32(36, rootOffset, true);
    base.setUint32(40, this.binEnd, true);
    base.setUint32(44, 1, true);
    hive.set(utf16(spec.fileName ?? 'SYSTEM', false).subarray(0, 62), 48);
    let checksum = 0;
    for (let at = 0; at < 508; at += 4) checksum = (checksum ^ base.getUint32(at, true)) >>> 0;
    base.setUint32(508, checksum === 0xffffffff ? 0xfffffffe : checksum === 0 ? 1 : checksum, true);
    // Timestamp backup in the first hive bin.
    base.setBigUint64(4096 + 20, BLASTER_FILETIME, true);
    return hive;
  }
}

/** lh name hash: uppercase code units, hash = hash * 37 + unit. */
export function nameHash(name: string): number {
  let hash = 0;
  for (const char of name.toUpperCase()) hash = (Math.imul(hash, 37) + char.charCodeAt(0)) >>> 0;
  return hash;
}

export function buildHive(spec: HiveSpec): Uint8Array {
  return new HiveWriter(spec.minorVersion ?? 5, spec.binSize ?? 4096).build(spec);
}
