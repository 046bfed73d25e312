/**
 * regf: full walk of keys and values (all data decoded) of the largest corpus hive and of a
 * generated ~200 MB hive, ours vs hivexml and regfexport (output to /dev/null), same run.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ } from '../parsers/regf/constants.js';
import {
  buildHive,
  dword,
  multiSz,
  utf16,
  type WriterKey,
} from '../parsers/regf/test-support/hive-writer.js';
import {
  corpusDir,
  ensureWorkDir,
  fileSize,
  type Measurement,
  printTable,
  repoRoot,
  runMeasured,
  runWorker,
  toolAvailable,
} from './lib.js';

const out = ensureWorkDir();
// A worktree sits one level deeper than the main checkout.
const regfCorpus = [join(corpusDir, 'regf'), resolve(repoRoot, '..', '..', 'shared', 'corpus', 'regf')].find(
  (candidate) => existsSync(candidate),
);

function largestCorpusHive(): string | undefined {
  if (regfCorpus === undefined) return undefined;
  let best: { path: string; size: number } | undefined;
  for (const name of readdirSync(regfCorpus)) {
    if (/\.log\d?(\.gz)?$/i.test(name) || /NotAHive|corrupt/i.test(name)) continue;
    const path = join(regfCorpus, name);
    let target = path;
    if (name.endsWith('.gz')) {
      target = join(out, `regf-${name.slice(0, -3)}`);
      if (!existsSync(target)) writeFileSync(target, gunzipSync(readFileSync(path)));
    }
    const size = statSync(target).size;
    if (best === undefined || size > best.size) best = { path: target, size };
  }
  return best?.path;
}

function generatedHive(): string {
  const path = join(out, 'regf-generated-200m.hive');
  if (existsSync(path) && statSync(path).size > 150e6) return path;
  const blob = new Uint8Array(180).map((_, index) => index);
  const groups: WriterKey[] = [];
  for (let group = 0; group < 400; group += 1) {
    const keys: WriterKey[] = [];
    for (let index = 0; index < 560; index += 1) {
      keys.push({
        name: `Service${group}_${index}`,
        values: [
          { name: 'DisplayName', type: REG_SZ, data: utf16(`Generated service ${group} ${index}`) },
          { name: 'ImagePath', type: REG_EXPAND_SZ, data: utf16(`%SystemRoot%\\system32\\svc${index}.exe`) },
          { name: 'Start', type: REG_DWORD, data: dword(index % 5) },
          { name: 'Type', type: REG_DWORD, data: dword(16) },
          { name: 'DependOnService', type: REG_MULTI_SZ, data: multiSz(['RpcSs', 'Tcpip']) },
          { name: 'Blob', type: REG_BINARY, data: blob },
          { name: 'Description', type: REG_SZ, data: utf16('x'.repeat(40 + (index % 60))) },
        ],
      });
    }
    groups.push({ name: `Group${group}`, list: group % 2 ? 'ri' : 'lh', riLeafSize: 128, subkeys: keys });
  }
  writeFileSync(path, buildHive({ root: { name: 'ROOT', subkeys: groups } }));
  return path;
}

function measure(path: string, label: string): Measurement[] {
  const rows: Measurement[] = [];
  const bytes = fileSize(path);
  const ours = runWorker('regf-walk.ts', [path]);
  rows.push({
    tool: 'blaster-triage regf',
    input: label,
    bytes,
    records: ours.records,
    seconds: ours.seconds,
    peakRssMiB: ours.peakRssMiB,
  });
  for (const tool of ['hivexml', 'regfexport']) {
    if (!toolAvailable(tool)) continue;
    const run = runMeasured([tool, path], { stdoutToNull: true });
    rows.push({
      tool,
      input: label,
      bytes,
      records: ours.records,
      seconds: run.seconds,
      peakRssMiB: run.peakRssMiB,
      ...(run.status === 0 ? {} : { note: `exit ${run.status}` }),
    });
  }
  return rows;
}

const largest = largestCorpusHive();
if (largest !== undefined)
  printTable('regf: largest corpus hive, every key and value', measure(largest, largest.split('/').pop()!));
else process.stdout.write('\nregf bench: corpus absent, skipping the corpus hive\n');
printTable('regf: generated hive, every key and value', measure(generatedHive(), 'generated'));
