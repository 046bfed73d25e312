import { ConcatReader } from '../io/concat-reader.js';
import { FileReader } from '../io/random-access-reader.js';
import { findRawSegments } from './segment-names.js';

/** File name endings of raw images (single or first split segment). */
const RAW_NAME = /\.(dd|raw|img|ima|bin|dsk|000|001|0001|aa)$/i;

/**
 * Raw images have no signature: detection is by name alone (`.dd`, `.raw`, `.img`, `.bin`,
 * first split segments `.000`/`.001`/`.aa`). Callers should try every signed format first.
 */
export function detectRaw(_firstBytes: Uint8Array, name: string): boolean {
  return RAW_NAME.test(name) || /^xaa$/.test(name.replace(/^.*[\\/]/, ''));
}

/** A raw or split raw image: the media is its segments end to end. */
export class RawImage extends ConcatReader {
  /** Segment paths in media order. */
  readonly segments: readonly string[];

  constructor(parts: readonly FileReader[], segments: readonly string[]) {
    super(parts, segments[0]);
    this.segments = segments;
  }
}

/** Opens a raw image read-only; `path` is the image or its first segment. */
export async function openRaw(path: string): Promise<RawImage> {
  const segments = await findRawSegments(path);
  const parts: FileReader[] = [];
  try {
    for (const segment of segments) parts.push(await FileReader.open(segment));
  } catch (error) {
    for (const part of parts) await part.close();
    throw error;
  }
  return new RawImage(parts, segments);
}
