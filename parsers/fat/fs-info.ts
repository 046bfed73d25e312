import { type ByteView, FormatError } from '../io/index.js';

/** FAT32 FSInfo sector (fatgen103 §5 "FAT32 FSInfo Sector Structure"): advisory free-cluster hints. */
const FSI_LEAD_SIG = 0;
const FSI_STRUC_SIG = 484;
const FSI_FREE_COUNT = 488;
const FSI_NXT_FREE = 492;
const FSI_TRAIL_SIG = 508;
const LEAD_SIGNATURE = 0x41615252;
const STRUCT_SIGNATURE = 0x61417272;
const TRAIL_SIGNATURE = 0xaa550000;
export const UNKNOWN = 0xffffffff;

export interface FsInfo {
  /** Last known free cluster count, undefined when 0xFFFFFFFF (unknown). */
  freeCount?: number;
  nextFree?: number;
}

export function parseFsInfo(view: ByteView): FsInfo {
  const signatures: Array<[number, number]> = [
    [FSI_LEAD_SIG, LEAD_SIGNATURE],
    [FSI_STRUC_SIG, STRUCT_SIGNATURE],
    [FSI_TRAIL_SIG, TRAIL_SIGNATURE],
  ];
  for (const [offset, expected] of signatures) {
    const value = view.u32(offset);
    if (value !== expected) {
      throw new FormatError(
        'fat',
        'FSInfo',
        view.base + offset,
        `signature 0x${value.toString(16)}, expected 0x${expected.toString(16)}`,
      );
    }
  }
  const freeCount = view.u32(FSI_FREE_COUNT);
  const nextFree = view.u32(FSI_NXT_FREE);
  return {
    ...(freeCount === UNKNOWN ? {} : { freeCount }),
    ...(nextFree === UNKNOWN ? {} : { nextFree }),
  };
}
