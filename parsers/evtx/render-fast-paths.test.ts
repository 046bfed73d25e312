/**
 * The renderers' fast paths (JSON: leaf and single-value elements without a builder; XML:
 * escaping only what needs it, one item shape) must give exactly what the straightforward
 * renderers gave (test-support/render-*-reference.ts, the renderers before them), on every
 * record of the corpus (skipped when absent).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteView, type FormatError } from '../io/index.js';
import { type BinXmlContext, parseBinXml } from './binxml.js';
import { chunkRecordHeaders, hasChunkSignature, parseChunkHeader, recordsLimit } from './chunk.js';
import { CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE } from './constants.js';
import { renderJson } from './render-json.js';
import { renderXml } from './render-xml.js';
import { renderJson as referenceRenderJson } from './test-support/render-json-reference.js';
import { renderXml as referenceRenderXml } from './test-support/render-xml-reference.js';

const corpus = [
  resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'evtx'),
  '/work/shared/corpus/evtx',
].find((dir) => existsSync(dir));
if (corpus === undefined) console.warn('no EVTX corpus: JSON fast-path corpus test skipped');

/** Renders every record of a file both ways; returns how many were compared. */
function compareFile(file: Uint8Array): number {
  let compared = 0;
  for (let offset = FILE_HEADER_BLOCK_SIZE; offset + CHUNK_SIZE <= file.length; offset += CHUNK_SIZE) {
    const chunk = new ByteView(file.subarray(offset, offset + CHUNK_SIZE), offset, 'evtx', 'chunk');
    if (!hasChunkSignature(chunk)) continue;
    const ignore = (_error: FormatError): void => undefined;
    const header = parseChunkHeader(chunk, ignore);
    const context: BinXmlContext = { chunk, names: new Map(), templates: new Map(), report: ignore };
    for (const record of chunkRecordHeaders(chunk, recordsLimit(chunk, header), ignore)) {
      let nodes: ReturnType<typeof parseBinXml>['nodes'];
      try {
        nodes = parseBinXml(context, record.dataStart, record.dataEnd, 0).nodes;
      } catch {
        continue; // unreadable records have no JSON
      }
      const fast = renderJson(nodes);
      const slow = referenceRenderJson(nodes);
      if (JSON.stringify(fast) !== JSON.stringify(slow)) expect(fast).toEqual(slow);
      const xml = renderXml(nodes);
      if (xml !== referenceRenderXml(nodes)) expect(xml).toBe(referenceRenderXml(nodes));
      compared += 1;
    }
  }
  return compared;
}

describe.skipIf(corpus === undefined)('JSON fast paths on the corpus', () => {
  it('render every record exactly as the reference renderers (JSON keys, order, values; XML text)', () => {
    let compared = 0;
    for (const name of readdirSync(corpus ?? '.').filter((entry) => entry.includes('.evtx'))) {
      const raw = readFileSync(join(corpus ?? '.', name));
      compared += compareFile(name.endsWith('.gz') ? gunzipSync(raw) : raw);
    }
    expect(compared).toBeGreaterThan(20_000);
  });
});
