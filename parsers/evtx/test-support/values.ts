/** Substitution value encoders for the test writer (libfwevt value types). */
import type { WFragment, WValue } from './evtx-writer.js';
import { guidBytes } from './evtx-writer.js';

function fixed(type: number, size: number, write: (view: DataView) => void): WValue {
  const bytes = new Uint8Array(size);
  write(new DataView(bytes.buffer));
  return { type, bytes };
}

function utf16(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < text.length; index += 1)
    view.setUint16(index * 2, text.charCodeAt(index), true);
  return bytes;
}

/** Microseconds since 1970 (UTC) to FILETIME. */
export function microsToFiletime(micros: bigint): bigint {
  return micros * 10n + 116_444_736_000_000_000n;
}

export const v = {
  null: (): WValue => ({ type: 0x00, bytes: new Uint8Array(0) }),
  /** UTF-16 with the NUL terminator Windows stores. */
  string: (text: string): WValue => ({ type: 0x01, bytes: utf16(`${text}\0`) }),
  ansi: (text: string): WValue => ({
    type: 0x02,
    bytes: Uint8Array.from(`${text}\0`, (c) => c.charCodeAt(0) & 0xff),
  }),
  i8: (value: number): WValue => fixed(0x03, 1, (d) => d.setInt8(0, value)),
  u8: (value: number): WValue => fixed(0x04, 1, (d) => d.setUint8(0, value)),
  i16: (value: number): WValue => fixed(0x05, 2, (d) => d.setInt16(0, value, true)),
  u16: (value: number): WValue => fixed(0x06, 2, (d) => d.setUint16(0, value, true)),
  i32: (value: number): WValue => fixed(0x07, 4, (d) => d.setInt32(0, value, true)),
  u32: (value: number): WValue => fixed(0x08, 4, (d) => d.setUint32(0, value, true)),
  i64: (value: bigint): WValue => fixed(0x09, 8, (d) => d.setBigInt64(0, value, true)),
  u64: (value: bigint): WValue => fixed(0x0a, 8, (d) => d.setBigUint64(0, value, true)),
  f32: (value: number): WValue => fixed(0x0b, 4, (d) => d.setFloat32(0, value, true)),
  f64: (value: number): WValue => fixed(0x0c, 8, (d) => d.setFloat64(0, value, true)),
  bool: (value: number): WValue => fixed(0x0d, 4, (d) => d.setUint32(0, value, true)),
  binary: (bytes: number[]): WValue => ({ type: 0x0e, bytes: Uint8Array.from(bytes) }),
  guid: (guid: string): WValue => ({ type: 0x0f, bytes: guidBytes(guid) }),
  sizeT: (value: bigint, size: 4 | 8 = 8): WValue =>
    fixed(0x10, size, (d) =>
      size === 8 ? d.setBigUint64(0, value, true) : d.setUint32(0, Number(value), true),
    ),
  filetime: (filetime: bigint): WValue => fixed(0x11, 8, (d) => d.setBigUint64(0, filetime, true)),
  systemtime: (parts: [number, number, number, number, number, number, number, number]): WValue =>
    fixed(0x12, 16, (d) =>
      parts.forEach((part, index) => {
        d.setUint16(index * 2, part, true);
      }),
    ),
  sid: (sid: string): WValue => {
    const [, revision, authority, ...subs] = sid.split('-');
    const bytes = new Uint8Array(8 + subs.length * 4);
    const d = new DataView(bytes.buffer);
    d.setUint8(0, Number(revision));
    d.setUint8(1, subs.length);
    d.setUint16(2, Math.floor(Number(authority) / 2 ** 32));
    d.setUint32(4, Number(authority) % 2 ** 32);
    subs.forEach((sub, index) => {
      d.setUint32(8 + index * 4, Number(sub), true);
    });
    return { type: 0x13, bytes };
  },
  hex32: (value: number): WValue => fixed(0x14, 4, (d) => d.setUint32(0, value, true)),
  hex64: (value: bigint): WValue => fixed(0x15, 8, (d) => d.setBigUint64(0, value, true)),
  handle: (value: number): WValue => fixed(0x20, 4, (d) => d.setUint32(0, value, true)),
  binxml: (fragment: WFragment): WValue => ({ type: 0x21, fragment }),
  evtXml: (text: string): WValue => ({ type: 0x23, bytes: utf16(text) }),
  stringArray: (items: string[]): WValue => ({
    type: 0x81,
    bytes: utf16(items.map((item) => `${item}\0`).join('')),
  }),
  u16Array: (items: number[]): WValue =>
    fixed(0x86, items.length * 2, (d) =>
      items.forEach((item, index) => {
        d.setUint16(index * 2, item, true);
      }),
    ),
  u32Array: (items: number[]): WValue =>
    fixed(0x88, items.length * 4, (d) =>
      items.forEach((item, index) => {
        d.setUint32(index * 4, item, true);
      }),
    ),
  guidArray: (items: string[]): WValue => {
    const bytes = new Uint8Array(items.length * 16);
    items.forEach((item, index) => {
      bytes.set(guidBytes(item), index * 16);
    });
    return { type: 0x8f, bytes };
  },
  raw: (type: number, bytes: number[]): WValue => ({ type, bytes: Uint8Array.from(bytes) }),
};
