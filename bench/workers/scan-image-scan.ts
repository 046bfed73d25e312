/** Worker: `scan-image-scan.ts <image> <outDir>`: the whole scan job on a disk image. */
import { readFileSync, rmSync } from 'node:fs';
import { scanEvidence } from '../../src/scan/scan-job.js';
import { fileSize, workerMain } from '../lib.js';

const [image = '', outDir = ''] = process.argv.slice(2);
await workerMain(async () => {
  rmSync(outDir, { recursive: true, force: true });
  const summary = await scanEvidence({ evidence: [image], outDir });
  const inventory = JSON.parse(readFileSync(`${outDir}/inventory.json`, 'utf8')) as {
    evidence: Array<{ files?: string[] }>;
    summary: { records: number };
  };
  const files = inventory.evidence[0]?.files?.length ?? 1;
  return {
    bytes: fileSize(image),
    records: inventory.summary.records,
    extra: { timelineRows: summary.timelineRows, verdict: summary.verdict.verdict, segments: files },
  };
});
