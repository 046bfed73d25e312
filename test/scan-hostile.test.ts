import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infectedHost, seededRandom } from '../samples/sample-hosts.js';
import { EvidenceError } from '../src/evidence/vfs.js';
import { scanEvidence } from '../src/scan/scan-job.js';
import { buildZip } from './support/zip-builder.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bt-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function randomBytes(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

const ARTIFACT_PATHS = [
  'C/WINDOWS/system32/config/SYSTEM',
  'C/WINDOWS/system32/config/SOFTWARE',
  'C/WINDOWS/system32/config/SysEvent.Evt',
  'C/WINDOWS/system32/winevt/Logs/System.evtx',
  'C/WINDOWS/pfirewall.log',
];

interface Inventory {
  artifacts: Array<{ type: string; sourcePath: string; status: string; errors: number; reason?: string }>;
}

async function scanZip(name: string, files: Array<{ name: string; data: Uint8Array }>): Promise<Inventory> {
  const zip = join(dir, name);
  await writeFile(zip, await buildZip(files));
  const out = join(dir, `${name}-out`);
  const summary = await scanEvidence({ evidence: [zip], outDir: out });
  expect(summary.artifacts.found).toBeGreaterThan(0);
  return JSON.parse(await readFile(join(out, 'inventory.json'), 'utf8')) as Inventory;
}

describe('a scan over hostile evidence', () => {
  it('finishes over random, zeroed and regf/LfLe/ElfFile-headed garbage, saying what failed', async () => {
    const files = ARTIFACT_PATHS.flatMap((path, index) => [
      { name: path, data: randomBytes(70_000, index + 1) },
      { name: path.replace('C/', 'D/'), data: new Uint8Array(70_000) },
    ]);
    // Right signatures, garbage after them: the parsers get past their first check.
    for (const [path, signature] of [
      ['E/WINDOWS/system32/config/SYSTEM', 'regf'],
      ['E/WINDOWS/system32/config/SysEvent.Evt', '\u0030\u0000\u0000\u0000LfLe'],
      ['E/WINDOWS/system32/winevt/Logs/System.evtx', 'ElfFile\u0000'],
    ] as const) {
      const data = randomBytes(70_000, path.length);
      data.set(Buffer.from(signature, 'latin1'));
      files.push({ name: path, data });
    }
    const inventory = await scanZip('garbage.zip', files);
    const binary = inventory.artifacts.filter((artifact) => artifact.type !== 'collected-file');
    expect(binary.length).toBeGreaterThanOrEqual(10);
    for (const artifact of binary) {
      // Each one either failed with a reason or parsed while reporting damage (or nothing at all).
      if (artifact.status === 'failed') expect(artifact.reason, artifact.sourcePath).toBeTruthy();
      else expect(artifact.status, artifact.sourcePath).toBe('parsed');
    }
    expect(binary.some((artifact) => artifact.status === 'failed')).toBe(true);
  });

  it('finishes over every real artifact of the infected sample cut in half', async () => {
    const files = infectedHost().map((file) => ({
      name: file.path,
      data: file.data.subarray(0, file.data.length >> 1),
    }));
    const inventory = await scanZip('truncated.zip', files);
    const types = new Set(inventory.artifacts.map((artifact) => artifact.type));
    for (const type of ['registry-hive', 'evt', 'firewall-log', 'bodyfile', 'netstat'])
      expect(types.has(type)).toBe(true);
    const damaged = inventory.artifacts.filter(
      (artifact) => artifact.status === 'failed' || artifact.errors > 0,
    );
    expect(damaged.length).toBeGreaterThan(0);
  });

  it('gives a clear error for a disk image that is not one', async () => {
    const fake = join(dir, 'fake.E01');
    const bytes = randomBytes(4096, 99);
    bytes.set(Buffer.from('EVF\u0009\u000d\u000a\u00ff\u0000', 'latin1'));
    await writeFile(fake, bytes);
    await expect(scanEvidence({ evidence: [fake], outDir: join(dir, 'fake-out') })).rejects.toThrow(
      EvidenceError,
    );
  });
});
