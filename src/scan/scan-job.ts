import { mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FormatErrorRecord } from '../../parsers/io/index.js';
import type { ArtifactContext } from '../artifacts/context.js';
import { collectHostFacts, type HostFacts, type UserProfile } from '../artifacts/host-facts.js';
import { driveLetterOf, type MountedDevice } from '../artifacts/mounted-devices.js';
import { compileRules, type Engine } from '../engine/engine.js';
import { loadRules } from '../engine/load.js';
import type { SigmaProblem } from '../engine/sigma/compile.js';
import { loadSigmaRules } from '../engine/sigma/load.js';
import type { Finding } from '../engine/types.js';
import { computeVerdict, type HostVerdict } from '../engine/verdict.js';
import { sha256File, sha256Stream } from '../evidence/hash.js';
import { type ImageDescription, ImageSource } from '../evidence/image-source.js';
import { type OpenOptions, openEvidence } from '../evidence/open-evidence.js';
import type { EvidenceSource } from '../evidence/vfs.js';
import { type LocatedArtifact, locateArtifacts } from '../locate/artifacts.js';
import type { HostRecord, NormalizedRecord } from '../model/records.js';
import { type HostClock, hostClock, type TimeZoneRules } from '../model/time-zone.js';
import { writeFileAtomic } from '../report/atomic-write.js';
import { stableJson } from '../report/plain.js';
import { timelineRows } from '../report/timeline-rows.js';
import { TimelineWriter } from '../report/timeline-writer.js';
import { defaultRulesDir, toolVersion } from './paths.js';
import { artifactReaders, readingOrder } from './readers.js';

export interface ScanOptions {
  /** One host's evidence: usually one item, or e.g. an image plus a netstat capture. */
  evidence: string[];
  outDir: string;
  rulesDir?: string;
  /** Sigma rules folder (src/engine/sigma): compiled and run with the YAML rules; none by default. */
  sigmaDir?: string;
  /** Host name to use instead of the one found in the evidence. */
  host?: string;
  open?: OpenOptions;
  /** Errors kept per artifact in the inventory (all are counted). */
  maxErrorSamples?: number;
}

export interface EvidenceInfo {
  path: string;
  kind: string;
  /** SHA-256 and size of the named file (for a multi-file image, its first segment). */
  sha256?: string;
  size?: number;
  /** Disk images made of several files: each segment / extent / parent with its own hash. */
  files?: Array<{ path: string; sha256: string; size: number }>;
  /** Disk images: format, partition scheme and the file systems read. */
  image?: ImageDescription;
  layout?: string;
  warnings: Array<{ path: string; reason: string }>;
}

export type ArtifactStatus = 'parsed' | 'failed' | 'not-parsed';

export interface InventoryItem extends Omit<LocatedArtifact, 'modified'> {
  /** Which evidence item (index into `evidence`) it was found in. */
  evidence: number;
  status: ArtifactStatus;
  reason?: string;
  sha256?: string;
  /** `file-system` artifacts: the known worm binaries found and hashed on the volume. */
  hashedFiles?: Array<{
    path: string;
    stream?: string;
    size: number;
    deleted: boolean;
    md5?: string;
    sha1?: string;
    sha256: string;
  }>;
  records: number;
  errors: number;
  errorSamples: FormatErrorRecord[];
}

/** The host facts of the scan, as inventory.json lists them (beside the host record itself). */
export interface HostFactsInfo {
  /** Which evidence item (index into `evidence`) they came from. */
  evidence: number;
  hives: string[];
  controlSet?: string;
  bias?: number;
  activeTimeBias?: number;
  utcOffsetSource?: string;
  /** The daylight-saving rule local times were converted with, when the zone has one. */
  timeZoneRules?: TimeZoneRules;
  firewallProfiles: Record<string, number>;
  firewallLogPaths: string[];
  /** `SYSTEM\MountedDevices` drive letters and volume names (image volumes get their letter). */
  mountedDevices: MountedDevice[];
  /** `SOFTWARE` ProfileList: SID and folder of each user profile. */
  profiles: UserProfile[];
  /** Hives that could not be opened for the facts. */
  problems: Array<{ path: string; reason: string }>;
}

