import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionRecord, FileRecord } from '../model/records.js';
import { hostClock } from '../model/time-zone.js';
import { csvLine, neutralizeCell } from './csv.js';
import { timelineRows } from './timeline-rows.js';
import { TimelineWriter } from './timeline-writer.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bt-report-'));
  dirs.push(dir);
  return dir;
}

function connection(seconds: number, srcIp: string): ConnectionRecord {
  return {
    kind: 'connection',
    host: 'HOST1',
    artifact: 'firewall-log',
    sourceFile: 'WINDOWS/pfirewall.log',
    action: 'DROP',
    protocol: 'TCP',
    srcIp,
    srcPort: 1234,
    dstIp: '10.0.0.5',
    dstPort: 135,
    time: BigInt(seconds) * 1_000_000n,
  };
}

describe('CSV formula injection', () => {
  it.each(['=cmd|"/c calc"!A1', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])('neutralizes %j', (cell) => {
    expect(neutralizeCell(cell)).toBe(`'${cell}`);
  });

  it('leaves ordinary cells alone and quotes per RFC 4180', () => {
    expect(neutralizeCell('msblast.exe')).toBe('msblast.exe');
    expect(csvLine(['a,b', 'say "hi"', '=1'])).toBe('"a,b","say ""hi""",\'=1\n');
  });
});

describe('timelineRows', () => {
  it('gives a file one row per distinct time with merged MACB letters', () => {
    const file: FileRecord = {
      kind: 'file',
      host: 'H',
      artifact: 'bodyfile',
      sourceFile: 'C.body',
      path: '\\WINDOWS\\system32\\msblast.exe',
      name: 'msblast.exe',
      extension: 'exe',
      size: 6176,
      deleted: false,
      isDirectory: false,
      timeSource: 'bodyfile',
      modified: 2_000_000n,
      accessed: 3_000_000n,
      changed: 2_000_000n,
      created: 1_000_000n,
    };
    const rows = timelineRows(
      file,
      { ruleIds: ['BLA-F1'], level: 'high' },
      { clock: hostClock(540, undefined)! },
    );
    expect(rows.map((row) => [row.datetime, row.fields.macb, row.timestamp_desc])).toEqual([
      ['1970-01-01T00:00:01.000000Z', '...B', 'bodyfile Created'],
      ['1970-01-01T00:00:02.000000Z', 'M.C.', 'bodyfile Modified/Changed'],
      ['1970-01-01T00:00:03.000000Z', '.A..', 'bodyfile Accessed'],
    ]);
    expect(rows[0]!.local_time).toBe('1970-01-01T09:00:01.000000+09:00');
    expect(rows[0]!.rule_ids).toEqual(['BLA-F1']);
  });
});

describe('TimelineWriter', () => {
  it('sorts by time across spilled runs with stable ties and writes CSV and JSONL atomically', async () => {
    const dir = await tempDir();
    const writer = new TimelineWriter(dir, { budgetChars: 1000 });
    const times = [5, 1, 4, 1, 3, 9, 2, 6, 5, 0];
    for (const [index, seconds] of times.entries()) {
      for (const row of timelineRows(connection(seconds, `10.0.0.${index}`), { ruleIds: [], level: '' }))
        await writer.add(row);
    }
    await writer.finish();
    expect((await readdir(dir)).sort()).toEqual(['timeline.csv', 'timeline.jsonl']);
    const jsonl = (await readFile(join(dir, 'timeline.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(jsonl.map((row) => [row.timestamp / 1e6, row.fields.srcIp])).toEqual([
      [0, '10.0.0.9'],
      [1, '10.0.0.1'],
      [1, '10.0.0.3'],
      [2, '10.0.0.6'],
      [3, '10.0.0.4'],
      [4, '10.0.0.2'],
      [5, '10.0.0.0'],
      [5, '10.0.0.8'],
      [6, '10.0.0.7'],
      [9, '10.0.0.5'],
    ]);
    const csv = parse(await readFile(join(dir, 'timeline.csv'), 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(csv).toHaveLength(10);
    expect(csv[0]).toMatchObject({
      datetime: '1970-01-01T00:00:00.000000Z',
      timestamp_desc: 'Connection logged',
      kind: 'connection',
    });
    expect(csv[0]!.message).toBe('DROP TCP 10.0.0.9:1234 -> 10.0.0.5:135');
  });

  it('spilled runs give the same bytes as one in-memory run, newlines, tabs and quotes included', async () => {
    const write = async (budgetChars: number): Promise<[string, string]> => {
      const dir = await tempDir();
      const writer = new TimelineWriter(dir, { budgetChars });
      for (let index = 0; index < 60; index += 1) {
        const record = {
          ...connection((index * 7) % 13, `10.0.0.${index}`),
          sourceFile: `logs\tline ${index}\nsecond "line"\r\n\u2028end\\`,
        };
        for (const row of timelineRows(record, { ruleIds: ['X-1'], level: 'low' })) await writer.add(row);
      }
      await writer.finish();
      return [
        await readFile(join(dir, 'timeline.csv'), 'utf8'),
        await readFile(join(dir, 'timeline.jsonl'), 'utf8'),
      ];
    };
    const [oneRunCsv, oneRunJsonl] = await write(1 << 30);
    const [spilledCsv, spilledJsonl] = await write(700);
    expect(spilledCsv).toBe(oneRunCsv);
    expect(spilledJsonl).toBe(oneRunJsonl);
    expect(oneRunJsonl.trim().split('\n')).toHaveLength(60);
    expect(JSON.parse(oneRunJsonl.split('\n')[0]!).source_file).toMatch(
      /^logs\tline \d+\nsecond "line"\r\n\u2028end\\$/,
    );
  });

  it('neutralizes hostile strings in every CSV cell', async () => {
    const dir = await tempDir();
    const writer = new TimelineWriter(dir);
    const hostile = { ...connection(1, '10.0.0.1'), host: '=HYPERLINK("http://x")', sourceFile: '@evil.log' };
    for (const row of timelineRows(hostile, { ruleIds: [], level: '' })) await writer.add(row);
    await writer.finish();
    const csv = parse(await readFile(join(dir, 'timeline.csv'), 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(csv[0]!.host).toBe('\'=HYPERLINK("http://x")');
    expect(csv[0]!.source_file).toBe("'@evil.log");
  });
});
