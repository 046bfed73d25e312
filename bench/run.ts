/**
 * `npm run bench [name...]`: runs every bench/*.bench.ts (or those named) one after another,
 * each in its own process, and prints their tables. Benchmarks report figures; they never fail
 * on a figure (tests check behaviour).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir } from './lib.js';

const wanted = process.argv.slice(2);
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((want) => name.startsWith(want)))
  .sort();

process.stdout.write(`# blaster-triage benchmarks (${new Date().toISOString()}, node ${process.version})\n`);
let failed = 0;
for (const bench of benches) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, bench)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed += 1;
    process.stderr.write(`bench ${bench} exited with ${result.status}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
