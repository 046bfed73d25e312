import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineFormatError } from '../io/line-errors.js';
import { chunked } from '../io/test-support/chunked.js';
import { openCorpusFile, skipUnlessCorpus } from '../io/test-support/corpus.js';
import { mulberry32 } from '../io/test-support/random.js';
import { type BodyfileRecord, parseBodyTime } from './body-line.js';
import { parseBodyfile } from './bodyfile.js';
import { splitName, unescapeName } from './name.js';

const files = {
  plaso: 'listing/log2timeline_plaso__bodyfile',
  corrupt: 'listing/log2timeline_plaso__bodyfile.corrupt',
  fls: 'listing/log2timeline_dfvfs__fls_bodyfile.txt',
  mactimeBody: 'listing/log2timeline_dfvfs__mactime.body',
};
const corpus = skipUnlessCorpus('bodyfile corpus tests', ...Object.values(files));
const readCorpus = async (relative: string) => readFileSync(await openCorpusFile(relative));
const haveMactime = spawnSync('sh', ['-c', 'command -v mactime']).status === 0;
if (!haveMactime) console.warn('bodyfile mactime conformance skipped: mactime (sleuthkit) is not installed');

/** Chunk sizes of the test streams: lines straddle chunk boundaries. */
const CHUNKS = [5, 1, 33, 4096];

async function parseAll(input: string | Uint8Array) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const parser = parseBodyfile(chunked(bytes, CHUNKS));
  const records: BodyfileRecord[] = [];
  for await (const record of parser.records()) records.push(record);
  return { parser, records };
}

const seconds = (value: number) => BigInt(value) * 1_000_000n;

