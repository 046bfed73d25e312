import { run } from '../../partitions/test-support/tools.js';

/** TSK's virtual files (not directory entries): $MBR, $FAT1, $FAT2, $OrphanFiles and what is under it. */
const VIRTUAL = /^\/\$(MBR|FAT\d|OrphanFiles)(\/|$)/;

export interface BodyLine {
  line: string;
  name: string;
  inode: number;
}

/** `fls -r -m /` lines for directory entries (virtual TSK files removed), sorted. */
export function flsBody(image: string, extra: string[] = []): string[] {
  return run('fls', ['-r', '-m', '/', ...extra, image])
    .split('\n')
    .filter((line) => line !== '')
    .filter((line) => !VIRTUAL.test(line.split('|')[1] ?? ''))
    .sort();
}

export function virtualFlsLines(image: string, extra: string[] = []): string[] {
  return run('fls', ['-r', '-m', '/', ...extra, image])
    .split('\n')
    .filter((line) => VIRTUAL.test(line.split('|')[1] ?? ''));
}
