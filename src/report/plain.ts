import { microsToIso, setOwn } from '../../parsers/io/index.js';

/**
 * Plain JSON data from records: every bigint in the model is a time in microseconds, written
 * as ISO 8601 UTC; Uint8Array becomes hex. Key order is kept, so output is deterministic.
 */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return microsToIso(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) setOwn(out, key, toPlain(inner));
    }
    return out;
  }
  return value;
}

export function stableJson(value: unknown, indent = 2): string {
  return `${JSON.stringify(toPlain(value), null, indent)}\n`;
}
