import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** SHA-256 of a byte stream, streamed (a 4 GB image is never held in memory). */
export async function sha256Stream(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  return sha256Stream(createReadStream(path, { flags: 'r', highWaterMark: 4 * 1024 * 1024 }));
}
