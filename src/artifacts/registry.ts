import {
  type Hive,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_SZ,
  type RegistryKey,
  type RegistryValue,
} from '../../parsers/regf/index.js';
import type { RegistryValueRecord, ServiceRecord } from '../model/records.js';
import { type ArtifactContext, reportErrorLog } from './context.js';
import {
  FIREWALL_POLICY_KEY,
  OLE_KEY,
  OS_KEY,
  profileSidOf,
  SHARED_ACCESS_POLICY_KEY,
} from './host-facts.js';
import {
  controlSets,
  currentControlSet,
  dwordOf,
  hiveRoot,
  keyAt,
  renderValueData,
  stringOf,
  takeLocatedHive,
  windowsKeyPath,
} from './registry-hive.js';
import { hotfixKeys } from './registry-hotfixes.js';

/**
 * Registry hives (artifact type 'registry-hive', records' `artifact` = 'registry') as the
 * records the rules and the timeline need, not a dump of the hive:
 * - SOFTWARE: Run / RunOnce / RunServices(Once) / Policies\Explorer\Run values; one record per
 *   hotfix key (its LastWrite is when the fix was installed); `Ole` EnableDCOM; Windows Firewall
 *   Group Policy values; the OS values of `Windows NT\CurrentVersion`;
 * - SYSTEM: one ServiceRecord per service of the current control set, plus the services of the
 *   other control sets that the current one lacks or starts from another ImagePath; computer
 *   name, time zone, shutdown time, `Select`, firewall policy values, RpcSs FailureActions;
 * - NTUSER.DAT: the user's Run / RunOnce / Policies\Explorer\Run values (`HKU\<profile>\...`);
 * - SAM, SECURITY: nothing (only damage is reported).
 * Deleted keys recovered from free cells under those paths give their values / services with
 * `deleted: true` (a recovered copy identical to the live key is left out); recovered string
 * values whose key is unknown are given with the key path `<hive root>\?` and no time.
 * Records of a `.sav` setup copy carry `copy: 'sav'`; its services, which have no such field,
 * name their control set `ControlSet001 (sav)`.
 * A hotfix key without values is given as one record with `valueName: ''`, `valueType: 'KEY'`.
 */

const RUN_KEYS_MACHINE = [
  'Microsoft\\Windows\\CurrentVersion\\Run',
  'Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'Microsoft\\Windows\\CurrentVersion\\RunServices',
  'Microsoft\\Windows\\CurrentVersion\\RunServicesOnce',
  'Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run',
];
const RUN_KEYS_USER = [
  'Software\\Microsoft\\Windows\\CurrentVersion\\Run',
  'Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run',
];
const OS_VALUES = [
  'ProductName',
  'CurrentVersion',
  'CurrentBuildNumber',
  'CSDVersion',
  'InstallDate',
  'RegisteredOwner',
  'RegisteredOrganization',
  'SystemRoot',
];
/** Values of a hotfix key that best describe it, in order of preference. */
const HOTFIX_VALUES = ['Description', 'DisplayName', 'PackageName', 'InstalledDate', 'InstalledBy'];
/** Depth of the firewall policy subtrees read (profile, Logging / AuthorizedApplications\List). */
const POLICY_DEPTH = 3;
/** Vista+ firewall rule sets: hundreds of rules, not the on/off switches and log settings wanted here. */
const SKIPPED_SUBTREES = new Set(['firewallrules', 'restrictedservices']);
const SERVICE_KEY = /^ControlSet\d{3}\\Services\\[^\\]+$/i;
const STRING_TYPES = new Set([REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ]);

type RegistryRecord = RegistryValueRecord | ServiceRecord;

class RecordMaker {
  readonly root: string;
  readonly copy: string | undefined;
  readonly user: string | undefined;
  readonly userSid: string | undefined;

