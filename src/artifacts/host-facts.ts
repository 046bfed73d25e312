import { filetimeToMicros, unixSecondsToMicros } from '../../parsers/io/index.js';
import type { Hive } from '../../parsers/regf/index.js';
import type { EvidenceSource } from '../evidence/vfs.js';
import type { LocatedArtifact } from '../locate/artifacts.js';
import type { HostRecord } from '../model/records.js';
import { type TimeZoneRules, timeZoneRules } from '../model/time-zone.js';
import { type MountedDevice, mountedDevices } from './mounted-devices.js';
import { currentControlSet, dwordOf, keyAt, openLocatedHive, stringOf, valueAt } from './registry-hive.js';
import { installedHotfixes } from './registry-hotfixes.js';

/**
 * Host facts from the SYSTEM and SOFTWARE hives (indicators.md §8): the host's name, OS and
 * service pack, hotfixes, DCOM and firewall switches, time zone and last shutdown. Read before
 * any other artifact, because the name labels every record and the time zone converts local
 * times (firewall logs, FAT).
 */

export const OS_KEY = 'Microsoft\\Windows NT\\CurrentVersion';
export const OLE_KEY = 'Microsoft\\Ole';
export const FIREWALL_POLICY_KEY = 'Policies\\Microsoft\\WindowsFirewall';
/** Below the control set. */
export const SHARED_ACCESS_POLICY_KEY = 'Services\\SharedAccess\\Parameters\\FirewallPolicy';
export const FIREWALL_PROFILES = ['DomainProfile', 'StandardProfile', 'PublicProfile'];

export interface HostFacts {
  /** The host record (its `host` is the computer name, or `fallbackHost` when none is known). */
  record: HostRecord;
  /** Control set the SYSTEM facts came from (`ControlSet001`). */
  controlSet?: string;
  /** `TimeZoneInformation` values in minutes (UTC = local + bias), signed. */
  bias?: number;
  activeTimeBias?: number;
  /**
   * The zone's daylight-saving rule, when it has one: local times are then converted with the
   * offset of their own date rather than the fixed `utcOffsetMinutes` (the one at shutdown).
   */
  timeZoneRules?: TimeZoneRules;
  /** Where `utcOffsetMinutes` came from: `ActiveTimeBias` or `Bias`. */
  utcOffsetSource?: 'ActiveTimeBias' | 'Bias';
  /** Windows Firewall log files configured per profile (policy first), as written in the hive. */
  firewallLogPaths: string[];
  /** Effective `EnableFirewall` per profile (Group Policy over the local setting). */
  firewallProfiles: Record<string, number>;
  /** Source paths of the hives read. */
  hives: string[];
  /** `SYSTEM\MountedDevices`: drive letters and volume names with the volumes they name. */
  mountedDevices: MountedDevice[];
  /** `SOFTWARE\...\ProfileList`: each profile's SID and folder (which NTUSER.DAT is whose). */
  profiles: UserProfile[];
}

export interface UserProfile {
  sid: string;
  /** `ProfileImagePath` as written (`%SystemDrive%\Documents and Settings\bob`). */
  profilePath: string;
  /** Its last component: the profile folder NTUSER.DAT sits in. */
  folder: string;
}

export const PROFILE_LIST_KEY = `${OS_KEY}\\ProfileList`;

/** The profiles SOFTWARE lists, in the hive's order (keys without a path are skipped). */
export function userProfiles(software: Hive): UserProfile[] {
  const list = keyAt(software, PROFILE_LIST_KEY);
  if (list === undefined) return [];
  const profiles: UserProfile[] = [];
  for (const key of list.subkeys()) {
    const profilePath = stringOf(key.value('ProfileImagePath'));
    if (!profilePath || !/^S-\d+(-\d+)+$/i.test(key.name)) continue;
    const folder =
      profilePath
        .replace(/[\\/]+$/, '')
        .split(/[\\/]/)
        .pop() ?? '';
    if (folder !== '') profiles.push({ sid: key.name.toUpperCase(), profilePath, folder });
  }
  return profiles;
}

/** The SID of the profile whose folder holds this NTUSER.DAT, when exactly one matches. */
export function profileSidOf(
  folder: string | undefined,
  profiles: readonly UserProfile[],
): string | undefined {
  if (folder === undefined) return undefined;
  const wanted = folder.toLowerCase();
  const matches = profiles.filter((profile) => profile.folder.toLowerCase() === wanted);
  return matches.length === 1 ? matches[0]!.sid : undefined;
}

