import { describe, expect, it } from 'vitest';
import { ROOT_RECORD } from './mft-record.js';
import { FLAG_DIRECTORY, FLAG_IN_USE, FLAG_PARSED, NameTable } from './name-table.js';

const WIN32 = 1;
const DOS = 2;
const DIRECTORY = FLAG_PARSED | FLAG_IN_USE | FLAG_DIRECTORY;
const FILE = FLAG_PARSED | FLAG_IN_USE;

function table(count = 2000): NameTable {
  const names = new NameTable(count);
  names.flags[ROOT_RECORD] = DIRECTORY;
  names.sequence[ROOT_RECORD] = 5;
  names.addName(ROOT_RECORD, '.', ROOT_RECORD, 5, WIN32);
  return names;
}

function add(
  names: NameTable,
  record: number,
  flags: number,
  sequence: number,
  ...links: Array<[string, number, number, number?]>
) {
  names.flags[record] = flags;
  names.sequence[record] = sequence;
  for (const [name, parent, parentSequence, namespace] of links)
    names.addName(record, name, parent, parentSequence, namespace ?? WIN32);
}

describe('NameTable paths (TSK rules)', () => {
  it('builds paths through directories, with hard links and without DOS names', () => {
    const names = table();
    add(names, 30, DIRECTORY, 1, ['WINDOWS', 5, 5]);
    add(names, 31, DIRECTORY, 2, ['system32', 30, 1]);
    add(
      names,
      40,
      FILE,
      1,
      ['MSBLAST~1.EXE', 31, 2, DOS],
      ['msblast.exe', 31, 2],
      ['link.exe', 30, 1],
      ['link.exe', 30, 1],
    );
    expect(names.pathsOf(40)).toEqual(['/WINDOWS/system32/msblast.exe', '/WINDOWS/link.exe']);
    expect(names.directoryPath(31)).toBe('/WINDOWS/system32');
    expect(names.pathsOf(ROOT_RECORD)).toEqual(['/']);
    expect(names.links(40).map((link) => link.namespace)).toEqual(['DOS', 'Win32', 'Win32', 'Win32']);
  });

  it('keeps children of a deleted directory (sequence + 1) and orphans those of a reused one', () => {
    const names = table();
    add(names, 30, FLAG_PARSED | FLAG_DIRECTORY, 4, ['tempdir', 5, 5]); // deleted: 3 -> 4
    add(names, 31, FLAG_PARSED, 3, ['kept.txt', 30, 3]);
    add(names, 32, FLAG_PARSED, 3, ['orphan.txt', 30, 2]);
    add(names, 33, FLAG_PARSED, 3);
    expect(names.pathsOf(31)).toEqual(['/tempdir/kept.txt']);
    expect(names.pathsOf(32)).toEqual(['/$OrphanFiles/orphan.txt']);
    expect(names.pathsOf(33)).toEqual(['/$OrphanFiles/OrphanFile-33']);
  });

  it('ends cycles and chains deeper than 512 under /$OrphanFiles', () => {
    const names = table();
    add(names, 30, DIRECTORY, 1, ['a', 31, 1]);
    add(names, 31, DIRECTORY, 1, ['b', 30, 1]);
    add(names, 32, FILE, 1, ['self', 32, 1]);
    expect(names.directoryPath(30)).toBe('/$OrphanFiles/b/a');
    expect(names.directoryPath(31)).toBe('/$OrphanFiles/b');
    expect(names.pathsOf(32)).toEqual(['/$OrphanFiles/self']);
    // 600 nested directories: the walk stops after 512 steps.
    add(names, 100, DIRECTORY, 1, ['d100', 5, 5]);
    for (let record = 101; record < 700; record += 1)
      add(names, record, DIRECTORY, 1, [`d${record}`, record - 1, 1]);
    const deep = names.directoryPath(699);
    expect(deep.startsWith('/$OrphanFiles/d187/d188/')).toBe(true);
    expect(deep.split('/')).toHaveLength(2 + 513);
    // Directories on that walk keep (cached) the path it found for them.
    expect(names.directoryPath(200)).toBe(
      `/$OrphanFiles/d187/${Array.from({ length: 13 }, (_, i) => `d${188 + i}`).join('/')}`,
    );
  });

  it('refuses parents that are files, out of range, or of another sequence', () => {
    const names = table();
    add(names, 30, FILE, 1, ['file', 5, 5]);
    add(names, 31, FILE, 1, ['under-file', 30, 1]);
    add(names, 32, FILE, 1, ['far', 1 << 40, 1]);
    add(names, 33, FILE, 1, ['stale', 5, 4]);
    expect(names.pathsOf(31)).toEqual(['/$OrphanFiles/under-file']);
    expect(names.pathsOf(32)).toEqual(['/$OrphanFiles/far']);
    expect(names.pathsOf(33)).toEqual(['/$OrphanFiles/stale']);
    const valid: number[] = [];
    names.forEachValidLink((record) => valid.push(record));
    expect(valid).toEqual([30]);
  });
});
