import { deflateRawSync } from 'node:zlib';
import yazl from 'yazl';

export interface ZipItemSpec {
  name: string;
  data: Uint8Array | string;
  compress?: boolean;
  /** Fixed time so archives are reproducible. */
  mtime?: Date;
}

/** Builds a zip in memory with yazl (a real zip writer), deterministically. */
export async function buildZip(items: ZipItemSpec[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    const data = typeof item.data === 'string' ? Buffer.from(item.data) : Buffer.from(item.data);
    zip.addBuffer(data, item.name, {
      mtime: item.mtime ?? new Date(Date.UTC(2003, 7, 20, 12, 0, 0)),
      compress: item.compress ?? true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of an entry name (local header and central directory) in place. */
export function renameInPlace(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('names must have the same length');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  let index = out.indexOf(needle);
  while (index !== -1) {
    Buffer.from(to).copy(out, index);
    index = out.indexOf(needle, index + 1);
  }
  return out;
}

/** Offsets of central directory file headers (signature PK\1\2). */
export function centralHeaders(zip: Buffer): number[] {
  const offsets: number[] = [];
  let index = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  while (index !== -1) {
    offsets.push(index);
    index = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), index + 4);
  }
  return offsets;
}

export { deflateRawSync };