export interface HostHives {
  system?: { hive: Hive; sourcePath: string };
  software?: { hive: Hive; sourcePath: string };
}

/** A DWORD stored as a signed LONG (time zone biases). */
function signed(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value | 0;
}

function firewallFacts(
  system: Hive | undefined,
  controlSet: string | undefined,
  software: Hive | undefined,
): { profiles: Record<string, number>; logPaths: string[] } {
  const profiles: Record<string, number> = {};
  const logPaths: string[] = [];
  for (const profile of FIREWALL_PROFILES) {
    const policy = software === undefined ? undefined : `${FIREWALL_POLICY_KEY}\\${profile}`;
    const local =
      system === undefined || controlSet === undefined
        ? undefined
        : `${controlSet}\\${SHARED_ACCESS_POLICY_KEY}\\${profile}`;
    // Group Policy settings override the local ones, value by value.
    const enabled =
      (policy && software ? dwordOf(valueAt(software, policy, 'EnableFirewall')) : undefined) ??
      (local && system ? dwordOf(valueAt(system, local, 'EnableFirewall')) : undefined);
    if (enabled !== undefined) profiles[profile] = enabled;
    const logPath =
      (policy && software ? stringOf(valueAt(software, `${policy}\\Logging`, 'LogFilePath')) : undefined) ??
      (local && system ? stringOf(valueAt(system, `${local}\\Logging`, 'LogFilePath')) : undefined);
    if (logPath && !logPaths.includes(logPath)) logPaths.push(logPath);
  }
  return { profiles, logPaths };
}

/**
 * Builds the host facts from whichever of the two hives is present. `utcOffsetMinutes` is
 * `-ActiveTimeBias` (the offset in force when the system last ran, daylight saving included)
 * and `-Bias` (the standard offset) when ActiveTimeBias is absent. One fixed offset cannot follow
 * daylight-saving changes across the year: times far from the last shutdown may be an hour off.
 */