describe.skipIf(corpus.skip)('real bodyfiles', () => {
  it('plaso bodyfile: 24 entries, escapes, pipes, $FILE_NAME, links, fractions, empty UID/GID', async () => {
    const { parser, records } = await parseAll(await readCorpus(files.plaso));
    expect(records).toHaveLength(24);
    expect(parser.commentCount).toBe(1);
    expect(parser.errors.count).toBe(0);
    expect(parser.warnings.count).toBe(0);
    const byName = new Map(records.map((r) => [r.name, r]));
    // Same facts as plaso tests/parsers/bodyfile.py.
    expect(byName.get('/a_directory/another_file')).toMatchObject({
      inodeNumber: 16,
      uid: 151107,
      gid: 5000,
      mode: 'r/rrw-------',
      atime: seconds(1337961583),
      mtime: seconds(1337961584),
      ctime: seconds(1337961585),
      crtime: undefined,
    });
    expect(byName.get('/passwordz\r.txt')).toMatchObject({ rawName: '/passwordz\\x0d.txt', inodeNumber: 26 });
    expect(byName.get('\\testdir2')).toMatchObject({
      inode: '48-1',
      inodeNumber: 48,
      sequence: 1,
      uid: undefined,
      gid: undefined,
      mode: 'drwxrwxrwx',
      fileType: 'd',
      atime: 1573896478189698n,
      crtime: 1573896476845899n,
    });
    const pipes = records.filter((r) => r.path === '/file|with|pipes');
    expect(pipes.map((r) => [r.isFileName, r.inode, r.size, r.ctime])).toEqual([
      [true, '64-48-3', 100, 1596091265352146n],
      [false, '64-128-2', 16, 1596091265354067n],
    ]);
    expect(byName.get('/file_symboliclink1 -> /mnt/ext/testdir1/testfile1')).toMatchObject({
      path: '/file_symboliclink1',
      linkTarget: '/mnt/ext/testdir1/testfile1',
      mtime: seconds(1597862881),
    });
    expect(records.filter((r) => r.deleted).map((r) => r.path)).toEqual([
      '/a_directory/.another_file.swp',
      '/a_directory/another_file~',
      '/passwords.txt~',
      '/$OrphanFiles/OrphanFile-13',
    ]);
    expect(byName.get('/file\\with\\backslashes ($FILE_NAME)')).toMatchObject({
      path: '/file\\with\\backslashes',
    });
    // Names that look like numbers or booleans stay text.
    expect(records.filter((r) => ['0', '1235', '1235.134', 'False'].includes(r.name))).toHaveLength(4);
  });

  it('bodyfile.corrupt: all three lines are usable; the raw CR in a name is reported', async () => {
    const { parser, records } = await parseAll(await readCorpus(files.corrupt));
    expect(records.map((r) => r.lineNumber)).toEqual([1, 2, 3]);
    expect(parser.errors.count).toBe(0);
    // Line 2 holds an unescaped carriage return inside the name: fls never writes one.
    expect(parser.warnings.count).toBe(1);
    const warning = parser.warnings.items[0]!;
    expect(warning).toBeInstanceOf(LineFormatError);
    expect([warning.lineNumber, warning.offset]).toEqual([2, 83]);
    expect(warning.reason).toMatch(/raw control character 0x0d/);
    expect(records[1]).toMatchObject({
      name: '/passwords\r.txt',
      inodeNumber: 15,
      mtime: seconds(1337961653),
    });
    // Line 3: a 64-bit NTFS file reference and a mode without the type prefix (as plaso reads it).
    expect(records[2]).toMatchObject({
      name: '/Windows\\System32',
      inode: '1688849860339456',
      inodeNumber: 75520,
      sequence: 6,
      mode: 'drwxrwxrwx',
      crtime: seconds(1552970242),
    });
  });

  it('dfvfs fls_bodyfile.txt (CRLF, NTFS attributes and streams)', async () => {
    const { parser, records } = await parseAll(await readCorpus(files.fls));
    expect(records).toHaveLength(25);
    expect(parser.errors.count).toBe(0);
    const bad = records.find((r) => r.name === 'D:/$BadClus:$Bad')!;
    expect(bad).toMatchObject({
      path: 'D:/$BadClus',
      stream: '$Bad',
      attributeType: 128,
      attributeId: 1,
      size: 142158589952,
    });
    expect(records.filter((r) => r.stream !== undefined).map((r) => r.stream)).toEqual([
      '$Bad',
      '$O',
      '$O',
      '$Q',
      '$R',
      '$Config',
      '$Corrupt',
      '$Verify',
      '$T',
      '$J',
      '$Max',
    ]);
    // The drive colon is not a stream separator.
    expect(records.find((r) => r.path === 'D:/$AttrDef')!.stream).toBeUndefined();
    expect(records.at(-1)!.crtime).toBe(seconds(1376484808)); // last line has no newline
  });

  describe.skipIf(!haveMactime)('conformance with mactime -b FILE -d -z UTC', () => {
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    /** Parses mactime's CSV: one key per (name, meta, time, letter). */
    function mactimeKeys(path: string): Set<string> {
      const result = spawnSync('mactime', ['-b', path, '-d', '-z', 'UTC'], { encoding: 'latin1' });
      expect(result.status).toBe(0);
      const keys = new Set<string>();
      for (const line of result.stdout.split('\n').slice(1)) {
        if (line === '') continue;
        const match = /^(.+?),(\d+),([.macb]{4}),[^,]*,[^,]*,[^,]*,([^,]*),"(.*)"$/s.exec(line);
        expect(match, line).not.toBeNull();
        const [, date, , letters, meta, name] = match!;
        let epoch = 0;
        if (!date!.startsWith('Xxx')) {
          const [, month, day, year, time] = date!.split(' ');
          const [h, m, s] = time!.split(':').map(Number);
          epoch = Date.UTC(Number(year), MONTHS.indexOf(month!), Number(day), h, m, s) / 1000;
        }
        for (const letter of letters!) if (letter !== '.') keys.add(`${name}\t${meta}\t${epoch}\t${letter}`);
      }
      return keys;
    }

    /** What mactime derives from our records, plus the records mactime cannot read. */
    function ourKeys(records: BodyfileRecord[]): { keys: Set<string>; unreadable: string[] } {
      const keys = new Set<string>();
      const unreadable: string[] = [];
      for (const r of records) {
        const times: [string, bigint | undefined][] = [
          ['m', r.mtime],
          ['a', r.atime],
          ['c', r.ctime],
          ['b', r.crtime],
        ];
        if (times.every(([, t]) => t === undefined)) continue; // mactime needs some time too
        // mactime splits on every '|' and needs digits in UID/GID: these lines it drops.
        if (r.rawName.includes('|') || r.uid === undefined || r.gid === undefined) {
          unreadable.push(r.rawName);
          continue;
        }
        // The raw name bytes as mactime prints them (it does not decode escapes).
        const name = Buffer.from(r.rawName, 'utf8').toString('latin1');
        for (const [letter, t] of times) {
          // mactime prints an unset (0) time as "Xxx Xxx 00 0000": epoch 0 here.
          const epoch = t === undefined ? 0 : Number(t / 1_000_000n);
          keys.add(`${name}\t${r.inode}\t${epoch}\t${letter}`);
        }
      }
      return { keys, unreadable };
    }

    it.each(Object.entries(files))('%s: same (name, inode, time, macb) set', async (label, relative) => {
      const path = await openCorpusFile(relative);
      const { records } = await parseAll(readFileSync(path));
      const ours = ourKeys(records);
      const theirs = mactimeKeys(path);
      expect([...ours.keys].sort()).toEqual([...theirs].sort());
      if (label === 'plaso') {
        // Exact difference: mactime cannot read escaped pipes or empty UID/GID fields.
        expect(ours.unreadable).toEqual([
          '/file\\|with\\|pipes ($FILE_NAME)',
          '/file\\|with\\|pipes',
          '\\\\testdir2',
        ]);
      } else {
        expect(ours.unreadable).toEqual([]);
      }
    });
  });
});

