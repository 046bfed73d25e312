import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchOutcome, expandInputs, jobFolders, runBatch } from './batch.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'batch-'));
  for (const name of ['b.zip', 'a.zip', 'c.zip']) await writeFile(join(dir, name), '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('expandInputs', () => {
  it('keeps the order given, sorts each glob, and drops repeats', async () => {
    const later = join(dir, 'z-named-first.zip');
    expect(await expandInputs([later, join(dir, '*.zip'), join(dir, 'a.zip')])).toEqual([
      later,
      join(dir, 'a.zip'),
      join(dir, 'b.zip'),
      join(dir, 'c.zip'),
    ]);
  });
});

describe('jobFolders', () => {
  it('names folders after the evidence, suffixing case-insensitive collisions', () => {
    expect(jobFolders(['/x/HOST.zip', '/y/host.zip', '/z/we ird/', 'C:\\e\\a b.zip'])).toEqual([
      'HOST.zip',
      'host.zip-2',
      'we_ird',
      'C_e_a_b.zip',
    ]);
  });
});

describe('runBatch', () => {
  it('keeps input order whatever order jobs finish in, and a throwing job is one failed row', async () => {
    const delays: Record<string, number> = { 'b.zip': 30, 'a.zip': 1, 'c.zip': 10 };
    const out = join(dir, 'out');
    const { rows, counts } = await runBatch({
      inputs: ['b.zip', 'a.zip', 'c.zip'].map((name) => join(dir, name)),
      outDir: out,
      jobs: 3,
      runner: async (job): Promise<BatchOutcome> => {
        const name = job.evidence.split('/').pop()!;
        await new Promise((resolve) => setTimeout(resolve, delays[name]));
        if (name === 'c.zip') throw new Error('worker crashed');
        return { ok: false, error: `no ${name}` };
      },
    });
    expect(rows.map((row) => [row.evidence.split('/').pop(), row.error])).toEqual([
      ['b.zip', 'no b.zip'],
      ['a.zip', 'no a.zip'],
      ['c.zip', 'worker crashed'],
    ]);
    expect(counts).toEqual({ failed: 3 });
    const csv = await readFile(join(out, 'batch-summary.csv'), 'utf8');
    expect(
      csv
        .split('\n')
        .slice(1, 4)
        .map((line) => line.split(',')[0]!.split('/').pop()),
    ).toEqual(['b.zip', 'a.zip', 'c.zip']);
  });
});
