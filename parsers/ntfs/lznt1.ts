/**
 * LZNT1 decompression, the algorithm of NTFS compressed files: a compression unit is a series of
 * chunks, each with a 16-bit header (bit 15 = compressed, bits 0-11 = size - 3) decompressing to at
 * most 4096 bytes; inside a compressed chunk, flag bytes select literals or 16-bit back references
 * whose offset/length split depends on the position in the chunk.
 * libfsntfs documentation "Compression" section and [MS-XCA] section 2.5.
 */
import type { ByteView } from '../io/index.js';

const CHUNK_SIZE = 4096;
const CHUNK_SIZE_MASK = 0x0fff;
const CHUNK_COMPRESSED = 0x8000;

/**
 * Decompresses `input` into `output` (whose length is the unit size) and returns the number of
 * bytes produced. Bytes after that stay as they are (the caller zero-fills). Throws FormatError
 * (structure lznt1) on a back reference before the start of the chunk.
 */
export function decompressLznt1(input: ByteView, output: Uint8Array): number {
  const bytes = input.bytes;
  let inPos = 0;
  let outPos = 0;
  while (inPos + 2 <= bytes.length && outPos < output.length) {
    const header = bytes[inPos]! | (bytes[inPos + 1]! << 8);
    if (header === 0) break;
    const chunkEnd = Math.min(bytes.length, inPos + (header & CHUNK_SIZE_MASK) + 3);
    inPos += 2;
    const chunkStart = outPos;
    const chunkLimit = Math.min(output.length, chunkStart + CHUNK_SIZE);
    if ((header & CHUNK_COMPRESSED) === 0) {
      // Stored chunk: 4096 literal bytes (fewer at the end of the data).
      const take = Math.min(chunkEnd - inPos, chunkLimit - outPos);
      output.set(bytes.subarray(inPos, inPos + take), outPos);
      outPos += take;
      inPos = chunkEnd;
      continue;
    }
    while (inPos < chunkEnd && outPos < chunkLimit) {
      const flags = bytes[inPos]!;
      inPos += 1;
      for (let bit = 0; bit < 8 && inPos < chunkEnd && outPos < chunkLimit; bit += 1) {
        if ((flags & (1 << bit)) === 0) {
          output[outPos] = bytes[inPos]!;
          outPos += 1;
          inPos += 1;
          continue;
        }
        if (inPos + 2 > chunkEnd) {
          throw input.error(inPos, 'LZNT1 back reference is cut off by the end of the chunk');
        }
        const token = bytes[inPos]! | (bytes[inPos + 1]! << 8);
        inPos += 2;
        let lengthBits = 12;
        for (let position = outPos - chunkStart - 1; position >= 0x10; position >>= 1) lengthBits -= 1;
        const length = (token & ((1 << lengthBits) - 1)) + 3;
        const distance = (token >>> lengthBits) + 1;
        if (distance > outPos - chunkStart) {
          throw input.error(inPos - 2, `LZNT1 back reference ${distance} reaches before the chunk start`);
        }
        const end = Math.min(chunkLimit, outPos + length);
        // Byte by byte: the source may overlap the bytes being written (run-length style).
        for (; outPos < end; outPos += 1) output[outPos] = output[outPos - distance]!;
      }
    }
    inPos = chunkEnd;
    // A chunk that decompressed to less than 4096 bytes is followed by zeros only when it is
    // not the last one; pad so that the next chunk starts on its 4 KiB boundary.
    if (
      inPos + 2 <= bytes.length &&
      (bytes[inPos]! | (bytes[inPos + 1]! << 8)) !== 0 &&
      outPos < chunkLimit
    ) {
      output.fill(0, outPos, chunkLimit);
      outPos = chunkLimit;
    }
  }
  return outPos;
}
