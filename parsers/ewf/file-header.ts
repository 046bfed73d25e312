import { asciiBytes, ByteView } from '../io/byte-view.js';
import { FormatError } from '../io/format-error.js';

/** EWF file header: signature (8), fields start (1), segment number (2), fields end (2). */
export const FILE_HEADER_SIZE = 13;
/** `EVF\x09\x0d\x0a\xff\x00`: EWF-E01 / EWF-S01 segment file. */
export const EVF_SIGNATURE = asciiBytes('EVF\x09\x0d\x0a\xff\x00');
/** `LVF\x09\x0d\x0a\xff\x00`: EWF-L01 logical evidence file. */
export const LVF_SIGNATURE = asciiBytes('LVF\x09\x0d\x0a\xff\x00');
/** `EVF2\x0d\x0a\x81\x00`: EWF2-Ex01 (EnCase 7+). */
export const EVF2_SIGNATURE = asciiBytes('EVF2\x0d\x0a\x81\x00');
/** `LEF2\x0d\x0a\x81\x00`: EWF2-Lx01. */
export const LEF2_SIGNATURE = asciiBytes('LEF2\x0d\x0a\x81\x00');

const SEGMENT_NUMBER = 9;

export type EwfSignature = 'ewf1' | 'ewf1-logical' | 'ewf2' | 'ewf2-logical';

export function signatureOf(bytes: Uint8Array): EwfSignature | undefined {
  const view = new ByteView(bytes);
  if (view.matches(0, EVF_SIGNATURE)) return 'ewf1';
  if (view.matches(0, LVF_SIGNATURE)) return 'ewf1-logical';
  if (view.matches(0, EVF2_SIGNATURE)) return 'ewf2';
  if (view.matches(0, LEF2_SIGNATURE)) return 'ewf2-logical';
  return undefined;
}

/** Parses a segment's file header and returns its segment number (1-based). */
export function parseFileHeader(view: ByteView, file: string): number {
  const signature = signatureOf(view.subarray(0, 8));
  if (signature === 'ewf2' || signature === 'ewf2-logical') {
    throw new FormatError(
      'ewf',
      'file header',
      view.base,
      'EWF2 (Ex01/Lx01) images are not supported; convert with ewfexport or read with libewf',
      file,
    );
  }
  if (signature === 'ewf1-logical') {
    throw new FormatError(
      'ewf',
      'file header',
      view.base,
      'EWF-L01 logical evidence files hold files, not media',
      file,
    );
  }
  if (signature !== 'ewf1') {
    throw new FormatError('ewf', 'file header', view.base, 'no EVF signature: not an EWF segment file', file);
  }
  return view.u16(SEGMENT_NUMBER);
}
