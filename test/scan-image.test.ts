/**
 * End to end on disk images built by real tools (test/support/windows-image.ts): an NTFS volume
 * written through ntfs-3g with the infected sample host WS-ACCT-07 (real hives, SysEvent.Evt,
 * the msblast.exe stand-in, a TFTP leftover, a deleted file, an ADS) in an sfdisk-partitioned
 * disk, converted by ewfacquire (E01, deflate, split) and qemu-img (VMDK, VHD, VHDX). Each is
 * scanned like a zip of the same files and must give the same host, verdict and findings; the
 * NTFS listing gives $SI and $FN rows; the worm binary is hashed; `ls` equals `fls -r -m / -o`.
 * A FAT16 disk (mkfs.vfat + mtools) checks the time zone: local FAT times converted with the
 * hive's offset, or flagged local without hives. Skips when a tool or FUSE is missing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blasterStandIn } from '../samples/sample-hosts.js';
import { listImage } from '../src/cli/ls-command.js';
import { ImageSource } from '../src/evidence/image-source.js';
import { openEvidence } from '../src/evidence/open-evidence.js';
import { locateArtifacts } from '../src/locate/artifacts.js';
import type { TimelineRow } from '../src/model/timeline.js';
import { type ScanSummary, scanEvidence } from '../src/scan/scan-job.js';
import { runCli } from './support/cli.js';
import {
  type BuiltDisk,
  buildFatDisk,
  buildNtfsDisk,
  hasTools,
  PARTITION_START,
  run,
  sha256,
  toE01,
  toQemu,
} from './support/windows-image.js';
import { buildZip } from './support/zip-builder.js';

const INFECTION_MICROS = BigInt(Date.UTC(2003, 7, 12, 5, 1, 52)) * 1000n;
const TOKYO_MINUTES = 540;

function timeline(outDir: string): TimelineRow[] {
  return readFileSync(join(outDir, 'timeline.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TimelineRow);
}

function inventory(outDir: string) {
  return JSON.parse(readFileSync(join(outDir, 'inventory.json'), 'utf8')) as {
    evidence: Array<{
      kind: string;
      sha256: string;
      size: number;
      files?: Array<{ path: string; sha256: string; size: number }>;
      image?: { format: string; partitionScheme: string; volumes: Array<{ name: string; start: number }> };
      layout: string;
      warnings: Array<{ path: string; reason: string }>;
    }>;
    artifacts: Array<{
      type: string;
      sourcePath: string;
      status: string;
      records: number;
      hashedFiles?: Array<{ path: string; sha256: string; md5?: string; sha1?: string; size: number }>;
    }>;
  };
}

function sortedRuleIds(summary: ScanSummary): string[] {
  return summary.findingLines.map((line) => line.ruleId).sort();
}

function flsLines(image: string, offsetSectors: number): string[] {
  return run('fls', ['-r', '-m', '/', '-o', String(offsetSectors), image])
    .split('\n')
    .filter((line) => line !== '');
}

async function lsLines(image: string, options: { volume?: string; path?: string } = {}): Promise<string[]> {
  const chunks: string[] = [];
  const out = {
    write(data: Uint8Array | string) {
      chunks.push(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      return true;
    },
    once() {},
  } as unknown as NodeJS.WritableStream;
  const err = { write: () => true } as unknown as NodeJS.WritableStream;
  await listImage(image, options, out, err);
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}

let ntfs: BuiltDisk | undefined;
let skipReason = hasTools('mkntfs', 'ntfs-3g', 'umount', 'sfdisk', 'fls', 'ewfacquire', 'qemu-img');
if (skipReason === undefined) {
  try {
    ntfs = buildNtfsDisk();
  } catch (error) {
    skipReason = `cannot build the NTFS disk (FUSE mount?): ${(error as Error).message.split('\n')[0]}`;
  }
}
if (skipReason !== undefined) console.warn(`scan-image NTFS tests skipped: ${skipReason}`);

describe.skipIf(ntfs === undefined)('scan of an NTFS disk image in every container', () => {
  const disk = ntfs!;
  const images: Record<string, string> = {};
  const results: Record<string, { summary: ScanSummary; outDir: string }> = {};
  let zipResult: ScanSummary;

  beforeAll(async () => {
    images.raw = disk.disk;
    images.e01 = toE01(disk.disk, join(disk.dir, 'case'));
    images.vmdk = toQemu(disk.disk, 'vmdk', join(disk.dir, 'disk.vmdk'));
    images.vhd = toQemu(disk.disk, 'vpc', join(disk.dir, 'disk.vhd'));
    images.vhdx = toQemu(disk.disk, 'vhdx', join(disk.dir, 'disk.vhdx'));
    for (const [format, image] of Object.entries(images)) {
      const outDir = join(disk.dir, `out-${format}`);
      results[format] = { summary: await scanEvidence({ evidence: [image], outDir }), outDir };
    }
    // The same files in a KAPE-layout zip: the pipeline must agree.
    const zip = join(disk.dir, 'WS.zip');
    writeFileSync(
      zip,
      await buildZip(
        disk.files.map((file) => ({ name: `C/${file.path}`, data: file.data, mtime: file.mtime })),
      ),
    );
    zipResult = await scanEvidence({ evidence: [zip], outDir: join(disk.dir, 'out-zip') });
  }, 120_000);
  afterAll(() => disk.cleanup());

  it('finds the Windows volume and gives the verdict of the zip in every container', () => {
    for (const format of ['raw', 'e01', 'vmdk', 'vhd', 'vhdx']) {
      const { summary, outDir } = results[format]!;
      expect(summary.host, format).toBe('WS-ACCT-07');
      expect(summary.verdict, format).toMatchObject({ verdict: 'infected', worm: 'blaster', variant: 'A' });
      expect(sortedRuleIds(summary), format).toEqual(sortedRuleIds(zipResult));
      expect(summary.exitCode).toBe(2);
      const evidence = inventory(outDir).evidence[0]!;
      expect(evidence.kind).toBe('image');
      expect(evidence.layout).toBe('image');
      expect(evidence.image?.partitionScheme).toBe('mbr');
      // sfdisk wrote the disk signature the sample SYSTEM hive's MountedDevices names C: by.
      expect(evidence.image?.volumes).toEqual([
        expect.objectContaining({
          name: 'vol1',
          fileSystem: 'ntfs',
          start: PARTITION_START,
          diskSignature: '0B1A5703',
          driveLetter: 'C:',
        }),
      ]);
      expect(evidence.warnings).toEqual([]);
    }
    expect(sortedRuleIds(zipResult)).toEqual(
      expect.arrayContaining(['bla-f1-msblast-exe-6176', 'bla-r1-run-msblast', 'gen-e1-rpc-service-crash']),
    );
  });

  it('reads hives, the event log and the firewall log out of the file system', () => {
    const artifacts = inventory(results.e01!.outDir).artifacts;
    const parsed = (path: string) => artifacts.find((item) => item.sourcePath === path);
    expect(parsed('vol1/WINDOWS/system32/config/SYSTEM')).toMatchObject({
      type: 'registry-hive',
      status: 'parsed',
    });
    expect(parsed('vol1/WINDOWS/system32/config/SOFTWARE')).toMatchObject({ status: 'parsed' });
    expect(parsed('vol1/WINDOWS/system32/config/SysEvent.Evt')).toMatchObject({
      type: 'evt',
      status: 'parsed',
    });
    expect(parsed('vol1/WINDOWS/pfirewall.log')).toMatchObject({ type: 'firewall-log', status: 'parsed' });
    expect(parsed('vol1')).toMatchObject({ type: 'file-system', status: 'parsed' });
    // The image's files are not also listed one by one as collected files.
    expect(artifacts.filter((item) => item.type === 'collected-file')).toEqual([]);
  });

  it('hashes every E01 segment, and the worm binary with MD5, SHA-1 and SHA-256', () => {
    const evidence = inventory(results.e01!.outDir).evidence[0]!;
    expect(evidence.image?.format).toBe('ewf');
    expect(evidence.files!.length).toBeGreaterThanOrEqual(2);
    for (const file of evidence.files!) {
      expect(file.sha256).toBe(sha256(readFileSync(file.path)));
      expect(file.size).toBe(readFileSync(file.path).length);
    }
    expect(evidence.sha256).toBe(evidence.files![0]!.sha256);
    for (const format of ['raw', 'vhd', 'vhdx']) {
      const single = inventory(results[format]!.outDir).evidence[0]!;
      expect(single.files, format).toBeUndefined();
      expect(single.sha256).toBe(sha256(readFileSync(images[format]!)));
    }
    const fileSystem = inventory(results.vmdk!.outDir).artifacts.find((item) => item.type === 'file-system')!;
    const msblast = fileSystem.hashedFiles!.find((file) => file.path === '\\WINDOWS\\system32\\msblast.exe')!;
    expect(msblast.sha256).toBe(sha256(blasterStandIn()));
    expect(msblast.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(msblast.sha1).toMatch(/^[0-9a-f]{40}$/);
    // Only the catalog's binaries are hashed (msblast.exe, TFTP1432), not the hives or logs.
    expect(fileSystem.hashedFiles!.map((file) => file.path).sort()).toEqual([
      '\\WINDOWS\\system32\\TFTP1432',
      '\\WINDOWS\\system32\\msblast.exe',
    ]);
  });

  it('puts the file listing in the timeline: $SI and $FN rows, streams, deleted files', () => {
    const rows = timeline(results.e01!.outDir).filter((row) => row.artifact === 'ntfs');
    const msblast = rows.filter((row) => row.fields.path === '\\WINDOWS\\system32\\msblast.exe');
    const si = msblast.filter((row) => row.timestamp_desc.startsWith('$SI'));
    const fn = msblast.filter((row) => row.timestamp_desc.startsWith('$FN'));
    expect(si.length).toBeGreaterThan(0);
    expect(fn.length).toBeGreaterThan(0);
    // utimes set $SI modified to the infection time; $FN keeps the time the file was created.
    const siModified = si.find((row) => row.fields.macb!.startsWith('M'))!;
    expect(BigInt(siModified.timestamp)).toBe(INFECTION_MICROS);
    expect(fn.every((row) => BigInt(row.timestamp) > INFECTION_MICROS)).toBe(true);
    expect(si[0]!.rule_ids).toContain('bla-f1-msblast-exe-6176');
    expect(si[0]!.fields.sha256).toBe(sha256(blasterStandIn()));
    expect(si[0]!.source_file).toBe('vol1/$MFT');
    const stream = rows.find((row) => row.fields.stream === 'Zone.Identifier');
    expect(stream?.fields.path).toBe('\\WINDOWS\\notepad.exe');
    const deleted = rows.filter((row) => row.fields.path === '\\WINDOWS\\Temp\\setup.tmp');
    expect(deleted.length).toBeGreaterThan(0);
    expect(
      deleted.every((row) => row.fields.deleted === 'true' && row.message.startsWith('Deleted file')),
    ).toBe(true);
    // The verdict counts the NTFS listing as a file system: no "no file listing" caveat.
    expect(results.e01!.summary.verdict.caveats.join(' ')).not.toMatch(/no file system listing/);
  });

  it('lists deleted entries in the source but never locates them', async () => {
    const source = await openEvidence(images.vhdx!);
    try {
      expect(source).toBeInstanceOf(ImageSource);
      expect(source.stat('VOL1/windows/TEMP/Setup.tmp')).toMatchObject({ deleted: true, size: 3000 });
      expect(source.stat('vol1/WINDOWS/system32/config/system')?.deleted).toBeUndefined();
      const location = await locateArtifacts(source);
      expect(location.artifacts.some((item) => item.sourcePath.toLowerCase().includes('setup.tmp'))).toBe(
        false,
      );
      // Reads go through the file system: the hive as written, an ADS by `path:stream`.
      const reader = await source.openReader('vol1/WINDOWS/system32/msblast.exe');
      expect(sha256(await reader.read(0, reader.size))).toBe(sha256(blasterStandIn()));
      const zone = await source.openReader('vol1/WINDOWS/notepad.exe:Zone.Identifier');
      expect(Buffer.from(await zone.read(0, zone.size)).toString()).toContain('ZoneId=3');
      const chunks: Uint8Array[] = [];
      for await (const chunk of await source.openStream('vol1/WINDOWS/system32/config/SYSTEM'))
        chunks.push(chunk);
      const system = disk.files.find((file) => file.path === 'WINDOWS/system32/config/SYSTEM')!;
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(system.data));
    } finally {
      await source.close();
    }
  });

  it('ls prints the same bodyfile as fls -r -m / -o on the raw disk, from every container', async () => {
    const theirs = flsLines(disk.disk, PARTITION_START / 512).sort();
    expect(theirs.length).toBeGreaterThan(50);
    for (const format of ['raw', 'vmdk', 'vhd', 'vhdx']) {
      expect((await lsLines(images[format]!)).sort(), format).toEqual(theirs);
    }
    const cli = await runCli(['ls', images.e01!]);
    expect(cli.code).toBe(0);
    expect(
      cli.stdout
        .split('\n')
        .filter((line) => line !== '')
        .sort(),
    ).toEqual(theirs);
    // A path: that folder and below only; `--volume all`: mounted under the volume's name.
    const system32 = await lsLines(images.raw!, { path: '\\windows\\SYSTEM32' });
    expect(system32.sort()).toEqual(theirs.filter((line) => /^0\|\/WINDOWS\/system32[/: |]/.test(line)));
    const all = await lsLines(images.raw!, { volume: 'all' });
    expect(all.sort()).toEqual(theirs.map((line) => line.replace('0|/', '0|/vol1/')).sort());
  });

  it('reports a damaged volume and goes on', async () => {
    const damaged = join(disk.dir, 'damaged.dd');
    copyFileSync(disk.disk, damaged);
    // Zero the NTFS boot sector's MFT location: the volume cannot be opened.
    const bytes = readFileSync(damaged);
    bytes.fill(0, PARTITION_START + 0x30, PARTITION_START + 0x40);
    writeFileSync(damaged, bytes);
    const summary = await scanEvidence({ evidence: [damaged], outDir: join(disk.dir, 'out-damaged') });
    const evidence = inventory(join(disk.dir, 'out-damaged')).evidence[0]!;
    expect(evidence.kind).toBe('image');
    expect(evidence.warnings).toEqual([
      expect.objectContaining({ path: 'vol1', reason: expect.stringMatching(/damaged ntfs volume/) }),
    ]);
    expect(summary.verdict.verdict).not.toBe('infected');
  });
});

const fatSkip = hasTools('mkfs.vfat', 'mmd', 'mcopy', 'sfdisk', 'fls');
if (fatSkip !== undefined) console.warn(`scan-image FAT tests skipped: ${fatSkip}`);

describe.skipIf(fatSkip !== undefined)('scan of a FAT disk image: local times', () => {
  let withHives: BuiltDisk;
  let withoutHives: BuiltDisk;
  beforeAll(() => {
    withHives = buildFatDisk();
    withoutHives = buildFatDisk((path) => !path.includes('config/S'));
  }, 60_000);
  afterAll(() => {
    withHives?.cleanup();
    withoutHives?.cleanup();
  });

  const msblastRows = (outDir: string) =>
    timeline(outDir).filter(
      (row) => row.artifact === 'fat' && row.fields.path === '\\WINDOWS\\system32\\msblast.exe',
    );

  it('converts FAT times with the time zone of the hives on the same volume', async () => {
    const outDir = join(withHives.dir, 'out');
    const summary = await scanEvidence({ evidence: [withHives.disk], outDir });
    expect(summary.host).toBe('WS-ACCT-07');
    expect(summary.verdict).toMatchObject({ verdict: 'infected', worm: 'blaster', variant: 'A' });
    const rows = msblastRows(outDir);
    const modified = rows.find((row) => row.fields.macb!.startsWith('M'))!;
    // mtools wrote the infection time (UTC) as the local wall time; Tokyo is UTC+9.
    expect(BigInt(modified.timestamp)).toBe(INFECTION_MICROS - BigInt(TOKYO_MINUTES) * 60_000_000n);
    expect(modified.timestamp_desc).toMatch(/^fat Modified(\/Created)?$/);
    expect(modified.fields.timeIsLocal).toBeUndefined();
    expect(modified.fields.sha256).toBe(sha256(blasterStandIn()));
  });

  it('flags FAT times as local when no hive gives the zone', async () => {
    const outDir = join(withoutHives.dir, 'out');
    await scanEvidence({ evidence: [withoutHives.disk], outDir });
    const modified = msblastRows(outDir).find((row) => row.fields.macb!.startsWith('M'))!;
    expect(BigInt(modified.timestamp)).toBe(INFECTION_MICROS);
    expect(modified.timestamp_desc).toMatch(/^fat Modified(\/Created)? \(local time\)$/);
    expect(modified.fields.timeIsLocal).toBe('true');
  });

  it('ls equals fls -r -m / -o (TZ=UTC) but for the virtual files TSK adds', async () => {
    const theirs = flsLines(withHives.disk, PARTITION_START / 512).filter(
      (line) => !/^0\|\/\$(MBR|FAT1|FAT2|OrphanFiles)\|/.test(line),
    );
    expect((await lsLines(withHives.disk)).sort()).toEqual(theirs.sort());
  });
});

// The corpus sits beside the repository (../shared/corpus from the main checkout).
const charlie = [
  join(process.cwd(), '..', 'shared', 'corpus', 'image', 'Velocidex_go-ntfs__charlie.dd.gz'),
  '/work/shared/corpus/image/Velocidex_go-ntfs__charlie.dd.gz',
].find((path) => existsSync(path));
const corpusDir = charlie !== undefined ? mkdtempSync(join(tmpdir(), 'scan-image-corpus-')) : undefined;
const haveFls = spawnSync('sh', ['-c', 'command -v fls']).status === 0;
if (corpusDir === undefined || !haveFls)
  console.warn('scan-image corpus test skipped: charlie.dd.gz or fls absent');

describe.skipIf(corpusDir === undefined || !haveFls)('corpus charlie.dd', () => {
  afterAll(() => {
    if (corpusDir !== undefined) rmSync(corpusDir, { recursive: true, force: true });
  });

  it('ls lists it as fls does', async () => {
    const path = join(corpusDir!, 'charlie.dd');
    writeFileSync(path, gunzipSync(readFileSync(charlie!)));
    const theirs = run('fls', ['-r', '-m', '/', path])
      .split('\n')
      .filter((line) => line !== '');
    expect((await lsLines(path)).sort()).toEqual(theirs.sort());
  });
});