export function hostFactsFromHives(hives: HostHives, fallbackHost: string): HostFacts {
  const system = hives.system?.hive;
  const software = hives.software?.hive;
  const sourceFile = hives.software?.sourcePath ?? hives.system?.sourcePath ?? '';
  const record: HostRecord = {
    kind: 'host',
    host: fallbackHost,
    artifact: 'registry',
    sourceFile,
    hotfixes: [],
  };
  const facts: HostFacts = {
    record,
    firewallLogPaths: [],
    firewallProfiles: {},
    mountedDevices: system === undefined ? [] : mountedDevices(system),
    profiles: software === undefined ? [] : userProfiles(software),
    hives: [hives.system?.sourcePath, hives.software?.sourcePath].filter(
      (path): path is string => path !== undefined,
    ),
  };

  const controlSet = system === undefined ? undefined : currentControlSet(system);
  if (system !== undefined && controlSet !== undefined) {
    facts.controlSet = controlSet;
    const control = `${controlSet}\\Control`;
    const computerName =
      stringOf(valueAt(system, `${control}\\ComputerName\\ComputerName`, 'ComputerName')) ||
      stringOf(valueAt(system, `${controlSet}\\Services\\Tcpip\\Parameters`, 'Hostname'));
    if (computerName) {
      record.computerName = computerName;
      record.host = computerName;
    }
    const zone = keyAt(system, `${control}\\TimeZoneInformation`);
    if (zone !== undefined) {
      const name = stringOf(zone.value('TimeZoneKeyName')) || stringOf(zone.value('StandardName'));
      if (name) record.timeZone = name;
      const bias = signed(dwordOf(zone.value('Bias')));
      const active = signed(dwordOf(zone.value('ActiveTimeBias')));
      if (bias !== undefined) facts.bias = bias;
      if (active !== undefined) facts.activeTimeBias = active;
      const rules = timeZoneRules({
        bias,
        standardBias: signed(dwordOf(zone.value('StandardBias'))),
        daylightBias: signed(dwordOf(zone.value('DaylightBias'))),
        standardStart: zone.value('StandardStart')?.raw,
        daylightStart: zone.value('DaylightStart')?.raw,
      });
      if (rules !== undefined) facts.timeZoneRules = rules;
      // UTC = local + bias, so local = UTC - bias.
      if (active !== undefined) {
        record.utcOffsetMinutes = active === 0 ? 0 : -active;
        facts.utcOffsetSource = 'ActiveTimeBias';
      } else if (bias !== undefined) {
        record.utcOffsetMinutes = bias === 0 ? 0 : -bias;
        facts.utcOffsetSource = 'Bias';
      }
    }
    const shutdown = valueAt(system, `${control}\\Windows`, 'ShutdownTime')?.raw;
    if (shutdown !== undefined && shutdown.length === 8) {
      const time = filetimeToMicros(
        new DataView(shutdown.buffer, shutdown.byteOffset, 8).getBigUint64(0, true),
      );
      if (time !== undefined) record.lastShutdown = time;
    }
  }

  if (software !== undefined) {
    const os = keyAt(software, OS_KEY);
    const productName = stringOf(os?.value('ProductName'));
    const version = stringOf(os?.value('CurrentVersion'));
    const build = stringOf(os?.value('CurrentBuildNumber')) || stringOf(os?.value('CurrentBuild'));
    const servicePack = stringOf(os?.value('CSDVersion'));
    const installDate = dwordOf(os?.value('InstallDate'));
    if (productName) record.productName = productName;
    if (version) record.osVersion = version;
    if (build) record.build = build;
    if (servicePack) record.servicePack = servicePack;
    if (installDate !== undefined && installDate > 0) record.installDate = unixSecondsToMicros(installDate);
    record.hotfixes = installedHotfixes(software);
    const dcom = stringOf(valueAt(software, OLE_KEY, 'EnableDCOM'));
    if (dcom) record.enableDcom = dcom.toUpperCase();
  }
  // Without SOFTWARE, SYSTEM still says the service pack (`Control\Windows` CSDVersion 0x100 = SP1).
  if (record.servicePack === undefined && system !== undefined && controlSet !== undefined) {
    const csd = dwordOf(valueAt(system, `${controlSet}\\Control\\Windows`, 'CSDVersion'));
    if (csd !== undefined && csd >> 8 > 0) record.servicePack = `Service Pack ${csd >> 8}`;
  }

  const firewall = firewallFacts(system, controlSet, software);
  facts.firewallProfiles = firewall.profiles;
  facts.firewallLogPaths = firewall.logPaths;
  const settings = Object.values(firewall.profiles);
  if (settings.length > 0) record.firewallEnabled = settings.some((value) => value !== 0);
  return facts;
}

/** The live hive of a role (not a `.sav` copy), preferring the first system volume's. */
function pickHive(artifacts: readonly LocatedArtifact[], role: string): LocatedArtifact | undefined {
  const candidates = artifacts.filter(
    (artifact) => artifact.type === 'registry-hive' && artifact.role === role && artifact.copy === undefined,
  );
  return candidates.sort((a, b) =>
    a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0,
  )[0];
}

export interface CollectedHostFacts {
  facts?: HostFacts;
  /** Why a hive could not be used (it is also reported by its own inventory item later). */
  problems: Array<{ path: string; reason: string }>;
}

/**
 * The host-facts stage of a scan: opens the live SYSTEM and SOFTWARE hives of one evidence
 * item (logs replayed in memory) and builds the facts. The parsed hives stay cached for the
 * registry reader. No facts when the item holds neither hive.
 */
export async function collectHostFacts(
  source: EvidenceSource,
  artifacts: readonly LocatedArtifact[],
  fallbackHost: string,
): Promise<CollectedHostFacts> {
  const problems: CollectedHostFacts['problems'] = [];
  const hives: HostHives = {};
  for (const role of ['SYSTEM', 'SOFTWARE'] as const) {
    const artifact = pickHive(artifacts, role);
    if (artifact === undefined) continue;
    try {
      const hive = await openLocatedHive(source, artifact);
      hives[role === 'SYSTEM' ? 'system' : 'software'] = { hive, sourcePath: artifact.sourcePath };
    } catch (error) {
      problems.push({
        path: artifact.sourcePath,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (hives.system === undefined && hives.software === undefined) return { problems };
  try {
    return { facts: hostFactsFromHives(hives, fallbackHost), problems };
  } catch (error) {
    // A bug on hostile input must not stop the scan: the hives are still read by their reader.
    const path = hives.software?.sourcePath ?? hives.system?.sourcePath ?? '';
    problems.push({ path, reason: error instanceof Error ? error.message : String(error) });
    return { problems };
  }
}
