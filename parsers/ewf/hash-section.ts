import type { ByteView } from '../io/byte-view.js';
import { adler32 } from './adler32.js';

/** `hash` section: MD5 (16), unknown (16), Adler-32 (4). */
const HASH_MD5 = 0;
const HASH_CHECKSUM = 32;
/** `digest` section: MD5 (16), SHA-1 (20), padding (40), Adler-32 (4). */
const DIGEST_MD5 = 0;
const DIGEST_SHA1 = 16;
const DIGEST_CHECKSUM = 76;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

export interface StoredHashes {
  md5?: string;
  sha1?: string;
  checksumValid: boolean;
}

export function parseHashSection(view: ByteView): StoredHashes {
  const md5 = view.subarray(HASH_MD5, 16);
  return {
    ...(isZero(md5) ? {} : { md5: hex(md5) }),
    checksumValid: adler32(view.subarray(0, HASH_CHECKSUM)) === view.u32(HASH_CHECKSUM),
  };
}

export function parseDigestSection(view: ByteView): StoredHashes {
  const md5 = view.subarray(DIGEST_MD5, 16);
  const sha1 = view.subarray(DIGEST_SHA1, 20);
  return {
    ...(isZero(md5) ? {} : { md5: hex(md5) }),
    ...(isZero(sha1) ? {} : { sha1: hex(sha1) }),
    checksumValid: adler32(view.subarray(0, DIGEST_CHECKSUM)) === view.u32(DIGEST_CHECKSUM),
  };
}
