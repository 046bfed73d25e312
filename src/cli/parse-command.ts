import { createReadStream } from 'node:fs';
import { type Command, Option } from 'commander';
import { parseBodyfile } from '../../parsers/bodyfile/index.js';
import { openEvt } from '../../parsers/evt/index.js';
import { openEvtx } from '../../parsers/evtx/index.js';
import { parseFirewallLog } from '../../parsers/firewall-log/index.js';
import { FileReader, type FormatErrorRecord } from '../../parsers/io/index.js';
import { parseNetstat } from '../../parsers/netstat/index.js';
import { openHive, walkHive } from '../../parsers/regf/index.js';
import { LineBatcher, stdoutSink } from '../report/line-batcher.js';
import { toPlain } from '../report/plain.js';
import { EXIT_CLEAN } from './main.js';

/** What one parser gives for `parse`: its raw records, and the damage it found. */
interface Dump {
  records: AsyncIterable<unknown>;
  errors(): FormatErrorRecord[];
  errorCount(): number;
}

interface DumpOptions {
  /** Transaction logs to replay over a hive (in memory). */
  logs: string[];
}

type Dumper = (path: string, options: DumpOptions) => Promise<Dump>;

/** Text parsers share one shape: records() then a capped error log with an exact count. */
function textDump(parser: {
  records(): AsyncIterable<unknown>;
  errors: { items: Array<{ toJSON(): FormatErrorRecord }>; count: number };
}): Dump {
  return {
    records: parser.records(),
    errors: () => parser.errors.items.map((error) => error.toJSON()),
    errorCount: () => parser.errors.count,
  };
}

/** One entry per format: the parser's own records, not the normalized ones. */
export const dumpers: Record<string, Dumper> = {
  async regf(path, options) {
    const reader = await FileReader.open(path);
    const logs = await Promise.all(options.logs.map((log) => FileReader.open(log)));
    const hive = await openHive(reader, { logs, name: path });
    await Promise.all([reader, ...logs].map((opened) => opened.close()));
    // walkHive ends with the hive's error rows, so the errors are part of the dump itself.
    return { records: toAsync(walkHive(hive)), errors: () => [], errorCount: () => 0 };
  },
  async evt(path) {
    const reader = await FileReader.open(path);
    const log = await openEvt(reader);
    return {
      records: closing(log.records(), reader),
      errors: () => log.errors.map((error) => error.toJSON()),
      errorCount: () => log.errorCount,
    };
  },
  async evtx(path) {
    const reader = await FileReader.open(path);
    const file = await openEvtx(reader);
    async function* records(): AsyncGenerator<unknown> {
      for await (const record of file.records()) {
        yield {
          recordId: record.recordId,
          written: record.written,
          chunkIndex: record.chunkIndex,
          offset: record.offset,
          event: record.event,
        };
      }
    }
    return {
      records: closing(records(), reader),
      errors: () => file.errors.list.map((error) => error.toJSON()),
      errorCount: () => file.errors.count,
    };
  },
  async 'firewall-log'(path) {
    return textDump(parseFirewallLog(openTextStream(path)));
  },
  async bodyfile(path) {
    return textDump(parseBodyfile(openTextStream(path)));
  },
  async netstat(path) {
    return textDump(parseNetstat(openTextStream(path)));
  },
};

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function* closing<T>(records: AsyncIterable<T>, reader: { close(): Promise<void> }): AsyncGenerator<T> {
  try {
    yield* records;
  } finally {
    await reader.close();
  }
}

export function openTextStream(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { flags: 'r', highWaterMark: 1024 * 1024 });
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description("dump one artifact file's parsed records as JSON lines (the parser's own records)")
    .argument('<file>', 'artifact file')
    .addOption(
      new Option('-t, --type <type>', 'format of the file')
        .choices(Object.keys(dumpers))
        .makeOptionMandatory(),
    )
    .option('--log <file...>', 'regf: transaction logs (.LOG, .LOG1, .LOG2) to replay in memory', [])
    .action(async (file: string, options: { type: string; log: string[] }) => {
      const dump = await dumpers[options.type]!(file, { logs: options.log });
      const lines = new LineBatcher(stdoutSink);
      for await (const record of dump.records) await lines.write(`${JSON.stringify(toPlain(record))}\n`);
      await lines.flush();
      for (const error of dump.errors()) process.stderr.write(`error: ${JSON.stringify(error)}\n`);
      if (dump.errorCount() > 0) process.stderr.write(`${dump.errorCount()} damaged structures reported\n`);
      process.exitCode = EXIT_CLEAN;
    });
}
