import { asciiBytes, type ByteView } from '../io/byte-view.js';

/** MS-VHDX 2.1 file type identifier: `vhdxfile` then the creator (UTF-16LE, 512 bytes). */
export const FILE_IDENTIFIER_SIGNATURE = asciiBytes('vhdxfile');
const CREATOR = 8;
const CREATOR_SIZE = 512;

export function creatorOf(view: ByteView): string {
  return view.utf16z(CREATOR, CREATOR_SIZE);
}
