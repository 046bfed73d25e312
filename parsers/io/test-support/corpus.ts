/**
 * Test and bench access to the shared real-world corpus (see its README.md and MANIFEST.tsv).
 *
 * Where the corpus is, first match wins:
 * 1. `BLASTER_TRIAGE_CORPUS` (when set, it alone is used: point it at a missing folder to run the
 *    suite as a fresh clone without the corpus would);
 * 2. `<repo root>/../shared/corpus`, its documented home beside the main checkout;
 * 3. `<ancestor>/../shared/corpus` for each ancestor of the repo root, walking up: helpers work in
 *    git worktrees (/work/wt/<name>) whose main checkout's sibling is /work/shared/corpus.
 *
 * Gzipped corpus files are never unpacked next to the corpus: `openCorpusFile` gunzips them once
 * per process into a temporary folder under os.tmpdir() (removed when the process exits or is
 * signalled) and
 * checks the SHA-256 and size of the original bytes against MANIFEST.tsv.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** The corpus folder, or undefined when there is none (tests then skip). */
export function corpusDir(): string | undefined {
  const fromEnv = process.env.BLASTER_TRIAGE_CORPUS;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? resolve(fromEnv) : undefined;
  for (let dir = repoRoot; ; dir = dirname(dir)) {
    const candidate = join(dirname(dir), 'shared', 'corpus');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Absolute path of a corpus file or folder (`evtx/foo.evtx.gz`), or undefined when absent. */
export function corpusPath(relative: string): string | undefined {
  const root = corpusDir();
  if (root === undefined) return undefined;
  const path = join(root, relative);
  return existsSync(path) ? path : undefined;
}

/** Relative paths (`folder/name`, sorted) of the files in a corpus folder; [] when absent. */
export function corpusFiles(
  folder: string,
  filter: RegExp | ((name: string) => boolean) = () => true,
): string[] {
  const path = corpusPath(folder);
  if (path === undefined) return [];
  const keep = typeof filter === 'function' ? filter : (name: string) => filter.test(name);
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => `${folder}/${entry.name}`)
    .sort();
}

export interface CorpusSkip {
  /** True when a named corpus file is absent: pass to `describe.skipIf` / `it.skipIf`. */
  skip: boolean;
  /** Why the tests skip ('' when they run). */
  message: string;
}

/**
 * A vitest skip condition for tests that need these corpus files (or folders); warns, naming
 * `what` and the missing files, when they are absent.
 */
export function skipUnlessCorpus(what: string, ...relatives: string[]): CorpusSkip {
  const root = corpusDir();
  const missing =
    root === undefined ? relatives : relatives.filter((relative) => !existsSync(join(root, relative)));
  if (missing.length === 0) return { skip: false, message: '' };
  const message =
    root === undefined
      ? `${what} skipped: no corpus (../shared/corpus beside the repository, or BLASTER_TRIAGE_CORPUS) for ${missing.join(', ')}`
      : `${what} skipped: ${missing.join(', ')} absent from ${root}`;
  console.warn(message);
  return { skip: true, message };
}

interface ManifestEntry {
  bytes: number;
  sha256: string;
}

const manifests = new Map<string, Map<string, ManifestEntry>>();

function manifestEntry(root: string, relative: string): ManifestEntry {
  let manifest = manifests.get(root);
  if (manifest === undefined) {
    const [header, ...rows] = readFileSync(join(root, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n');
    const columns = header!.split('\t');
    const pathAt = columns.indexOf('path');
    const bytesAt = columns.indexOf('bytes');
    const shaAt = columns.indexOf('sha256');
    if (pathAt < 0 || bytesAt < 0 || shaAt < 0)
      throw new Error(`${root}/MANIFEST.tsv lacks path/bytes/sha256`);
    manifest = new Map();
    manifests.set(root, manifest);
    for (const row of rows) {
      const cells = row.split('\t');
      manifest.set(cells[pathAt]!, { bytes: Number(cells[bytesAt]), sha256: cells[shaAt]! });
    }
  }
  const entry = manifest.get(relative);
  if (entry === undefined) throw new Error(`corpus file ${relative} is not listed in MANIFEST.tsv`);
  return entry;
}

let cacheDir: string | undefined;
const opened = new Map<string, Promise<string>>();

function temporaryCache(): string {
  if (cacheDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'blaster-triage-corpus-'));
    cacheDir = dir;
    const remove = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', remove);
    // vitest ends its fork workers with SIGTERM, which skips 'exit': clean up, then let the
    // signal do what it would have done without us (unless someone else handles it).
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.once(signal, () => {
        remove();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
  }
  return cacheDir;
}

/** Streams `source` (gunzipped when `gunzip`) to `target` or nowhere, returning its SHA-256 and size. */
async function digest(source: string, gunzip: boolean, target?: string): Promise<ManifestEntry> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const sink =
    target === undefined
      ? new Writable({ write: (_chunk, _encoding, done) => done() })
      : createWriteStream(target);
  if (gunzip) await pipeline(createReadStream(source), createGunzip(), tap, sink);
  else await pipeline(createReadStream(source), tap, sink);
  return { bytes, sha256: hash.digest('hex') };
}

async function open(root: string, relative: string): Promise<string> {
  const source = join(root, relative);
  if (!existsSync(source)) throw new Error(`corpus file ${relative} is absent from ${root}`);
  const expected = manifestEntry(root, relative);
  const gzipped = relative.endsWith('.gz');
  let path = source;
  if (gzipped) {
    // Keep the original name (without .gz) and folder, so segment sets (.E01/.E02) stay together.
    path = join(temporaryCache(), relative.slice(0, -'.gz'.length));
    mkdirSync(dirname(path), { recursive: true });
  }
  const actual = await digest(source, gzipped, gzipped ? path : undefined);
  if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
    throw new Error(
      `corpus file ${relative} does not match MANIFEST.tsv: ${actual.bytes} bytes sha256 ${actual.sha256}, ` +
        `expected ${expected.bytes} bytes sha256 ${expected.sha256}`,
    );
  }
  return path;
}

/**
 * A plain path to a corpus file, checked against MANIFEST.tsv: the file itself, or for `.gz`
 * files its gunzipped copy in a per-process temporary cache. Read it, never write it.
 */
export function openCorpusFile(relative: string): Promise<string> {
  const root = corpusDir();
  if (root === undefined) return Promise.reject(new Error(`no corpus for ${relative}`));
  const key = join(root, relative);
  let pending = opened.get(key);
  if (pending === undefined) {
    pending = open(root, relative);
    opened.set(key, pending);
  }
  return pending;
}
