import type { ByteView } from './byte-view.js';

/**
 * Signature search for record carving: finds `pattern` in a ByteView with the runtime's native
 * byte search (memchr-class speed) instead of a bounds-checked read at every candidate offset.
 * Callers still validate each hit through the ByteView.
 */
export function findBytes(
  view: ByteView,
  pattern: Uint8Array,
  from: number,
  to = view.length,
  alignment = 1,
  phase = 0,
): number {
  const bytes = view.bytes;
  const end = Math.min(to, bytes.length);
  if (pattern.length === 0 || from < 0) return -1;
  // A Buffer over the same memory: Buffer#indexOf takes a multi-byte needle.
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, end);
  let at = from;
  while (at + pattern.length <= end) {
    const hit = haystack.indexOf(pattern, at);
    if (hit < 0) return -1;
    if (alignment === 1 || (((hit - phase) % alignment) + alignment) % alignment === 0) return hit;
    at = hit + 1;
  }
  return -1;
}
