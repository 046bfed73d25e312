/** $FILE_NAME (0x30). libfsntfs "File name attribute" section. */
import type { ByteView } from '../io/index.js';
import { type FileReference, readReference } from './mft-record.js';
import { type RawTimes, readRawTimes } from './standard-information.js';

export const PARENT_REFERENCE = 0;
export const TIMES = 8;
const ALLOCATED_SIZE = 40;
const DATA_SIZE = 48;
const FILE_ATTRIBUTES = 56;
export const NAME_LENGTH = 64;
export const NAMESPACE = 65;
export const NAME = 66;

export type NameSpace = 'POSIX' | 'Win32' | 'DOS' | 'Win32&DOS';
const NAMESPACES: NameSpace[] = ['POSIX', 'Win32', 'DOS', 'Win32&DOS'];

export interface FileName {
  parent: FileReference;
  /** FILETIMEs as stored; `timesOf(raw)` gives microseconds. */
  raw: RawTimes;
  allocatedSize: number;
  size: number;
  fileAttributes: number;
  namespace: NameSpace;
  name: string;
}

export function parseFileName(view: ByteView): FileName {
  const nameLength = view.u8(NAME_LENGTH);
  const namespaceCode = view.u8(NAMESPACE);
  return {
    parent: readReference(view, PARENT_REFERENCE),
    raw: readRawTimes(view, TIMES),
    // Sizes in $FILE_NAME are often stale; read them as bigint-safe numbers without throwing.
    allocatedSize: Number(view.u64(ALLOCATED_SIZE)),
    size: Number(view.u64(DATA_SIZE)),
    fileAttributes: view.u32(FILE_ATTRIBUTES),
    namespace: NAMESPACES[namespaceCode] ?? 'POSIX',
    name: view.utf16(NAME, nameLength * 2),
  };
}
