/**
 * A binary XML name (libevtx "Name"): next-string offset (4), hash (2), character count (2),
 * UTF-16LE characters, NUL (2). Element, attribute, entity and PI names point to one by its
 * chunk-relative offset; the first use of a name stores it inline, right after the offset.
 */
import type { ByteView } from '../io/index.js';
import { readUtf16 } from './values.js';

export const NAME_HEADER_SIZE = 8;

/** Bytes a name structure at `offset` occupies. */
export function nameSize(chunk: ByteView, offset: number): number {
  return NAME_HEADER_SIZE + chunk.u16(offset + 6) * 2 + 2;
}

/** True when a complete name structure fits at `offset` (used to tell element layouts apart). */
export function plausibleName(chunk: ByteView, offset: number): boolean {
  return offset >= 0 && chunk.has(offset, NAME_HEADER_SIZE) && chunk.has(offset, nameSize(chunk, offset));
}

export function readNameAt(chunk: ByteView, offset: number, cache: Map<number, string>): string {
  const cached = cache.get(offset);
  if (cached !== undefined) return cached;
  const count = chunk.u16(offset + 6);
  const name = readUtf16(chunk, offset + NAME_HEADER_SIZE, count * 2);
  cache.set(offset, name);
  return name;
}

/**
 * Reads the 32-bit name offset at `position` and the name it designates; returns the name
 * and the position after the reference (after the inline name when it is inline).
 */
export function readNameReference(
  chunk: ByteView,
  position: number,
  cache: Map<number, string>,
): [string, number] {
  const nameOffset = chunk.u32(position);
  const after = position + 4;
  const name = readNameAt(chunk, nameOffset, cache);
  return [name, nameOffset === after ? after + nameSize(chunk, nameOffset) : after];
}
