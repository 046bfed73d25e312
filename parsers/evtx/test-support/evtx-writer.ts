/**
 * A small EVTX writer for tests: builds exact, valid files (CRCs correct) from templates and
 * substitution values, so tests know every byte they parse. Names are stored inline on first
 * use in a chunk and shared afterwards; a template definition is stored inline by its first
 * instance in a chunk and referenced by offset afterwards, like Windows does.
 */
import { crc32 } from '../crc32.js';

export type XNode =
  | { element: string; attributes?: XAttribute[]; children?: XNode[] }
  | { text: string }
  | { sub: number; type: number; optional?: boolean }
  | { cdata: string }
  | { charRef: number }
  | { entity: string }
  | { pi: string; data?: string };

export interface XAttribute {
  name: string;
  value: XNode[];
}

export type WValue = { type: number; bytes: Uint8Array } | { type: 0x21; fragment: WFragment };

/** A fragment: a template instance (template + values), or plain elements with no template. */
export type WFragment =
  | { template: XNode; values: WValue[]; guid?: string }
  | { elements: XNode[]; withoutDependencyId?: boolean };

export interface WRecord {
  recordId: bigint;
  /** FILETIME of the record header. */
  written: bigint;
  fragment: WFragment;
}

export interface BuildOptions {
  /** Records per chunk (default: as many as the caller gives, in one chunk). */
  recordsPerChunk?: number;
  fileFlags?: number;
  /** Chunk count to claim in the file header (default: the real count). */
  headerChunkCount?: number;
  minorVersion?: number;
}

const CHUNK_SIZE = 65536;

class Bytes {
  readonly data: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(size: number) {
    this.data = new Uint8Array(size);
    this.view = new DataView(this.data.buffer);
  }
  u8(value: number): void {
    this.view.setUint8(this.pos, value);
    this.pos += 1;
  }
  u16(value: number): void {
    this.view.setUint16(this.pos, value, true);
    this.pos += 2;
  }
  u32(value: number): void {
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }
  u64(value: bigint): void {
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, value), true);
    this.pos += 8;
  }
  bytes(value: Uint8Array): void {
    this.data.set(value, this.pos);
    this.pos += value.length;
  }
  utf16(text: string): void {
    for (let index = 0; index < text.length; index += 1) this.u16(text.charCodeAt(index));
  }
}

/** The 16-bit name hash Windows stores beside each name (low 16 bits of hash * 65599 + unit). */
export function nameHash(name: string): number {
  let hash = 0;
  for (let index = 0; index < name.length; index += 1)
    hash = (Math.imul(hash, 65599) + name.charCodeAt(index)) >>> 0;
  return hash & 0xffff;
}

export function guidBytes(guid: string): Uint8Array {
  const hex = guid.replace(/[{}-]/g, '');
  const raw = Uint8Array.from({ length: 16 }, (_, index) =>
    Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16),
  );
  const out = raw.slice();
  out.set([raw[3]!, raw[2]!, raw[1]!, raw[0]!, raw[5]!, raw[4]!, raw[7]!, raw[6]!], 0);
  return out;
}

class ChunkWriter {
  readonly out = new Bytes(CHUNK_SIZE);
  readonly names = new Map<string, number>();
  readonly templates = new Map<string, number>();
  readonly stringBuckets = new Array<number>(64).fill(0);
  readonly templateBuckets = new Array<number>(32).fill(0);
  templateCounter = 0;

  constructor() {
    this.out.pos = 512;
  }

  name(name: string): void {
    const out = this.out;
    const known = this.names.get(name);
    if (known !== undefined) {
      out.u32(known);
      return;
    }
    const offset = out.pos + 4;
    out.u32(offset);
    const hash = nameHash(name);
    out.u32(this.stringBuckets[hash % 64]!);
    this.stringBuckets[hash % 64] = offset;
    out.u16(hash);
    out.u16(name.length);
    out.utf16(name);
    out.u16(0);
    this.names.set(name, offset);
  }

  node(node: XNode, dependencyId: boolean): void {
    const out = this.out;
    if ('element' in node) {
      const attributes = node.attributes ?? [];
      out.u8(attributes.length > 0 ? 0x41 : 0x01);
      if (dependencyId) out.u16(0xffff);
      const sizeAt = out.pos;
      out.u32(0);
      this.name(node.element);
      let listAt = -1;
      if (attributes.length > 0) {
        listAt = out.pos;
        out.u32(0);
      }
      attributes.forEach((attribute, index) => {
        out.u8(index < attributes.length - 1 ? 0x46 : 0x06);
        this.name(attribute.name);
        for (const part of attribute.value) this.node(part, dependencyId);
      });
      if (listAt >= 0) out.view.setUint32(listAt, out.pos - listAt - 4, true);
      const children = node.children ?? [];
      if (children.length === 0) {
        out.u8(0x03);
      } else {
        out.u8(0x02);
        for (const child of children) this.node(child, dependencyId);
        out.u8(0x04);
      }
      out.view.setUint32(sizeAt, out.pos - sizeAt - 4, true);
    } else if ('text' in node) {
      out.u8(0x05);
      out.u8(0x01);
      out.u16(node.text.length);
      out.utf16(node.text);
    } else if ('sub' in node) {
      out.u8(node.optional ? 0x0e : 0x0d);
      out.u16(node.sub);
      out.u8(node.type);
    } else if ('cdata' in node) {
      out.u8(0x07);
      out.u16(node.cdata.length);
      out.utf16(node.cdata);
    } else if ('charRef' in node) {
      out.u8(0x08);
      out.u16(node.charRef);
    } else if ('entity' in node) {
      out.u8(0x09);
      this.name(node.entity);
    } else {
      out.u8(0x0a);
      this.name(node.pi);
      if (node.data !== undefined) {
        out.u8(0x0b);
        out.u16(node.data.length);
        out.utf16(node.data);
      }
    }
  }

