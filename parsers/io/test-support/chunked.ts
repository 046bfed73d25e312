/**
 * Feeds bytes as a stream in chunks of the given sizes, round and round, so that lines and
 * records straddle chunk boundaries the way a real read stream can cut them.
 */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let position = 0;
  let index = 0;
  while (position < bytes.length) {
    const size = sizes[index++ % sizes.length]!;
    yield bytes.subarray(position, position + size);
    position += size;
  }
}
