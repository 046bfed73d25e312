/**
 * The fields of every record kind, as the rule compiler and the rule-test loader see them. The
 * tables are typed against the model (`FieldTable<T>` needs every key of `T`), so a field added to
 * `src/model/records.ts` fails the type check here until it is listed: rules can never silently
 * name a field the model does not have, and test records are checked against the same table.
 */
import type {
  ConnectionRecord,
  EventRecord,
  FileRecord,
  HostRecord,
  ListenerRecord,
  NormalizedRecord,
  RecordKind,
  RegistryValueRecord,
  ServiceRecord,
} from '../model/index.js';

/** `time` = bigint microseconds; `map` = string-to-string object (`fields.param1`). */
export type FieldType = 'string' | 'number' | 'boolean' | 'time' | 'string[]' | 'map';

export interface FieldSpec {
  type: FieldType;
  required: boolean;
}

type FieldTable<T> = { [K in keyof Required<T>]: FieldSpec };

const s = (required = true): FieldSpec => ({ type: 'string', required });
const n = (required = true): FieldSpec => ({ type: 'number', required });
const b = (required = true): FieldSpec => ({ type: 'boolean', required });
const t = (required = false): FieldSpec => ({ type: 'time', required });

const provenance = {
  host: s(),
  artifact: s(),
  sourceFile: s(),
  sourceLine: n(false),
  sourceOffset: n(false),
};

const fileFields: FieldTable<FileRecord> = {
  ...provenance,
  kind: s(),
  path: s(),
  name: s(),
  extension: s(),
  size: n(),
  deleted: b(),
  isDirectory: b(),
  inode: s(false),
  stream: s(false),
  md5: s(false),
  sha1: s(false),
  sha256: s(false),
  modified: t(),
  accessed: t(),
  changed: t(),
  created: t(),
  timeSource: s(),
  timeIsLocal: b(false),
};

const registryFields: FieldTable<RegistryValueRecord> = {
  ...provenance,
  kind: s(),
  hive: s(),
  keyPath: s(),
  valueName: s(),
  valueType: s(),
  data: s(),
  keyLastWrite: t(),
  deleted: b(),
  copy: s(false),
  user: s(false),
  userSid: s(false),
};

const serviceFields: FieldTable<ServiceRecord> = {
  ...provenance,
  kind: s(),
  name: s(),
  displayName: s(),
  imagePath: s(),
  start: n(false),
  type: n(false),
  keyLastWrite: t(),
  deleted: b(),
  controlSet: s(),
};

const eventFields: FieldTable<EventRecord> = {
  ...provenance,
  kind: s(),
  channel: s(),
  provider: s(),
  eventId: n(),
  qualifiers: n(false),
  level: s(),
  recordId: n(),
  computer: s(),
  userSid: s(false),
  time: t(true),
  strings: { type: 'string[]', required: true },
  fields: { type: 'map', required: true },
  message: s(),
  recovered: b(false),
};

const connectionFields: FieldTable<ConnectionRecord> = {
  ...provenance,
  kind: s(),
  action: s(),
  protocol: s(),
  srcIp: s(),
  srcPort: n(false),
  dstIp: s(),
  dstPort: n(false),
  size: n(false),
  tcpFlags: s(false),
  icmpType: n(false),
  icmpCode: n(false),
  direction: s(false),
  pid: n(false),
  processName: s(false),
  time: t(),
  timeIsLocal: b(false),
};

const listenerFields: FieldTable<ListenerRecord> = {
  ...provenance,
  kind: s(),
  protocol: s(),
  localAddress: s(),
  localPort: n(),
  pid: n(false),
  processName: s(false),
  time: t(),
};

const hostFields: FieldTable<HostRecord> = {
  ...provenance,
  kind: s(),
  computerName: s(false),
  productName: s(false),
  osVersion: s(false),
  build: s(false),
  servicePack: s(false),
  installDate: t(),
  hotfixes: { type: 'string[]', required: true },
  enableDcom: s(false),
  firewallEnabled: b(false),
  timeZone: s(false),
  utcOffsetMinutes: n(false),
  lastShutdown: t(),
};

export const kindFields: Readonly<Record<RecordKind, Readonly<Record<string, FieldSpec>>>> = {
  file: fileFields,
  'registry-value': registryFields,
  service: serviceFields,
  event: eventFields,
  connection: connectionFields,
  listener: listenerFields,
  host: hostFields,
};

/** Resolve a dotted rule path (`fields.param1`) to the spec of the value it reaches, or undefined. */
export function fieldSpecOf(kind: RecordKind, path: string): FieldSpec | undefined {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const spec = kindFields[kind][head];
  if (!spec) return undefined;
  if (dot < 0) return spec;
  // Only map fields have sub-keys; any key of a map is a string.
  return spec.type === 'map' && dot < path.length - 1 ? { type: 'string', required: false } : undefined;
}

/** The time a record is placed at for windows and firstSeen/lastSeen (undefined = timeless). */
export function recordTime(record: NormalizedRecord): bigint | undefined {
  switch (record.kind) {
    case 'file':
      // Creation is when the file arrived; fall back to content then metadata change.
      return record.created ?? record.modified ?? record.changed;
    case 'registry-value':
    case 'service':
      return record.keyLastWrite;
    case 'event':
    case 'connection':
    case 'listener':
      return record.time;
    case 'host':
      return undefined;
  }
}

/** A one-line description of a record for a finding's supporting evidence. */
export function summarizeRecord(record: NormalizedRecord): string {
  switch (record.kind) {
    case 'file':
      return `${record.deleted ? 'deleted ' : ''}${record.isDirectory ? 'directory' : 'file'} ${record.path}${
        record.stream ? `:${record.stream}` : ''
      } (${record.size} bytes)`;
    case 'registry-value':
      return `${record.deleted ? 'deleted ' : ''}${record.keyPath} "${record.valueName}" = "${record.data}"`;
    case 'service':
      return `${record.deleted ? 'deleted ' : ''}service ${record.name} "${record.displayName}" ${record.imagePath}${
        record.start === undefined ? '' : ` start=${record.start}`
      }`;
    case 'event':
      return `${record.channel} ${record.provider} ${record.eventId}: ${record.message}`;
    case 'connection': {
      const src = record.srcPort === undefined ? record.srcIp : `${record.srcIp}:${record.srcPort}`;
      const dst = record.dstPort === undefined ? record.dstIp : `${record.dstIp}:${record.dstPort}`;
      const extra = [
        record.icmpType === undefined ? '' : ` icmp ${record.icmpType}`,
        record.size === undefined ? '' : ` size ${record.size}`,
        record.direction ? ` ${record.direction}` : '',
        record.pid === undefined ? '' : ` pid ${record.pid}`,
      ].join('');
      return `${record.action} ${record.protocol} ${src} -> ${dst}${extra}`;
    }
    case 'listener':
      return `listening ${record.protocol} ${record.localAddress}:${record.localPort}${
        record.pid === undefined ? '' : ` pid ${record.pid}`
      }${record.processName ? ` ${record.processName}` : ''}`;
    case 'host':
      return `host ${record.computerName ?? record.host}: ${record.productName ?? '?'} ${record.osVersion ?? ''} ${
        record.servicePack ?? ''
      } hotfixes ${record.hotfixes.length}`.replace(/\s+/g, ' ');
  }
}
