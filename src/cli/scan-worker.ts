/** Child process of `batch`: runs one scan job sent over IPC and replies with its outcome. */
import type { BatchJob, BatchOutcome } from '../batch/batch.js';
import { scanEvidence } from '../scan/scan-job.js';

process.once('message', async (job: BatchJob) => {
  let outcome: BatchOutcome;
  try {
    const summary = await scanEvidence({
      evidence: [job.evidence],
      outDir: job.outDir,
      ...(job.rulesDir ? { rulesDir: job.rulesDir } : {}),
    });
    outcome = { ok: true, summary };
  } catch (error) {
    outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(outcome, () => process.exit(0));
});
