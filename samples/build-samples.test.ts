import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSampleZip, samples, samplesDir } from './build-samples.js';
import { blasterStandIn } from './sample-hosts.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sample evidence', () => {
  it.each(Object.keys(samples))('the builder reproduces %s byte for byte', async (name) => {
    const committed = await readFile(join(samplesDir, name));
    const rebuilt = await buildSampleZip(samples[name]!());
    expect(sha256(rebuilt)).toBe(sha256(committed));
  });

  it('gives the stand-in the size of Blaster.A and none of its code', () => {
    const standIn = blasterStandIn();
    expect(standIn.length).toBe(6176);
    expect(Buffer.from(standIn).toString('latin1')).toContain('inert stand-in, not the worm');
  });
});