export interface ScanSummary {
  evidence: string[];
  host: string;
  /** OS, service pack and time zone from the registry, in one line, when known. */
  system?: string;
  verdict: HostVerdict;
  findings: number;
  /** The findings in report order, as short lines for the console. */
  findingLines: Array<{ ruleId: string; level: string; title: string; count: number; catalog: string[] }>;
  timelineRows: number;
  artifacts: { found: number; parsed: number; failed: number; notParsed: number };
  outDir: string;
  exitCode: 0 | 2;
}

function hostFromEvidence(path: string): string {
  return basename(path).replace(/(\.(zip|e01|dd|raw|img|vmdk|vhdx?|001))+$/i, '') || 'host';
}

function sortArtifacts(artifacts: LocatedArtifact[]): LocatedArtifact[] {
  const order = (artifact: LocatedArtifact): number => readingOrder.indexOf(artifact.type);
  return [...artifacts].sort(
    (a, b) => order(a) - order(b) || (a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0),
  );
}

interface SigmaInventory {
  dir: string;
  rules: string[];
  problems: SigmaProblem[];
}

function loadEngine(
  rulesDir: string,
  sigmaDir: string | undefined,
): { engine: Engine; sigma?: SigmaInventory } {
  const { rules, errors } = loadRules(rulesDir);
  if (errors.length > 0) {
    throw new Error(`rule files have errors:\n${errors.map((error) => `  ${error.message}`).join('\n')}`);
  }
  // Sigma rules that cannot be used are listed in the inventory, never fatal.
  const sigma = sigmaDir === undefined ? undefined : loadSigmaRules(sigmaDir);
  const all = [...rules, ...(sigma?.rules ?? [])];
  return {
    engine: compileRules(all),
    ...(sigma === undefined || sigmaDir === undefined
      ? {}
      : { sigma: { dir: sigmaDir, rules: sigma.rules.map((rule) => rule.id), problems: sigma.problems } }),
  };
}

/**
 * Scans one piece of evidence into one output folder: a self-contained, idempotent job with no
 * global state (the unit a job queue will run). The same evidence and rules always give
 * byte-identical outputs; every file appears atomically.
 */