  fragment(fragment: WFragment): void {
    const out = this.out;
    out.bytes(new Uint8Array([0x0f, 0x01, 0x01, 0x00]));
    if ('elements' in fragment) {
      for (const element of fragment.elements) this.node(element, !fragment.withoutDependencyId);
      out.u8(0x00);
      return;
    }
    const key = JSON.stringify(fragment.template);
    const known = this.templates.get(key);
    out.u8(0x0c);
    out.u8(0x01);
    const guid = guidBytes(
      fragment.guid ??
        `{${(0x1000 + this.templateCounter).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`,
    );
    out.u32(new DataView(guid.buffer).getUint32(0, true));
    if (known !== undefined) {
      out.u32(known);
    } else {
      const offset = out.pos + 4;
      out.u32(offset);
      this.templateCounter += 1;
      const bucket = guid[0]! % 32;
      out.u32(this.templateBuckets[bucket]!);
      this.templateBuckets[bucket] = offset;
      out.bytes(guid);
      const sizeAt = out.pos;
      out.u32(0);
      out.bytes(new Uint8Array([0x0f, 0x01, 0x01, 0x00]));
      this.node(fragment.template, true);
      out.u8(0x00);
      out.view.setUint32(sizeAt, out.pos - sizeAt - 4, true);
      this.templates.set(key, offset);
    }
    out.u32(fragment.values.length);
    const descriptors = out.pos;
    out.pos += fragment.values.length * 4;
    fragment.values.forEach((value, index) => {
      const start = out.pos;
      if ('fragment' in value) this.fragment(value.fragment);
      else out.bytes(value.bytes);
      out.view.setUint16(descriptors + index * 4, out.pos - start, true);
      out.view.setUint8(descriptors + index * 4 + 2, value.type);
    });
    out.u8(0x00);
  }

  record(record: WRecord): number {
    const out = this.out;
    const start = out.pos;
    out.bytes(new Uint8Array([0x2a, 0x2a, 0x00, 0x00]));
    out.u32(0);
    out.u64(record.recordId);
    out.u64(record.written);
    this.fragment(record.fragment);
    while ((out.pos + 4 - start) % 8 !== 0) out.u8(0);
    out.u32(out.pos + 4 - start);
    out.view.setUint32(start + 4, out.pos - start, true);
    if (out.pos > CHUNK_SIZE) throw new Error('records do not fit in one chunk');
    return start;
  }

  finish(records: WRecord[], firstNumber: bigint, offsets: number[]): Uint8Array {
    const out = this.out;
    const free = out.pos;
    const head = new Bytes(512);
    head.bytes(new TextEncoder().encode('ElfChnk\0'));
    head.u64(firstNumber);
    head.u64(firstNumber + BigInt(records.length) - 1n);
    head.u64(records[0]?.recordId ?? 0n);
    head.u64(records[records.length - 1]?.recordId ?? 0n);
    head.u32(128);
    head.u32(offsets[offsets.length - 1] ?? 0);
    head.u32(free);
    head.u32(crc32(out.data.subarray(512, free)));
    head.pos = 128;
    for (const offset of this.stringBuckets) head.u32(offset);
    for (const offset of this.templateBuckets) head.u32(offset);
    out.data.set(head.data.subarray(0, 512), 0);
    const headerCrc = crc32(out.data.subarray(128, 512), crc32(out.data.subarray(0, 120)));
    out.view.setUint32(124, headerCrc, true);
    return out.data;
  }
}

/** Builds a complete EVTX file. */
export function buildEvtx(records: WRecord[], options: BuildOptions = {}): Uint8Array {
  const perChunk = options.recordsPerChunk ?? Math.max(1, records.length);
  const chunks: Uint8Array[] = [];
  let number = 1n;
  for (let index = 0; index < records.length || chunks.length === 0; index += perChunk) {
    const group = records.slice(index, index + perChunk);
    const writer = new ChunkWriter();
    const offsets = group.map((record) => writer.record(record));
    chunks.push(writer.finish(group, number, offsets));
    number += BigInt(group.length);
    if (records.length === 0) break;
  }
  const file = new Uint8Array(4096 + chunks.length * CHUNK_SIZE);
  const header = new Bytes(4096);
  header.bytes(new TextEncoder().encode('ElfFile\0'));
  header.u64(0n);
  header.u64(BigInt(chunks.length - 1));
  header.u64((records[records.length - 1]?.recordId ?? 0n) + 1n);
  header.u32(128);
  header.u16(options.minorVersion ?? 1);
  header.u16(3);
  header.u16(4096);
  header.u16(options.headerChunkCount ?? chunks.length);
  header.pos = 120;
  header.u32(options.fileFlags ?? 0);
  header.view.setUint32(124, crc32(header.data.subarray(0, 120)), true);
  file.set(header.data, 0);
  for (const [index, chunk] of chunks.entries()) file.set(chunk, 4096 + index * CHUNK_SIZE);
  return file;
}

/** Recomputes the file header CRC and every chunk's CRCs (after a test edits bytes on purpose). */
export function fixChecksums(file: Uint8Array): void {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  view.setUint32(124, crc32(file.subarray(0, 120)), true);
  for (let offset = 4096; offset + CHUNK_SIZE <= file.length; offset += CHUNK_SIZE) {
    const free = view.getUint32(offset + 48, true);
    view.setUint32(offset + 52, crc32(file.subarray(offset + 512, offset + free)), true);
    view.setUint32(
      offset + 124,
      crc32(file.subarray(offset + 128, offset + 512), crc32(file.subarray(offset, offset + 120))),
      true,
    );
  }
}