  constructor(
    readonly context: ArtifactContext,
    readonly hive: Hive,
  ) {
    this.root = hiveRoot(context.artifact.role, context.artifact.user);
    this.copy = context.artifact.copy;
    if (context.artifact.role === 'NTUSER') {
      this.user = context.artifact.user;
      this.userSid = profileSidOf(context.artifact.user, context.profiles ?? []);
    }
  }

  /**
   * One value record: what every record of this hive shares (host, source, hive root, the `.sav`
   * copy, the user of an NTUSER.DAT) around the value's own fields.
   */
  private record(
    sourceOffset: number,
    hivePath: string,
    value: Pick<RegistryValueRecord, 'valueName' | 'valueType' | 'data' | 'deleted'>,
    keyLastWrite: bigint | undefined,
  ): RegistryValueRecord {
    const record: RegistryValueRecord = {
      kind: 'registry-value',
      host: this.context.host,
      artifact: 'registry',
      sourceFile: this.context.artifact.sourcePath,
      sourceOffset,
      hive: this.context.artifact.role ?? '',
      keyPath: windowsKeyPath(this.root, hivePath),
      valueName: value.valueName,
      valueType: value.valueType,
      data: value.data,
      deleted: value.deleted,
    };
    if (keyLastWrite !== undefined) record.keyLastWrite = keyLastWrite;
    if (this.copy !== undefined) record.copy = this.copy;
    if (this.user !== undefined) record.user = this.user;
    if (this.userSid !== undefined) record.userSid = this.userSid;
    return record;
  }

  value(key: RegistryKey, value: RegistryValue, keyPath = key.path): RegistryValueRecord {
    const fields = {
      valueName: value.name,
      valueType: value.typeName,
      data: renderValueData(value),
      deleted: value.deleted || key.deleted,
    };
    return this.record(value.offset, keyPath, fields, key.lastWrite);
  }

  /** A recovered value whose key is unknown. */
  orphan(value: RegistryValue): RegistryValueRecord {
    const fields = {
      valueName: value.name,
      valueType: value.typeName,
      data: renderValueData(value),
      deleted: true,
    };
    return this.record(value.offset, '?', fields, undefined);
  }

  /** The key itself, for a key that has no value to show (hotfix keys). */
  bareKey(key: RegistryKey): RegistryValueRecord {
    const fields = { valueName: '', valueType: 'KEY', data: '', deleted: key.deleted };
    return this.record(key.offset, key.path, fields, key.lastWrite);
  }

  /** A service key; `values` replaces the key's own list for recovered keys. */
  service(key: RegistryKey, controlSet: string, values?: RegistryValue[]): ServiceRecord {
    const list = values ?? key.values();
    const value = (name: string): RegistryValue | undefined =>
      list.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    const record: ServiceRecord = {
      kind: 'service',
      host: this.context.host,
      artifact: 'registry',
      sourceFile: this.context.artifact.sourcePath,
      sourceOffset: key.offset,
      name: key.name,
      displayName: stringOf(value('DisplayName')) ?? '',
      imagePath: stringOf(value('ImagePath')) ?? '',
      deleted: key.deleted,
      controlSet: this.copy === undefined ? controlSet : `${controlSet} (${this.copy})`,
    };
    const start = dwordOf(value('Start'));
    const type = dwordOf(value('Type'));
    if (start !== undefined) record.start = start;
    if (type !== undefined) record.type = type;
    if (key.lastWrite !== undefined) record.keyLastWrite = key.lastWrite;
    return record;
  }
}

/** Every value of the key at `path` (all when `names` is not given), in hive order. */
function* valuesOf(maker: RecordMaker, path: string, names?: string[]): Generator<RegistryValueRecord> {
  const key = keyAt(maker.hive, path);
  if (key === undefined) return;
  const wanted = names?.map((name) => name.toLowerCase());
  for (const value of key.values()) {
    if (wanted === undefined || wanted.includes(value.name.toLowerCase())) yield maker.value(key, value);
  }
}

