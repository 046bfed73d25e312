/**
 * Builds the sample triage zips in samples/built/ (`npm run samples`). Entries are stored, not
 * deflated, so the bytes do not depend on the zlib that a given Node version bundles: the
 * sample test rebuilds them and compares hashes on every Node version.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { writeFileAtomic } from '../src/report/atomic-write.js';
import { cleanHost, infectedHost, type SampleFile } from './sample-hosts.js';

export const samplesDir = join(dirname(fileURLToPath(import.meta.url)), 'built');

export const samples: Record<string, () => SampleFile[]> = {
  'infected-host.zip': infectedHost,
  'clean-host.zip': cleanHost,
};

export async function buildSampleZip(files: SampleFile[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    // DOS times have no zone and yazl writes local wall time: shift so the stored fields read
    // as UTC on any machine, and leave out the extended-timestamp field.
    const wallClockUtc = new Date(file.mtime.getTime() + file.mtime.getTimezoneOffset() * 60_000);
    zip.addBuffer(Buffer.from(file.data), file.path, {
      mtime: wallClockUtc,
      compress: false,
      mode: 0o100644,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function buildSamples(outDir = samplesDir): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, make] of Object.entries(samples)) {
    const path = join(outDir, name);
    await writeFileAtomic(path, await buildSampleZip(make()));
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const path of await buildSamples()) process.stdout.write(`${path}\n`);
}
