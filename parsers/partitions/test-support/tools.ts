import { spawnSync } from 'node:child_process';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Runs a tool, throwing with its stderr when it fails. */
export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' },
    ...(input === undefined ? {} : { input }),
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export interface MmlsRow {
  /** `Meta`, `-------`, `000:001` (MBR table:slot) or `002` (GPT entry). */
  slot: string;
  start: number;
  end: number;
  length: number;
  description: string;
}

/** Parses `mmls` output: its header lines, then `NNN:  slot  start  end  length  description`. */
export function parseMmls(output: string): { sectorSize: number; rows: MmlsRow[] } {
  const unit = /Units are in (\d+)-byte sectors/.exec(output);
  const rows: MmlsRow[] = [];
  for (const line of output.split('\n')) {
    const match = /^\d+:\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    rows.push({
      slot: match[1]!,
      start: Number(match[2]),
      end: Number(match[3]),
      length: Number(match[4]),
      description: match[5]!.trimEnd(),
    });
  }
  return { sectorSize: unit ? Number(unit[1]) : 512, rows };
}
