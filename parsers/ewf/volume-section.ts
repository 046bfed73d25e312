import type { ByteView } from '../io/byte-view.js';
import { adler32 } from './adler32.js';

/** EWF-E01 volume/disk/data section data size (EnCase 2+, ewfacquire, FTK). */
export const VOLUME_E01_SIZE = 1052;
/** EWF-S01 (SMART) volume section data size. */
export const VOLUME_S01_SIZE = 94;

const MEDIA_TYPE = 0;
const CHUNK_COUNT = 4;
const SECTORS_PER_CHUNK = 8;
const BYTES_PER_SECTOR = 12;
const SECTOR_COUNT = 16;
const MEDIA_FLAGS = 36;
const COMPRESSION_LEVEL = 52;
const ERROR_GRANULARITY = 56;
const SET_IDENTIFIER = 64;
const E01_CHECKSUM = 1048;
const S01_CHECKSUM = 90;

export interface Volume {
  mediaType: 'removable' | 'fixed' | 'optical' | 'logical' | 'memory' | 'unknown';
  chunkCount: number;
  sectorsPerChunk: number;
  bytesPerSector: number;
  sectorCount: number;
  isPhysical: boolean;
  compressionLevel: 'none' | 'fast' | 'best' | 'unknown';
  errorGranularity: number;
  setIdentifier: string;
  checksumValid: boolean;
}

const MEDIA_TYPES: Record<number, Volume['mediaType']> = {
  0: 'removable',
  1: 'fixed',
  3: 'optical',
  14: 'logical',
  16: 'memory',
};

/** Parses volume (first segment), disk (EnCase 1) or data (later segments) section data. */
export function parseVolume(view: ByteView): Volume {
  if (view.length >= VOLUME_E01_SIZE) {
    const level = view.u8(COMPRESSION_LEVEL);
    return {
      mediaType: MEDIA_TYPES[view.u8(MEDIA_TYPE)] ?? 'unknown',
      chunkCount: view.u32(CHUNK_COUNT),
      sectorsPerChunk: view.u32(SECTORS_PER_CHUNK),
      bytesPerSector: view.u32(BYTES_PER_SECTOR),
      sectorCount: view.u64n(SECTOR_COUNT),
      isPhysical: (view.u8(MEDIA_FLAGS) & 0x02) !== 0,
      compressionLevel: level === 0 ? 'none' : level === 1 ? 'fast' : level === 2 ? 'best' : 'unknown',
      errorGranularity: view.u32(ERROR_GRANULARITY),
      setIdentifier: view.guid(SET_IDENTIFIER),
      checksumValid: adler32(view.subarray(0, E01_CHECKSUM)) === view.u32(E01_CHECKSUM),
    };
  }
  // EWF-S01: the sector count is 32-bit and there is no media information.
  return {
    mediaType: 'unknown',
    chunkCount: view.u32(CHUNK_COUNT),
    sectorsPerChunk: view.u32(SECTORS_PER_CHUNK),
    bytesPerSector: view.u32(BYTES_PER_SECTOR),
    sectorCount: view.u32(SECTOR_COUNT),
    isPhysical: false,
    compressionLevel: 'unknown',
    errorGranularity: 0,
    setIdentifier: '',
    checksumValid:
      view.length >= VOLUME_S01_SIZE && adler32(view.subarray(0, S01_CHECKSUM)) === view.u32(S01_CHECKSUM),
  };
}
