/**
 * Text artifact parsers: firewall log and bodyfile, ~500 MB each (generated once into
 * bench/out by streaming writes), each parser in its own worker process; mactime -d on the
 * same bodyfile as the reference row. Set TEXT_BENCH_MB to change the input size.
 */
import { closeSync, existsSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../parsers/io/test-support/random.js';
import {
  ensureWorkDir,
  fileSize,
  type Measurement,
  printTable,
  runMeasured,
  runWorker,
  toolAvailable,
} from './lib.js';

const TARGET_BYTES = Number(process.env.TEXT_BENCH_MB ?? 500) * 1e6;
const BATCH_CHARS = 4 << 20;

/** Streams generated lines to `path` in batches (never the whole file in memory). */
function generate(path: string, header: string, nextLine: () => string): void {
  if (fileSize(path) >= TARGET_BYTES) return;
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let written = writeSync(fd, header);
  while (written < TARGET_BYTES) {
    const lines: string[] = [];
    let chars = 0;
    while (chars < BATCH_CHARS) {
      const line = nextLine();
      lines.push(line);
      chars += line.length;
    }
    written += writeSync(fd, lines.join(''));
  }
  closeSync(fd);
  renameSync(partial, path);
}

function firewallLines(): () => string {
  const random = mulberry32(2003);
  let seconds = Date.UTC(2003, 7, 11, 8, 0, 0) / 1000;
  let sport = 2500;
  const pad = (n: number) => String(n).padStart(2, '0');
  return () => {
    seconds += random() % 3;
    const d = new Date(seconds * 1000);
    const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const kind = random() % 10;
    const peer = `10.${random() % 256}.${random() % 256}.${random() % 254}`;
    if (kind < 5) {
      return `${stamp} DROP TCP ${peer} 192.168.1.10 ${1024 + (random() % 60000)} 135 48 S ${random()} 0 65535 - - - RECEIVE\r\n`;
    }
    if (kind < 7) {
      sport = sport >= 2520 ? 2500 : sport + 1;
      return `${stamp} OPEN TCP 192.168.1.10 ${peer} ${sport} 135 - - - - - - - - -\r\n`;
    }
    if (kind < 8) return `${stamp} DROP ICMP ${peer} 192.168.1.10 - - 92 - - - - 8 0 - RECEIVE\r\n`;
    if (kind < 9)
      return `${stamp} CLOSE UDP 192.168.1.10 ${peer} ${1024 + (random() % 60000)} 69 - - - - - - - - -\r\n`;
    return `${stamp} DROP UDP fe80::${(random() % 65536).toString(16)}:1 ff02::fb 5353 5353 93 - - - - - - - RECEIVE\r\n`;
  };
}

function bodyfileLines(): () => string {
  const random = mulberry32(1988);
  const dirs = [
    'C:/WINDOWS/system32',
    'C:/WINDOWS/system32/drivers',
    'C:/WINDOWS/system32/wins',
    'C:/Documents and Settings/Administrator/Local Settings/Temporary Internet Files/Content.IE5',
    'C:/Program Files/Common Files/Microsoft Shared',
    'C:/WINDOWS/Prefetch',
  ];
  const names = [
    'msblast.exe',
    'dllhost.exe',
    'svchost.exe',
    'TFTP2453',
    'rpcss.dll',
    'ntdll.dll',
    'index.dat',
  ];
  let entry = 16;
  return () => {
    entry += 1;
    const dir = dirs[random() % dirs.length]!;
    const name = `${names[random() % names.length]!.replace('.', `${entry}.`)}`;
    const base = 1_060_000_000 + (random() % 10_000_000);
    const kind = random() % 10;
    const suffix = kind === 0 ? ' (deleted)' : '';
    // Like real fls output: most entries have equal m/c (often all four equal), some differ.
    const shape = random() % 4;
    const modified = shape === 0 ? base : base + (random() % 5000);
    const times =
      shape === 0
        ? `${base}|${base}|${base}|${base}`
        : `${base + (random() % 1000)}|${modified}|${modified}|${base - (random() % 100000)}`;
    if (kind === 1) return `0|${dir}/${name} ($FILE_NAME)|${entry}-48-2|r/rrwxrwxrwx|0|0|82|${times}\n`;
    if (kind === 2) return `0|${dir}/${name}:Zone.Identifier|${entry}-128-5|r/rrwxrwxrwx|0|0|26|${times}\n`;
    return `0|${dir}/${name}${suffix}|${entry}-128-1|r/rrwxrwxrwx|48|0|${random() % 1_000_000}|${times}\n`;
  };
}

const dir = ensureWorkDir();
const firewallPath = join(dir, 'text-firewall.log');
const bodyfilePath = join(dir, 'text-bodyfile.txt');
generate(
  firewallPath,
  '#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n',
  firewallLines(),
);
generate(bodyfilePath, '', bodyfileLines());

function ours(tool: string, worker: string, path: string): Measurement {
  const result = runWorker(worker, [path]);
  return {
    tool,
    input: path.split('/').pop()!,
    bytes: result.bytes,
    records: result.records,
    seconds: result.seconds,
    peakRssMiB: result.peakRssMiB,
    // CPU seconds (user, whole process incl. start-up) tell the figure apart from a busy machine.
    note: `errors ${result.extra?.errors ?? '?'}, cpu ${Number(result.extra?.cpuSeconds ?? Number.NaN).toFixed(1)} s`,
  };
}

printTable('pfirewall.log parse (every line to a record)', [
  ours('blaster-triage firewall-log', 'text-firewall.ts', firewallPath),
]);

const bodyRows: Measurement[] = [ours('blaster-triage bodyfile', 'text-bodyfile.ts', bodyfilePath)];
if (toolAvailable('mactime')) {
  const run = runMeasured(['mactime', '-b', bodyfilePath, '-d'], { stdoutToNull: true });
  bodyRows.push({
    tool: 'mactime -b -d (sleuthkit)',
    input: 'text-bodyfile.txt',
    bytes: fileSize(bodyfilePath),
    seconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
    note: `exit ${run.status}; sorts and formats a timeline (more work than parsing)`,
  });
} else {
  process.stdout.write('mactime not installed: reference row skipped\n');
}
printTable('bodyfile parse vs mactime timeline', bodyRows);
if (!existsSync(bodyfilePath)) process.exitCode = 1;
