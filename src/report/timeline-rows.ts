import { microsToIso, setOwn } from '../../parsers/io/index.js';
import type { FileRecord, NormalizedRecord } from '../model/records.js';
import type { HostClock } from '../model/time-zone.js';
import type { TimelineRow } from '../model/timeline.js';

const PROVENANCE_KEYS = new Set(['kind', 'host', 'artifact', 'sourceFile']);
const FILE_TIMES: Array<[keyof FileRecord, string, string]> = [
  ['modified', 'M', 'Modified'],
  ['accessed', 'A', 'Accessed'],
  ['changed', 'C', 'Changed'],
  ['created', 'B', 'Created'],
];

export interface RowContext {
  /** The host's clock, to show local time (with the offset in force then) beside UTC. */
  clock?: HostClock;
  /** Time to place timeless records at (the capture file's time), with its description. */
  fallbackTime?: bigint;
}

export interface RuleHits {
  ruleIds: string[];
  level: string;
}

function flatten(record: NormalizedRecord): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (PROVENANCE_KEYS.has(key) || value === undefined) continue;
    const text =
      typeof value === 'bigint'
        ? microsToIso(value)
        : Array.isArray(value)
          ? value.join('; ')
          : value !== null && typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
    setOwn(fields, key, text);
  }
  return fields;
}

function localTime(micros: bigint, context: RowContext): string | undefined {
  if (context.clock === undefined) return undefined;
  const offsetMinutes = context.clock.offsetForUtc(micros);
  const local = microsToIso(micros + BigInt(offsetMinutes) * 60_000_000n);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${local.slice(0, -1)}${offset}`;
}

function endpoint(address: string | undefined, port: number | undefined): string {
  if (address === undefined || address === '') return '-';
  return port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A short English line describing the record, for the timeline's `message` column. */
export function messageOf(record: NormalizedRecord): string {
  switch (record.kind) {
    case 'file':
      return `${record.deleted ? 'Deleted file' : record.isDirectory ? 'Directory' : 'File'} ${record.path}${record.stream ? `:${record.stream}` : ''} (${record.size} bytes)${record.sha256 ? ` sha256 ${record.sha256}` : ''}`;
    case 'registry-value':
      return `${record.deleted ? 'Deleted registry value' : 'Registry value'} ${record.keyPath}\\${record.valueName === '' ? '(default)' : record.valueName} = ${record.data}`;
    case 'service':
      return `${record.deleted ? 'Deleted service' : 'Service'} ${record.name} "${record.displayName}" ImagePath=${record.imagePath}${record.start === undefined ? '' : ` Start=${record.start}`}`;
    case 'event':
      return `[${record.channel}] ${record.provider} ${record.eventId}: ${record.message}`;
    case 'connection':
      return `${record.action} ${record.protocol} ${endpoint(record.srcIp, record.srcPort)} -> ${endpoint(record.dstIp, record.dstPort)}${record.size === undefined ? '' : ` size ${record.size}`}${record.icmpType === undefined ? '' : ` icmp type ${record.icmpType}`}${record.direction ? ` ${record.direction}` : ''}${record.pid === undefined ? '' : ` pid ${record.pid}`}`;
    case 'listener':
      return `Listening ${record.protocol} ${endpoint(record.localAddress, record.localPort)}${record.pid === undefined ? '' : ` pid ${record.pid}`}${record.processName ? ` (${record.processName})` : ''}`;
    case 'host':
      return `Host ${record.computerName ?? record.host}: ${record.productName ?? 'unknown OS'} ${record.servicePack ?? ''}`.trim();
  }
}

function row(
  record: NormalizedRecord,
  time: bigint,
  description: string,
  hits: RuleHits,
  context: RowContext,
  fields: Record<string, string>,
): TimelineRow {
  const local = localTime(time, context);
  return {
    datetime: microsToIso(time),
    timestamp: Number(time),
    timestamp_desc: description,
    message: messageOf(record),
    host: record.host,
    artifact: record.artifact,
    kind: record.kind,
    source_file: record.sourceFile,
    ...(local === undefined ? {} : { local_time: local }),
    rule_ids: hits.ruleIds,
    level: hits.level,
    fields,
  };
}

/**
 * The timeline rows of one record: a file gives one row per distinct time (MACB letters
 * merged like mactime), other records one row at their own time. Records without a time are
 * placed at the capture file's time when known; host facts are not timeline events.
 */
export function timelineRows(
  record: NormalizedRecord,
  hits: RuleHits,
  context: RowContext = {},
): TimelineRow[] {
  const fields = flatten(record);
  switch (record.kind) {
    case 'file': {
      const byTime = new Map<bigint, string[]>();
      for (const [key, letter] of FILE_TIMES) {
        const value = record[key];
        if (typeof value !== 'bigint') continue;
        const letters = byTime.get(value) ?? [];
        letters.push(letter);
        byTime.set(value, letters);
      }
      const rows: TimelineRow[] = [];
      for (const [time, letters] of [...byTime.entries()].sort((a, b) =>
        a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
      )) {
        const macb = FILE_TIMES.map(([, letter]) => (letters.includes(letter) ? letter : '.')).join('');
        const names = FILE_TIMES.filter(([, letter]) => letters.includes(letter)).map(([, , name]) => name);
        const local = record.timeIsLocal ? ' (local time)' : '';
        rows.push(
          row(record, time, `${record.timeSource} ${names.join('/')}${local}`, hits, context, {
            ...fields,
            macb,
          }),
        );
      }
      return rows;
    }
    case 'registry-value':
    case 'service':
      if (record.keyLastWrite === undefined) return [];
      return [row(record, record.keyLastWrite, 'Registry key last written', hits, context, fields)];
    case 'event':
      // Legacy logs keep TimeGenerated, EVTX TimeCreated: when the event happened, not when it was logged.
      return [
        row(
          record,
          record.time,
          record.artifact === 'evtx' ? 'Event created' : 'Event generated',
          hits,
          context,
          fields,
        ),
      ];
    case 'connection':
    case 'listener': {
      const time = record.time ?? context.fallbackTime;
      if (time === undefined) return [];
      const description =
        record.time === undefined
          ? 'Capture file time'
          : record.kind === 'connection'
            ? `Connection logged${record.timeIsLocal ? ' (local time)' : ''}`
            : 'Captured';
      return [row(record, time, description, hits, context, fields)];
    }
    case 'host':
      return [];
  }
}
