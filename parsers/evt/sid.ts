/**
 * A Windows security identifier in its binary form (revision, sub-authority count, 48-bit
 * big-endian identifier authority, little-endian 32-bit sub-authorities), rendered S-1-5-...
 * Reference: libfwnt "Security Descriptor" (SID section); Microsoft [MS-DTYP] 2.4.2.2.
 */
import type { ByteView } from '../io/index.js';

const SID_REVISION = 0x00;
const SID_SUB_AUTHORITY_COUNT = 0x01;
const SID_IDENTIFIER_AUTHORITY = 0x02;
const SID_SUB_AUTHORITIES = 0x08;
const SID_MAX_SUB_AUTHORITIES = 15;

/** The SID at `at` of `size` bytes as text, or undefined when the bytes are not a well-formed SID. */
export function formatSid(view: ByteView, at: number, size: number): string | undefined {
  if (size < SID_SUB_AUTHORITIES || !view.has(at, size)) return undefined;
  const revision = view.u8(at + SID_REVISION);
  const count = view.u8(at + SID_SUB_AUTHORITY_COUNT);
  if (revision !== 1 || count > SID_MAX_SUB_AUTHORITIES || size < SID_SUB_AUTHORITIES + 4 * count)
    return undefined;
  // 48-bit big-endian authority: fits a double exactly.
  const authority =
    view.u16be(at + SID_IDENTIFIER_AUTHORITY) * 0x100000000 + view.u32be(at + SID_IDENTIFIER_AUTHORITY + 2);
  let text = `S-${revision}-${authority >= 0x100000000 ? `0x${authority.toString(16).padStart(12, '0')}` : authority}`;
  for (let index = 0; index < count; index += 1) text += `-${view.u32(at + SID_SUB_AUTHORITIES + 4 * index)}`;
  return text;
}