describe('generated lines', () => {
  it('raw pipes inside names (fls does not escape them) are kept in the name', async () => {
    const { records } = await parseAll(
      '0|/a|b||c.txt|77|r/rrw-r--r--|0|0|5|1060000000|1060000001|1060000002|1060000003\n',
    );
    expect(records[0]).toMatchObject({ name: '/a|b||c.txt', path: '/a|b||c.txt', inodeNumber: 77, size: 5 });
  });

  it('fls suffix order: stream, ($FILE_NAME), link, (deleted-realloc)', async () => {
    expect(splitName('/x/f.txt:Zone.Identifier (deleted-realloc)', false, true)).toEqual({
      name: '/x/f.txt:Zone.Identifier (deleted-realloc)',
      path: '/x/f.txt',
      deleted: true,
      reallocated: true,
      isFileName: false,
      linkTarget: undefined,
      stream: 'Zone.Identifier',
    });
    expect(splitName('/WINDOWS/system32/msblast.exe ($FILE_NAME) (deleted)', false, true)).toMatchObject({
      path: '/WINDOWS/system32/msblast.exe',
      isFileName: true,
      deleted: true,
      stream: undefined,
    });
    expect(splitName('/l -> /t (deleted)', true, false)).toMatchObject({
      path: '/l',
      linkTarget: '/t',
      deleted: true,
    });
    // Not a link: the arrow is part of the name.
    expect(splitName('/a -> b', false, false).path).toBe('/a -> b');
    // A colon in an ext name (plain inode) is not a stream.
    expect(splitName('/tmp/a:b', false, false).stream).toBeUndefined();
  });

  it('unescapes only \\\\, \\| and \\xHH', () => {
    expect(unescapeName('a\\\\b\\|c\\x41\\q\\x4')).toBe('a\\b|cA\\q\\x4');
    expect(unescapeName('plain')).toBe('plain');
  });

  it('times: fractions truncate to microseconds; 0, -1 and empty are unset; garbage is invalid', () => {
    expect(parseBodyTime('1060000000.1234567')).toBe(1060000000123456n);
    expect(parseBodyTime('1060000000.5')).toBe(1060000000500000n);
    expect(parseBodyTime('0')).toBeUndefined();
    expect(parseBodyTime('-1')).toBeUndefined();
    expect(parseBodyTime('')).toBeUndefined();
    expect(parseBodyTime('-86400')).toBe(-86400000000n);
    expect(parseBodyTime('12a')).toBeNull();
    expect(parseBodyTime('1.')).toBeNull();
    expect(parseBodyTime('9999999999999')).toBeNull();
  });

  it('TSK 2 layout is told apart by field count and shape', async () => {
    const tsk2 =
      '0|/WINDOWS/system32/msblast.exe|2049|4711|33188|-rw-r--r--|1|0|0|0|6176|1060700000|1060700001|1060700002|4096|2\n';
    const tsk3WithPipes = '0|/a|b|c|d|e|f|9|r/rrwxrwxrwx|0|0|1|1060000000|0|0|0\n';
    const { parser, records } = await parseAll(tsk2 + tsk3WithPipes);
    expect(parser.errors.count).toBe(0);
    expect(records[0]).toMatchObject({
      layout: 'tsk2',
      path: '/WINDOWS/system32/msblast.exe',
      inode: '4711',
      mode: '-rw-r--r--',
      size: 6176,
      atime: seconds(1060700000),
      mtime: seconds(1060700001),
      ctime: seconds(1060700002),
      crtime: undefined,
    });
    expect(records[1]).toMatchObject({ layout: 'tsk3', name: '/a|b|c|d|e|f', inodeNumber: 9 });
  });

  it('damaged lines are errors with line numbers and offsets; parsing continues', async () => {
    const good =
      '0|/WINDOWS/system32/TFTP2453|301|r/rrwxrwxrwx|0|0|512|1060700000|1060700000|1060700000|1060700000';
    const lines = [
      good, // 1
      'garbage without pipes', // 2
      '0|/x|12|r/r|0|0|5|1060000000|106000000X|0|0', // 3 bad mtime
      '0|/x|abc|r/r|0|0|5|0|0|0|0', // 4 bad inode
      '0|/x|12|r/r|zero|0|5|0|0|0|0', // 5 bad uid
      '0||12|r/r|0|0|5|0|0|0|0', // 6 empty name
      '# comment', // 7
      '', // 8
      good.slice(0, 30), // 9 truncated
      good, // 10
    ];
    const text = lines.join('\r\n');
    const { parser, records } = await parseAll(text);
    expect(records.map((r) => r.lineNumber)).toEqual([1, 10]);
    expect(parser.errors.items.map((e) => [e.lineNumber, e.reason])).toEqual([
      [2, '1 fields, a bodyfile line has 11 (TSK 3) or 16 (TSK 2)'],
      [3, "bad mtime '106000000X'"],
      [4, "bad inode 'abc'"],
      [5, "bad UID 'zero'"],
      [6, 'empty name'],
      [9, '3 fields, a bodyfile line has 11 (TSK 3) or 16 (TSK 2)'],
    ]);
    expect(parser.errors.items[1]!.offset).toBe(text.indexOf('0|/x|12'));
    expect(parser.errors.items.every((e) => e.format === 'bodyfile' && e.structure === 'line')).toBe(true);
  });

  it('random bytes and mutated lines never throw (fixed seed)', async () => {
    const random = mulberry32(7);
    const base = Buffer.from(
      Array.from(
        { length: 30 },
        (_, i) => `0|/WINDOWS/system32/f${i} (deleted)|${i}-128-1|r/rrwxrwxrwx|0|0|${i}|1060700000.5|0|1|2\n`,
      ).join(''),
    );
    for (let round = 0; round < 200; round++) {
      const copy = Buffer.from(base);
      for (let k = 0; k < 10; k++) copy[random() % copy.length] = random() & 0xff;
      const { parser, records } = await parseAll(copy.subarray(0, random() % copy.length));
      expect(records.length + parser.errors.count).toBeLessThanOrEqual(parser.lineCount);
    }
    const noise = new Uint8Array(300_000).map(() => random() & 0xff);
    const { parser } = await parseAll(noise);
    expect(parser.errors.count).toBeGreaterThan(0);
  });
});
