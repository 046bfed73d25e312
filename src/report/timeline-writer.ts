import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readLines } from '../../parsers/io/index.js';
import type { TimelineRow } from '../model/timeline.js';
import { AtomicStream } from './atomic-write.js';
import { csvLine } from './csv.js';
import { LineBatcher } from './line-batcher.js';

export const TIMELINE_COLUMNS = [
  'datetime',
  'timestamp',
  'timestamp_desc',
  'message',
  'host',
  'artifact',
  'kind',
  'source_file',
  'local_time',
  'rule_ids',
  'level',
  'details',
] as const;

/** A row kept as its two finished output lines: far smaller than the row object. */
interface Keyed {
  timestamp: number;
  sequence: number;
  csv: string;
  json: string;
}

function compare(a: Keyed, b: Keyed): number {
  return a.timestamp - b.timestamp || a.sequence - b.sequence;
}

/** A line of a run file (see `spill`); the JSON line comes back with its newline. */
function parseRunLine(line: string): Keyed {
  const first = line.indexOf('\t');
  const second = line.indexOf('\t', first + 1);
  const third = line.indexOf('\t', second + 1);
  if (first < 0 || second < 0 || third < 0) throw new Error('timeline work file: damaged line');
  return {
    timestamp: Number(line.slice(0, first)),
    sequence: Number(line.slice(first + 1, second)),
    csv: JSON.parse(line.slice(second + 1, third)) as string,
    json: `${line.slice(third + 1)}\n`,
  };
}

function details(row: TimelineRow): string {
  return Object.entries(row.fields)
    .map(([key, value]) => `${key}=${value}`)
    .join('; ');
}

function csvOf(row: TimelineRow): string {
  return csvLine([
    row.datetime,
    String(row.timestamp),
    row.timestamp_desc,
    row.message,
    row.host,
    row.artifact,
    row.kind,
    row.source_file,
    row.local_time ?? '',
    row.rule_ids.join(';'),
    row.level,
    details(row),
  ]);
}

/**
 * Writes `timeline.csv` and `timeline.jsonl` sorted by time, with bounded memory: each row is
 * rendered to its CSV and JSON lines as it arrives, lines are buffered up to a byte budget,
 * sorted and spilled to run files in the output folder's work directory, then merged. Ties keep
 * arrival order (a sequence number), and arrival order is deterministic, so the same evidence
 * always gives byte-identical files.
 */
export class TimelineWriter {
  private readonly outDir: string;
  private readonly workDir: string;
  private readonly budgetChars: number;
  private buffer: Keyed[] = [];
  private bufferedChars = 0;
  private runs: string[] = [];
  private sequence = 0;
  rows = 0;

  /** `budgetChars`: characters of rendered lines held before a spill (default 32 Mi, ~64 MiB). */
  constructor(outDir: string, options: { budgetChars?: number } = {}) {
    this.outDir = outDir;
    this.workDir = join(outDir, `.timeline-work-${process.pid}`);
    this.budgetChars = options.budgetChars ?? 32 * 1024 * 1024;
  }

  async add(row: TimelineRow): Promise<void> {
    const item: Keyed = {
      timestamp: row.timestamp,
      sequence: this.sequence,
      csv: csvOf(row),
      json: `${JSON.stringify(row)}\n`,
    };
    this.buffer.push(item);
    this.sequence += 1;
    this.rows += 1;
    this.bufferedChars += item.csv.length + item.json.length;
    if (this.bufferedChars >= this.budgetChars) await this.spill();
  }

  private async spill(): Promise<void> {
    if (this.buffer.length === 0) return;
    await mkdir(this.workDir, { recursive: true });
    this.buffer.sort(compare);
    const path = join(this.workDir, `run-${this.runs.length}.tsv`);
    const out = new AtomicStream(path);
    const lines = new LineBatcher(out);
    for (const item of this.buffer) {
      // timestamp, sequence, the CSV line as a JSON string (it may hold newlines and tabs) and the
      // JSON line as it is (JSON.stringify leaves neither a raw tab nor a newline in it).
      await lines.write(`${item.timestamp}\t${item.sequence}\t${JSON.stringify(item.csv)}\t${item.json}`);
    }
    await lines.flush();
    await out.commit();
    this.runs.push(path);
    this.buffer = [];
    this.bufferedChars = 0;
  }

  private async *merged(): AsyncGenerator<Keyed> {
    if (this.runs.length === 0) {
      this.buffer.sort(compare);
      yield* this.buffer;
      return;
    }
    await this.spill();
    const iterators = this.runs.map((path) =>
      readLines(createReadStream(path), { maxLineBytes: 64 * 1024 * 1024 }),
    );
    const heads: Array<Keyed | undefined> = [];
    const next = async (index: number): Promise<void> => {
      const result = await iterators[index]!.next();
      if (result.done) {
        heads[index] = undefined;
        return;
      }
      heads[index] = parseRunLine(result.value.text);
    };
    for (let index = 0; index < iterators.length; index += 1) await next(index);
    // Few runs (one per budget of lines): a linear scan for the minimum beats a heap's bookkeeping.
    for (;;) {
      let best = -1;
      for (let index = 0; index < heads.length; index += 1) {
        const head = heads[index];
        if (head !== undefined && (best === -1 || compare(head, heads[best]!) < 0)) best = index;
      }
      if (best === -1) return;
      yield heads[best]!;
      await next(best);
    }
  }

  /** Writes both files atomically and removes the work directory. */
  async finish(): Promise<void> {
    const csv = new AtomicStream(join(this.outDir, 'timeline.csv'));
    const jsonl = new AtomicStream(join(this.outDir, 'timeline.jsonl'));
    try {
      const csvLines = new LineBatcher(csv);
      const jsonLines = new LineBatcher(jsonl);
      await csvLines.write(csvLine([...TIMELINE_COLUMNS]));
      for await (const item of this.merged()) {
        await csvLines.write(item.csv);
        await jsonLines.write(item.json);
      }
      await csvLines.flush();
      await jsonLines.flush();
      await csv.commit();
      await jsonl.commit();
    } catch (error) {
      await csv.abort();
      await jsonl.abort();
      throw error;
    } finally {
      await rm(this.workDir, { recursive: true, force: true });
    }
  }

  async abort(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
  }
}