/** The values of a key and of its subkeys down to `depth` levels. */
function* subtreeValues(maker: RecordMaker, path: string, depth: number): Generator<RegistryValueRecord> {
  const start = keyAt(maker.hive, path);
  if (start === undefined) return;
  const pending: Array<{ key: RegistryKey; level: number }> = [{ key: start, level: 0 }];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const { key, level } = pending.shift()!;
    if (seen.has(key.offset)) continue;
    seen.add(key.offset);
    for (const value of key.values()) yield maker.value(key, value);
    if (level >= depth) continue;
    for (const child of key.subkeys()) {
      if (!SKIPPED_SUBTREES.has(child.name.toLowerCase())) pending.push({ key: child, level: level + 1 });
    }
  }
}

function* hotfixRecords(maker: RecordMaker): Generator<RegistryValueRecord> {
  for (const { key } of hotfixKeys(maker.hive)) {
    const values = key.values();
    const best =
      HOTFIX_VALUES.map((name) =>
        values.find((value) => value.name.toLowerCase() === name.toLowerCase()),
      ).find((value) => value !== undefined) ?? values[0];
    yield best === undefined ? maker.bareKey(key) : maker.value(key, best);
  }
}

function* softwareRecords(maker: RecordMaker): Generator<RegistryValueRecord> {
  for (const path of RUN_KEYS_MACHINE) yield* valuesOf(maker, path);
  yield* valuesOf(maker, OS_KEY, OS_VALUES);
  yield* valuesOf(maker, OLE_KEY, ['EnableDCOM', 'EnableDCOMHTTP']);
  yield* subtreeValues(maker, FIREWALL_POLICY_KEY, POLICY_DEPTH);
  yield* hotfixRecords(maker);
}

function* systemRecords(maker: RecordMaker): Generator<RegistryRecord> {
  const hive = maker.hive;
  yield* valuesOf(maker, 'Select');
  const current = currentControlSet(hive);
  if (current !== undefined) {
    const control = `${current}\\Control`;
    yield* valuesOf(maker, `${control}\\ComputerName\\ComputerName`, ['ComputerName']);
    yield* valuesOf(maker, `${control}\\TimeZoneInformation`);
    yield* valuesOf(maker, `${control}\\Windows`, ['ShutdownTime', 'CSDVersion']);
    yield* valuesOf(maker, `${current}\\Services\\Tcpip\\Parameters`, ['Hostname', 'Domain']);
    yield* valuesOf(maker, `${current}\\Services\\RpcSs`, ['FailureActions']);
    // Where each event log file lives: a log moved off the default path is still found by it.
    for (const log of keyAt(hive, `${current}\\Services\\Eventlog`)?.subkeys() ?? []) {
      yield* valuesOf(maker, `${current}\\Services\\Eventlog\\${log.name}`, ['File', 'MaxSize', 'Retention']);
    }
    yield* subtreeValues(maker, `${current}\\${SHARED_ACCESS_POLICY_KEY}`, POLICY_DEPTH);
  }
  // Services: the current control set in full, the others where they differ from it.
  const imageOf = new Map<string, string>();
  if (current !== undefined) {
    for (const key of keyAt(hive, `${current}\\Services`)?.subkeys() ?? []) {
      const record = maker.service(key, current);
      imageOf.set(key.name.toLowerCase(), record.imagePath.toLowerCase());
      yield record;
    }
  }
  for (const set of controlSets(hive)) {
    if (set === current) continue;
    for (const key of keyAt(hive, `${set}\\Services`)?.subkeys() ?? []) {
      const known = imageOf.get(key.name.toLowerCase());
      const image = (stringOf(key.value('ImagePath')) ?? '').toLowerCase();
      if (known === image) continue;
      yield maker.service(key, set);
    }
  }
}