export async function scanEvidence(options: ScanOptions): Promise<ScanSummary> {
  if (options.evidence.length === 0) throw new Error('no evidence given');
  const maxErrorSamples = options.maxErrorSamples ?? 20;
  await mkdir(options.outDir, { recursive: true });
  const { engine, sigma } = loadEngine(options.rulesDir ?? defaultRulesDir(), options.sigmaDir);
  // The registry may rename the host and give its time zone (host-facts stage, below).
  let host = options.host ?? hostFromEvidence(options.evidence[0]!);
  let clock: HostClock | undefined;
  let profiles: UserProfile[] = [];
  let hostFacts: HostFactsInfo | undefined;
  let system: string | undefined;
  const timeline = new TimelineWriter(options.outDir);
  const inventory: InventoryItem[] = [];
  const evidence: EvidenceInfo[] = [];

  // The verdict weighs which artifact families were there to look at (records' `artifact`).
  const familiesSeen = new Set<string>();
  const handle = async (record: NormalizedRecord, fallbackTime: bigint | undefined): Promise<void> => {
    familiesSeen.add(record.artifact);
    const ruleIds = engine.observe(record);
    const hits = { ruleIds: [...ruleIds], level: engine.highestLevel(ruleIds) };
    const rowContext = {
      ...(fallbackTime === undefined ? {} : { fallbackTime }),
      ...(clock === undefined ? {} : { clock }),
    };
    for (const row of timelineRows(record, hits, rowContext)) {
      await timeline.add(row);
    }
  };

  try {
    for (const [index, path] of options.evidence.entries()) {
      const source: EvidenceSource = await openEvidence(path, options.open);
      try {
        const hashes = await hashEvidence(path, source);
        const location = await locateArtifacts(source);
        const first = hashes[0];
        const item: EvidenceInfo = {
          path,
          kind: source.kind,
          ...(first === undefined ? {} : { sha256: first.sha256, size: first.size }),
          ...(hashes.length > 1 ? { files: hashes } : {}),
          ...(source instanceof ImageSource ? { image: source.describe() } : {}),
          layout: location.layout.name,
          warnings: source.warnings,
        };
        evidence.push(item);
        // Host facts first: the SYSTEM/SOFTWARE hives name the host and give its time zone.
        // The first evidence item with usable hives gives them; problems of earlier items are kept.
        if (hostFacts === undefined || hostFacts.hives.length === 0) {
          const collected = await collectHostFacts(source, location.artifacts, host);
          const problems = [...(hostFacts?.problems ?? []), ...collected.problems];
          if (collected.facts !== undefined || problems.length > 0) {
            hostFacts = factsInfo(index, collected.facts, problems);
          }
          if (collected.facts !== undefined) {
            const record = collected.facts.record;
            if (options.host === undefined && record.computerName !== undefined) host = record.computerName;
            clock = hostClock(record.utcOffsetMinutes, collected.facts.timeZoneRules);
            profiles = collected.facts.profiles;
            system = describeSystem(record);
            await handle({ ...record, host }, undefined);
            if (source instanceof ImageSource) {
              // The image's volumes with the drive letters this host's registry gave them.
              item.image = source.describe(imageDriveLetters(source, collected.facts.mountedDevices));
            }
          }
        }
        for (const artifact of sortArtifacts(location.artifacts)) {
          inventory.push(
            await readArtifact(source, artifact, index, { host, clock, profiles }, maxErrorSamples, handle),
          );
        }
      } finally {
        await source.close();
      }
    }

    const findings: Finding[] = engine.finish();
    const parsedTypes = inventory.filter((item) => item.status === 'parsed').map((item) => item.type);
    const present = [...new Set([...parsedTypes, ...familiesSeen])].sort();
    const verdict = computeVerdict(findings, present);
    await timeline.finish();

    const tool = { name: 'blaster-triage', version: toolVersion() };
    await writeFileAtomic(
      join(options.outDir, 'findings.json'),
      stableJson({
        tool,
        evidence,
        host,
        verdict,
        findings,
        ruleStats: engine.stats().filter((stats) => stats.matched > 0),
      }),
    );
    const count = (status: ArtifactStatus): number =>
      inventory.filter((item) => item.status === status).length;
    const artifacts = {
      found: inventory.length,
      parsed: count('parsed'),
      failed: count('failed'),
      notParsed: count('not-parsed'),
    };
    await writeFileAtomic(
      join(options.outDir, 'inventory.json'),
      stableJson({
        tool,
        evidence,
        host,
        ...(hostFacts === undefined ? {} : { hostFacts }),
        artifacts: inventory,
        ...(sigma === undefined ? {} : { sigma }),
        summary: {
          ...artifacts,
          records: inventory.reduce((sum, item) => sum + item.records, 0),
          errors: inventory.reduce((sum, item) => sum + item.errors, 0),
        },
      }),
    );
    return {
      evidence: options.evidence,
      host,
      ...(system === undefined ? {} : { system }),
      verdict,
      findings: findings.length,
      findingLines: findings.map((finding) => ({
        ruleId: finding.ruleId,
        level: finding.level,
        title: finding.title,
        count: finding.count,
        catalog: finding.catalog,
      })),
      timelineRows: timeline.rows,
      artifacts,
      outDir: options.outDir,
      exitCode: findings.some((finding) => finding.level !== 'informational') ? 2 : 0,
    };
  } catch (error) {
    await timeline.abort();
    throw error;
  }
}

function describeSystem(record: HostRecord): string {
  const offset = record.utcOffsetMinutes;
  const zone =
    offset === undefined
      ? undefined
      : `UTC${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}${record.timeZone ? ` (${record.timeZone})` : ''}`;
  return [
    [record.productName, record.servicePack].filter(Boolean).join(' ') || undefined,
    record.osVersion === undefined
      ? undefined
      : `version ${record.osVersion}${record.build ? `.${record.build}` : ''}`,
    zone,
  ]
    .filter(Boolean)
    .join(', ');
}

