import type { ByteView } from '../io/index.js';

/**
 * 32-byte directory entries (fatgen103 §6 "Directory Structure", §7 "Long File Name
 * Implementation"). A short (8.3) entry, or a long-name entry when the attribute byte is 0x0F.
 */
export const DIRECTORY_ENTRY_SIZE = 32;
const DIR_NAME = 0;
const DIR_ATTR = 11;
const DIR_NT_RES = 12;
const DIR_CRT_TIME_TENTH = 13;
const DIR_CRT_TIME = 14;
const DIR_CRT_DATE = 16;
const DIR_LST_ACC_DATE = 18;
const DIR_FST_CLUS_HI = 20;
const DIR_WRT_TIME = 22;
const DIR_WRT_DATE = 24;
const DIR_FST_CLUS_LO = 26;
const DIR_FILE_SIZE = 28;
// Long-name entry.
const LDIR_ORD = 0;
const LDIR_NAME1 = 1;
const LDIR_CHKSUM = 13;
const LDIR_NAME2 = 14;
const LDIR_NAME3 = 28;

export const ATTR_READ_ONLY = 0x01;
export const ATTR_HIDDEN = 0x02;
export const ATTR_SYSTEM = 0x04;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_LONG_NAME = 0x0f;
const ATTR_LONG_NAME_MASK = 0x3f;

/** First name byte: 0x00 ends the directory, 0xE5 marks a deleted entry, 0x05 stands for 0xE5. */
export const END_OF_DIRECTORY = 0x00;
export const DELETED_MARK = 0xe5;
const KANJI_E5 = 0x05;
export const LAST_LONG_ENTRY = 0x40;
/** Windows NT keeps the case of a short name in DIR_NTRes instead of writing a long name. */
const NT_LOWER_BASE = 0x08;
const NT_LOWER_EXT = 0x10;

export interface ShortEntry {
  kind: 'short';
  /** The 11 raw name bytes (for the long-name checksum). */
  rawName: Uint8Array;
  /** 8.3 name with case restored from DIR_NTRes; a deleted entry's first char reads '_'. */
  name: string;
  deleted: boolean;
  attributes: number;
  startCluster: number;
  size: number;
  createdTenth: number;
  createdTime: number;
  createdDate: number;
  accessedDate: number;
  modifiedTime: number;
  modifiedDate: number;
}

export interface LongEntry {
  kind: 'long';
  order: number;
  deleted: boolean;
  checksum: number;
  /** 13 UCS-2 code units, cut at the NUL terminator. */
  part: string;
  /** True when the part held a NUL (it is the name's last part). */
  terminated: boolean;
}

export function isLongEntry(attributes: number): boolean {
  return (attributes & ATTR_LONG_NAME_MASK) === ATTR_LONG_NAME;
}

/** fatgen103 §7: the checksum of the 11-byte short name stored in each long-name entry. */
export function shortNameChecksum(rawName: Uint8Array): number {
  let sum = 0;
  for (const byte of rawName) sum = (((sum & 1) << 7) + (sum >> 1) + byte) & 0xff;
  return sum;
}

const decoder = new TextDecoder('latin1');

function shortNameText(bytes: Uint8Array, lowerBase: boolean, lowerExt: boolean): string {
  let base = decoder.decode(bytes.subarray(0, 8)).replace(/ +$/, '');
  let ext = decoder.decode(bytes.subarray(8, 11)).replace(/ +$/, '');
  if (lowerBase) base = base.toLowerCase();
  if (lowerExt) ext = ext.toLowerCase();
  return ext === '' ? base : `${base}.${ext}`;
}

function longPart(view: ByteView): { part: string; terminated: boolean } {
  const units: number[] = [];
  let terminated = false;
  for (const [offset, count] of [
    [LDIR_NAME1, 5],
    [LDIR_NAME2, 6],
    [LDIR_NAME3, 2],
  ] as const) {
    for (let index = 0; index < count && !terminated; index += 1) {
      const unit = view.u16(offset + index * 2);
      if (unit === 0) terminated = true;
      else units.push(unit);
    }
  }
  return { part: String.fromCharCode(...units), terminated };
}

/** Parses a 32-byte slot whose first byte is not 0x00 (end of directory). */
export function parseDirectoryEntry(view: ByteView): ShortEntry | LongEntry {
  const first = view.u8(DIR_NAME);
  const attributes = view.u8(DIR_ATTR);
  const deleted = first === DELETED_MARK;
  if (isLongEntry(attributes)) {
    return {
      kind: 'long',
      order: view.u8(LDIR_ORD),
      deleted,
      checksum: view.u8(LDIR_CHKSUM),
      ...longPart(view),
    };
  }
  // An explicit copy: ByteView.copy uses slice(), which shares memory when the bytes are a Buffer.
  const rawName = Uint8Array.from(view.subarray(DIR_NAME, 11));
  const display = Uint8Array.from(rawName);
  if (deleted)
    display[0] = 0x5f; // '_' as The Sleuth Kit shows it: the first character is lost
  else if (first === KANJI_E5) display[0] = DELETED_MARK;
  const caseFlags = view.u8(DIR_NT_RES);
  return {
    kind: 'short',
    rawName,
    name: shortNameText(display, (caseFlags & NT_LOWER_BASE) !== 0, (caseFlags & NT_LOWER_EXT) !== 0),
    deleted,
    attributes,
    startCluster: view.u16(DIR_FST_CLUS_HI) * 0x10000 + view.u16(DIR_FST_CLUS_LO),
    size: view.u32(DIR_FILE_SIZE),
    createdTenth: view.u8(DIR_CRT_TIME_TENTH),
    createdTime: view.u16(DIR_CRT_TIME),
    createdDate: view.u16(DIR_CRT_DATE),
    accessedDate: view.u16(DIR_LST_ACC_DATE),
    modifiedTime: view.u16(DIR_WRT_TIME),
    modifiedDate: view.u16(DIR_WRT_DATE),
  };
}