function* userRecords(maker: RecordMaker): Generator<RegistryValueRecord> {
  for (const path of RUN_KEYS_USER) yield* valuesOf(maker, path);
}

/** `\A\B` -> `A\B`, lower case, for comparing paths. */
function normalized(path: string): string {
  return path.replace(/^\\/, '').toLowerCase();
}

/**
 * A recovered key's path is the watched path itself, or (parent chain broken: `?\CurrentVersion\Run`)
 * ends with the known part of at least two components.
 */
function watchedPath(recovered: string, watched: readonly string[]): string | undefined {
  const path = normalized(recovered);
  if (!path.startsWith('?\\')) return watched.find((candidate) => candidate.toLowerCase() === path);
  const suffix = path.slice(2);
  if (!suffix.includes('\\')) return undefined;
  return watched.find((candidate) => candidate.toLowerCase().endsWith(`\\${suffix}`));
}

function* deletedRecords(maker: RecordMaker, runKeys: readonly string[]): Generator<RegistryRecord> {
  const hive = maker.hive;
  const role = maker.context.artifact.role;
  const { keys, values } = hive.recoverDeleted();
  // A recovered key's values: its value list sits in free space too, so the recovery has already
  // matched them to it (by path); reading the freed list again would only report damage.
  const valuesOf = new Map<string, RegistryValue[]>();
  for (const value of values) {
    if (value.keyPath === undefined) continue;
    const list = valuesOf.get(value.keyPath) ?? [];
    list.push(value);
    valuesOf.set(value.keyPath, list);
  }
  for (const key of keys) {
    const live = key.path.startsWith('?') ? undefined : keyAt(hive, key.path);
    // A freed copy of a key still in use with the same LastWrite says nothing new.
    if (live !== undefined && live.lastWrite === key.lastWrite) continue;
    const runKey = watchedPath(key.path, runKeys);
    if (runKey !== undefined) {
      const liveRun = keyAt(hive, runKey);
      const liveValues = new Set(
        (liveRun?.values() ?? []).map((value) => `${value.name.toLowerCase()}\0${renderValueData(value)}`),
      );
      for (const value of valuesOf.get(key.path) ?? []) {
        if (liveValues.has(`${value.name.toLowerCase()}\0${renderValueData(value)}`)) continue;
        yield maker.value(key, value);
      }
      continue;
    }
    if (role !== 'SYSTEM') continue;
    const path = normalized(key.path);
    const recovered = valuesOf.get(key.path) ?? [];
    if (SERVICE_KEY.test(path)) {
      yield maker.service(key, key.path.replace(/^\\/, '').split('\\')[0]!, recovered);
    } else if (
      path.startsWith('?\\') &&
      recovered.some((value) => value.name.toLowerCase() === 'imagepath')
    ) {
      // Parent chain broken: a service key if it looks like one (it has an ImagePath).
      yield maker.service(key, '?', recovered);
    }
  }
  for (const value of values) {
    if (value.keyPath !== undefined || !STRING_TYPES.has(value.type)) continue;
    yield maker.orphan(value);
  }
}

/** The ArtifactReader for 'registry-hive' artifacts. */
export async function* readRegistryHive(context: ArtifactContext): AsyncGenerator<RegistryRecord> {
  const hive = await takeLocatedHive(context.source, context.artifact);
  const maker = new RecordMaker(context, hive);
  try {
    switch (context.artifact.role) {
      case 'SOFTWARE':
        yield* softwareRecords(maker);
        yield* deletedRecords(maker, RUN_KEYS_MACHINE);
        break;
      case 'SYSTEM':
        yield* systemRecords(maker);
        yield* deletedRecords(maker, []);
        break;
      case 'NTUSER':
        yield* userRecords(maker);
        yield* deletedRecords(maker, RUN_KEYS_USER);
        break;
      default:
        break;
    }
  } finally {
    reportErrorLog(context, hive.errors, hive.errorCount);
  }
}