/** SHA-256 of the evidence file, or of every file of a multi-file disk image (all segments). */
async function hashEvidence(
  path: string,
  source: EvidenceSource,
): Promise<Array<{ path: string; sha256: string; size: number }>> {
  const files =
    source instanceof ImageSource ? source.containerFiles() : (await stat(path)).isFile() ? [path] : [];
  const hashes = [];
  for (const file of files) {
    const { sha256, bytes } = await sha256File(file);
    hashes.push({ path: file, sha256, size: bytes });
  }
  return hashes;
}

function imageDriveLetters(source: ImageSource, devices: readonly MountedDevice[]): Map<string, string> {
  const letters = new Map<string, string>();
  for (const volume of source.volumes) {
    const letter = driveLetterOf(volume, devices);
    if (letter !== undefined) letters.set(volume.name, letter);
  }
  return letters;
}

function factsInfo(
  evidence: number,
  facts: HostFacts | undefined,
  problems: HostFactsInfo['problems'],
): HostFactsInfo {
  const info: HostFactsInfo = {
    evidence,
    hives: facts?.hives ?? [],
    firewallProfiles: facts?.firewallProfiles ?? {},
    firewallLogPaths: facts?.firewallLogPaths ?? [],
    mountedDevices: facts?.mountedDevices ?? [],
    profiles: facts?.profiles ?? [],
    problems,
  };
  if (facts?.controlSet !== undefined) info.controlSet = facts.controlSet;
  if (facts?.bias !== undefined) info.bias = facts.bias;
  if (facts?.activeTimeBias !== undefined) info.activeTimeBias = facts.activeTimeBias;
  if (facts?.utcOffsetSource !== undefined) info.utcOffsetSource = facts.utcOffsetSource;
  if (facts?.timeZoneRules !== undefined) info.timeZoneRules = facts.timeZoneRules;
  return info;
}

/** Reads one artifact; its failure is recorded in its inventory item and never stops the scan. */
async function readArtifact(
  source: EvidenceSource,
  artifact: LocatedArtifact,
  evidenceIndex: number,
  hostContext: {
    host: string;
    clock: HostClock | undefined;
    profiles: readonly UserProfile[];
  },
  maxErrorSamples: number,
  handle: (record: NormalizedRecord, fallbackTime: bigint | undefined) => Promise<void>,
): Promise<InventoryItem> {
  const { modified, ...located } = artifact;
  const item: InventoryItem = {
    evidence: evidenceIndex,
    ...located,
    status: 'not-parsed',
    records: 0,
    errors: 0,
    errorSamples: [],
  };
  const reader = artifactReaders[artifact.type];
  if (reader === undefined) {
    item.reason = `no reader for ${artifact.type} artifacts`;
    return item;
  }
  const { host, clock, profiles } = hostContext;
  const context: ArtifactContext = {
    source,
    artifact,
    host,
    ...(clock === undefined ? {} : { clock }),
    profiles,
    reportError(error) {
      item.errors += 1;
      if (item.errorSamples.length < maxErrorSamples) item.errorSamples.push(error);
    },
    countUnkeptErrors(count) {
      item.errors += count;
    },
  };
  try {
    // A whole volume is not hashed again: the image files are (evidence hashes).
    if (artifact.type !== 'collected-file' && artifact.type !== 'file-system') {
      item.sha256 = (await sha256Stream(await source.openStream(artifact.sourcePath))).sha256;
    }
    for await (const record of reader(context)) {
      item.records += 1;
      if (record.kind === 'file' && record.sha256 !== undefined) {
        if (artifact.type === 'collected-file') item.sha256 = record.sha256;
        if (artifact.type === 'file-system') {
          item.hashedFiles ??= [];
          item.hashedFiles.push({
            path: record.path,
            ...(record.stream === undefined ? {} : { stream: record.stream }),
            size: record.size,
            deleted: record.deleted,
            ...(record.md5 === undefined ? {} : { md5: record.md5 }),
            ...(record.sha1 === undefined ? {} : { sha1: record.sha1 }),
            sha256: record.sha256,
          });
        }
      }
      await handle(record, modified);
    }
    item.status = 'parsed';
  } catch (error) {
    item.status = 'failed';
    item.reason = error instanceof Error ? error.message : String(error);
  }
  return item;
}
