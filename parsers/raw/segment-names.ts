import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../io/format-error.js';

/** Most segments a split raw image may have (bounds the directory scan's work). */
export const MAX_SEGMENTS = 100_000;

/** How the segments of a split image are named. */
export type SplitScheme =
  | { kind: 'single' }
  | { kind: 'numeric'; stem: string; width: number; first: number }
  | { kind: 'alphabetic'; stem: string; width: number; upper: boolean };

const NUMERIC = /^(.*\.)(\d{2,4})$/;
const ALPHABETIC = /^(.*?)(a{2,3}|A{2,3})$/;

/** The naming scheme of a first segment's file name (`disk.001`, `disk.raw.000`, `disk.aa`, `xaa`). */
export function splitScheme(name: string): SplitScheme {
  const numeric = NUMERIC.exec(name);
  if (numeric) {
    const digits = numeric[2]!;
    return { kind: 'numeric', stem: numeric[1]!, width: digits.length, first: Number(digits) };
  }
  const alphabetic = ALPHABETIC.exec(name);
  if (alphabetic) {
    const letters = alphabetic[2]!;
    return {
      kind: 'alphabetic',
      stem: alphabetic[1]!,
      width: letters.length,
      upper: letters[0] === 'A',
    };
  }
  return { kind: 'single' };
}

/** The suffix number of `name` under the scheme, or undefined when it is not a sibling. */
function segmentIndex(scheme: SplitScheme, name: string): number | undefined {
  if (scheme.kind === 'single') return undefined;
  if (!name.startsWith(scheme.stem) || name.length !== scheme.stem.length + scheme.width) return undefined;
  const suffix = name.slice(scheme.stem.length);
  if (scheme.kind === 'numeric') {
    return /^\d+$/.test(suffix) ? Number(suffix) - scheme.first : undefined;
  }
  const pattern = scheme.upper ? /^[A-Z]+$/ : /^[a-z]+$/;
  if (!pattern.test(suffix)) return undefined;
  const base = scheme.upper ? 65 : 97;
  let value = 0;
  for (const char of suffix) value = value * 26 + (char.charCodeAt(0) - base);
  return value;
}

/**
 * The ordered segment paths of a raw image given its first segment. Siblings are found by name
 * in the same directory; a missing segment in the sequence (a gap) is an error, since reading
 * across it would silently shift every later byte.
 */
export async function findRawSegments(path: string): Promise<string[]> {
  const name = basename(path);
  const scheme = splitScheme(name);
  if (scheme.kind === 'single') return [path];
  const directory = dirname(path);
  if (scheme.kind === 'numeric' && scheme.first > 1) {
    // `backup.2024` is a single file; `disk.002` beside a `disk.001` is a middle segment.
    const previous = `${scheme.stem}${String(scheme.first - 1).padStart(scheme.width, '0')}`;
    if ((await readdir(directory)).includes(previous)) {
      throw new FormatError(
        'raw',
        'segment name',
        0,
        `"${name}" is not the first segment (see ${previous})`,
        path,
      );
    }
    return [path];
  }
  const found = new Map<number, string>();
  for (const entry of await readdir(directory)) {
    const index = segmentIndex(scheme, entry);
    if (index === undefined || index < 0) continue;
    if (found.size >= MAX_SEGMENTS) {
      throw new FormatError('raw', 'segment name', 0, `more than ${MAX_SEGMENTS} segments`, path);
    }
    found.set(index, join(directory, entry));
  }
  const count = found.size;
  const paths: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const segment = found.get(index);
    if (segment === undefined) {
      const present = [...found.keys()].sort((a, b) => a - b);
      throw new FormatError(
        'raw',
        'segment name',
        0,
        `segment ${index + 1} of the split image is missing (found segments ${present.map((i) => i + 1).join(', ')})`,
        path,
      );
    }
    paths.push(segment);
  }
  return paths;
}
