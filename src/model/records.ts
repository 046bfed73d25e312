/**
 * The normalized records every artifact becomes, whatever format it came from. Rules match
 * these (by kind and field name), the timeline is made from them, and later a database stores
 * them: every record is plain data (strings, numbers, booleans, arrays, nested objects), with
 * times as `bigint` microseconds since 1970 UTC.
 */

export type RecordKind = 'file' | 'registry-value' | 'service' | 'event' | 'connection' | 'listener' | 'host';

/** Where a record came from: enough to find the bytes again. */
export interface Provenance {
  /** Host name (from the registry when known, else derived from the evidence name). */
  host: string;
  /** Artifact family: 'firewall-log', 'bodyfile', 'netstat', 'registry', 'evt', 'evtx', 'ntfs', 'fat', 'zip'. */
  artifact: string;
  /** Path of the evidence file inside the evidence source (e.g. `WINDOWS/pfirewall.log`). */
  sourceFile: string;
  /** 1-based line of a text artifact. */
  sourceLine?: number;
  /** Byte offset of the structure in the source file. */
  sourceOffset?: number;
}

export interface FileRecord extends Provenance {
  kind: 'file';
  /** Windows-style path with backslashes, from the volume root: `\WINDOWS\system32\msblast.exe`. */
  path: string;
  /** Final path component. */
  name: string;
  /** Lower-case extension without the dot ('' if none). */
  extension: string;
  size: number;
  deleted: boolean;
  isDirectory: boolean;
  inode?: string;
  /** Alternate data stream name, when this row is a stream. */
  stream?: string;
  md5?: string;
  sha1?: string;
  sha256?: string;
  modified?: bigint;
  accessed?: bigint;
  changed?: bigint;
  created?: bigint;
  /** Which time set: `$SI`/`$FN` on NTFS, `bodyfile`, `fat`. */
  timeSource: string;
  /** FAT times are local wall-clock times; true when no time zone was known to convert them. */
  timeIsLocal?: boolean;
}

export interface RegistryValueRecord extends Provenance {
  kind: 'registry-value';
  /** Hive role: SYSTEM, SOFTWARE, NTUSER (with the user), SAM... */
  hive: string;
  /** Full key path as Windows shows it: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`. */
  keyPath: string;
  valueName: string;
  valueType: string;
  /** Data rendered as text (MULTI_SZ joined with `\n`, binary as hex, numbers in decimal). */
  data: string;
  keyLastWrite?: bigint;
  deleted: boolean;
  /** From a `.sav` copy or a replayed log rather than the live hive. */
  copy?: string;
  /** NTUSER.DAT: the profile folder it was found in, and that profile's SID from ProfileList. */
  user?: string;
  userSid?: string;
}

export interface ServiceRecord extends Provenance {
  kind: 'service';
  /** Service key name, e.g. `RpcPatch`. */
  name: string;
  displayName: string;
  imagePath: string;
  start?: number;
  type?: number;
  keyLastWrite?: bigint;
  deleted: boolean;
  controlSet: string;
}

export interface EventRecord extends Provenance {
  kind: 'event';
  /** Channel or legacy log name: System, Application, Security. */
  channel: string;
  provider: string;
  eventId: number;
  qualifiers?: number;
  level: string;
  recordId: number;
  computer: string;
  userSid?: string;
  time: bigint;
  strings: string[];
  /** Named EventData fields where known (`param1`...), for rules. */
  fields: Record<string, string>;
  message: string;
  recovered?: boolean;
}

export interface ConnectionRecord extends Provenance {
  kind: 'connection';
  /** Firewall action (OPEN, DROP, ...) or netstat state (ESTABLISHED, SYN_SENT, ...). */
  action: string;
  protocol: string;
  srcIp: string;
  srcPort?: number;
  dstIp: string;
  dstPort?: number;
  /** IP packet size (firewall logs). */
  size?: number;
  tcpFlags?: string;
  icmpType?: number;
  icmpCode?: number;
  /** SEND / RECEIVE (firewall `path`), when known. */
  direction?: string;
  pid?: number;
  processName?: string;
  time?: bigint;
  timeIsLocal?: boolean;
}

export interface ListenerRecord extends Provenance {
  kind: 'listener';
  protocol: string;
  localAddress: string;
  localPort: number;
  pid?: number;
  processName?: string;
  /** Capture time when known (file time of the capture). */
  time?: bigint;
}

/** One record per host with the facts the exposure rules and the verdict need. */
export interface HostRecord extends Provenance {
  kind: 'host';
  computerName?: string;
  productName?: string;
  /** `CurrentVersion`: 5.0 = 2000, 5.1 = XP, 5.2 = 2003. */
  osVersion?: string;
  build?: string;
  servicePack?: string;
  installDate?: bigint;
  /** Installed hotfix ids in upper case: `KB823980`, `Q823980`. */
  hotfixes: string[];
  enableDcom?: string;
  /** Windows Firewall enabled in any profile (XP SP2+); undefined when not configured. */
  firewallEnabled?: boolean;
  timeZone?: string;
  /** Minutes to add to UTC for local time (bias of the standard zone, sign as in ISO: UTC+9 = 540). */
  utcOffsetMinutes?: number;
  lastShutdown?: bigint;
}

export type NormalizedRecord =
  | FileRecord
  | RegistryValueRecord
  | ServiceRecord
  | EventRecord
  | ConnectionRecord
  | ListenerRecord
  | HostRecord;

export const recordKinds: readonly RecordKind[] = [
  'file',
  'registry-value',
  'service',
  'event',
  'connection',
  'listener',
  'host',
];
