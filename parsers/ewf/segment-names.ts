import { FormatError } from '../io/format-error.js';

/** Highest segment number a name can carry: E01..E99, then EAA..EZZ, FAA.. up to ZZZ. */
export const MAX_SEGMENT_NUMBER = 99 + (26 - 4) * 26 * 26;

const FIRST_SEGMENT = /^(.*\.)([A-Za-z])(01)$/;
const ANY_SEGMENT = /^(.*\.)([A-Za-z])([0-9]{2}|[A-Za-z]{2})$/;

export interface SegmentNaming {
  /** Everything before the extension, including the dot. */
  stem: string;
  /** First extension letter: `E` (E01), `e`, `s` (SMART S01). */
  letter: string;
}

/** The naming of a set from its first segment's path (`case.E01`). */
export function segmentNaming(path: string): SegmentNaming {
  const first = FIRST_SEGMENT.exec(path);
  if (first) return { stem: first[1]!, letter: first[2]! };
  if (ANY_SEGMENT.test(path)) {
    throw new FormatError('ewf', 'segment name', 0, 'not the first segment of the set (open the .E01)', path);
  }
  // A lone EWF file under another name: only segment 1 can be found.
  return { stem: `${path}.`, letter: '' };
}

/**
 * The path of segment `number` (1-based): `.E01`..`.E99`, then `.EAA`..`.EZZ`, `.FAA`...
 * Letters keep the case of the first segment's extension.
 */
export function segmentPath(naming: SegmentNaming, number: number, firstPath: string): string {
  if (number === 1) return firstPath;
  if (naming.letter === '' || number < 1 || number > MAX_SEGMENT_NUMBER) {
    throw new FormatError('ewf', 'segment name', 0, `no file name for segment ${number}`, firstPath);
  }
  if (number <= 99) return `${naming.stem}${naming.letter}${String(number).padStart(2, '0')}`;
  const upper = naming.letter === naming.letter.toUpperCase();
  const base = upper ? 65 : 97;
  const index = number - 100;
  const first = naming.letter.charCodeAt(0) + Math.floor(index / (26 * 26));
  const second = base + (Math.floor(index / 26) % 26);
  const third = base + (index % 26);
  return `${naming.stem}${String.fromCharCode(first, second, third)}`;
}
