/** Helpers to run The Sleuth Kit on a test image and compare with our output. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export function tskAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v fls && command -v icat']).status === 0;
}

/** `fls -r -m /` lines of an image. */
export function flsBodyfile(image: string): string[] {
  const result = spawnSync('fls', ['-r', '-m', '/', image], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`fls failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** SHA-256 of `icat image address` (address like 38-128-11 or 64). */
export function icatSha256(image: string, address: string): string {
  const result = spawnSync('icat', [image, address], { maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`icat ${address} failed: ${result.stderr}`);
  return createHash('sha256').update(result.stdout).digest('hex');
}

/** Lines only in `ours`, lines only in `theirs`. */
export function diffLines(ours: string[], theirs: string[]): { onlyOurs: string[]; onlyTheirs: string[] } {
  const a = new Set(ours);
  const b = new Set(theirs);
  return {
    onlyOurs: [...a].filter((line) => !b.has(line)).sort(),
    onlyTheirs: [...b].filter((line) => !a.has(line)).sort(),
  };
}
