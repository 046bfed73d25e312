import type { HiveCells } from './cell.js';
import {
  SIG_SK,
  SK_BLINK,
  SK_DESCRIPTOR,
  SK_DESCRIPTOR_SIZE,
  SK_FLINK,
  SK_REFERENCE_COUNT,
} from './constants.js';

/** Key security (sk) ([msuhanov] "Key security"); the descriptor is kept raw. */
export interface KeySecurity {
  offset: number;
  flink: number;
  blink: number;
  referenceCount: number;
  /** Self-relative SECURITY_DESCRIPTOR bytes (a view over the hive memory). */
  descriptor: Uint8Array;
}

export function parseKeySecurity(cells: HiveCells, relative: number): KeySecurity {
  const data = cells.cell(relative, 'sk');
  const view = cells.view;
  cells.need(data, SK_DESCRIPTOR, 'sk');
  if (view.u16(data) !== SIG_SK) throw cells.error('sk', data - 4, 'missing sk signature');
  const size = view.u32(data + SK_DESCRIPTOR_SIZE);
  cells.need(data, SK_DESCRIPTOR + size, 'sk');
  return {
    offset: data - 4,
    flink: view.u32(data + SK_FLINK),
    blink: view.u32(data + SK_BLINK),
    referenceCount: view.u32(data + SK_REFERENCE_COUNT),
    descriptor: view.subarray(data + SK_DESCRIPTOR, size),
  };
}
