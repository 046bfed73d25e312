/**
 * Event normalization: legacy `.evt` records and `.evtx` records become the same EventRecord, so
 * one rule matches both formats.
 *
 * | EventRecord | .evt (EVENTLOGRECORD)                       | .evtx (System / EventData)              |
 * | ----------- | ------------------------------------------- | --------------------------------------- |
 * | time        | TimeGenerated (see below)                   | TimeCreated/@SystemTime (else written)   |
 * | recordId    | RecordNumber                                | EventRecordID                            |
 * | channel     | from the file name (SysEvent.Evt -> System) | Channel (else the file's base name)      |
 * | provider    | SourceName                                  | Provider/@Name (else EventSourceName)    |
 * | eventId     | low 16 bits of EventID; high 16 = qualifiers| EventID; @Qualifiers                     |
 * | level       | EventType -> Error, Warning, ...            | Level 1-5 -> Critical ... Verbose        |
 * | computer    | ComputerName                                | Computer                                 |
 * | userSid     | UserSid                                     | Security/@UserID                         |
 * | strings     | the insertion strings                       | EventData (or UserData) values in order  |
 * | fields      | param1..paramN + known names                | Data Name=..., unnamed Data as paramN,   |
 * |             |                                             | + known names                            |
 *
 * Time: an .evt record has TimeGenerated (when the source reported the event) and TimeWritten
 * (when the service stored it); they differ only when the service was busy or the clock moved.
 * We use TimeGenerated, because it is the time Event Viewer shows as the event's Date/Time and
 * it is what EVTX's TimeCreated means; the timeline then places .evt and .evtx events alike.
 *
 * `fields` carries the insertion strings as `param1`..`paramN` (Vista+'s names for classic
 * events) and, for the events of the message table (event-messages.ts), their names as well
 * (`ServiceName`, `ImagePath`, ...), on both formats: a rule on `fields.ServiceName` finds an XP
 * 7036 and a Vista 7036 alike.
 */
import { basename } from 'node:path';
import { type EvtRecord, openEvt } from '../../parsers/evt/index.js';
import {
  type EvtxJson,
  type EvtxJsonObject,
  type EvtxRecord,
  eventData,
  openEvtx,
  systemFields,
} from '../../parsers/evtx/index.js';
import type { FormatError, FormatErrorRecord } from '../../parsers/io/index.js';
import { setOwnIfAbsent } from '../../parsers/io/index.js';
import type { EventRecord } from '../model/records.js';
import type { ArtifactContext } from './context.js';
import { findTemplate, rawMessage, renderMessage } from './event-messages.js';

/** Errors the parsers keep before only counting (the inventory keeps samples, counts all). */
const MAX_PARSER_ERRORS = 10_000;

const LEGACY_CHANNELS: Record<string, string> = {
  sysevent: 'System',
  appevent: 'Application',
  secevent: 'Security',
};

/** `SysEvent.Evt` -> System, `AppEvent.Evt` -> Application, `SecEvent.Evt` -> Security, else the base name. */
export function channelFromFileName(path: string): string {
  const name = basename(path.replace(/\\/g, '/')).replace(/\.evtx?$/i, '');
  return LEGACY_CHANNELS[name.toLowerCase()] ?? name;
}

const EVT_LEVELS: Record<string, string> = {
  error: 'Error',
  warning: 'Warning',
  information: 'Information',
  'audit-success': 'Audit Success',
  'audit-failure': 'Audit Failure',
  // EVENTLOG_SUCCESS (0): Event Viewer shows it as Information.
  success: 'Information',
  unknown: 'Unknown',
};

/** EVTX Level: 0 (LogAlways) is shown as Information, as Event Viewer does. */
export function evtxLevelName(level: number | undefined): string {
  switch (level) {
    case 1:
      return 'Critical';
    case 2:
      return 'Error';
    case 3:
      return 'Warning';
    case 0:
    case 4:
    case undefined:
      return 'Information';
    case 5:
      return 'Verbose';
    default:
      return `Level ${level}`;
  }
}

/** param1..paramN plus the template's names for the insertion strings. */
function namedFields(
  strings: readonly string[],
  names: readonly string[],
  into: Record<string, string>,
): Record<string, string> {
  strings.forEach((value, index) => {
    const param = `param${index + 1}`;
    setOwnIfAbsent(into, param, value);
    const name = names[index];
    if (name !== undefined) setOwnIfAbsent(into, name, value);
  });
  return into;
}

export interface NormalizeContext {
  host: string;
  /** Path of the log inside the evidence source. */
  sourceFile: string;
  /** Channel of a legacy log (from its file name). */
  channel: string;
}

/** One .evt record as an EventRecord. */
export function normalizeEvtRecord(record: EvtRecord, context: NormalizeContext): EventRecord {
  const eventId = record.eventCode;
  const strings = [...record.strings];
  const template = findTemplate([record.sourceName], eventId, strings.length);
  const event: EventRecord = {
    kind: 'event',
    host: context.host,
    artifact: 'evt',
    sourceFile: context.sourceFile,
    sourceOffset: record.offset,
    channel: context.channel,
    provider: record.sourceName,
    eventId,
    qualifiers: record.qualifiers,
    level: EVT_LEVELS[record.eventTypeName] ?? 'Unknown',
    recordId: record.recordNumber,
    computer: record.computerName,
    time: record.timeGenerated,
    strings,
    fields: namedFields(strings, template?.names ?? [], {}),
    message: template === undefined ? rawMessage(strings) : renderMessage(template.text, strings),
  };
  if (record.userSid !== undefined) event.userSid = record.userSid;
  if (record.recovered) event.recovered = true;
  return event;
}

function isObject(value: EvtxJson | undefined): value is EvtxJsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A rendered value as text: null is empty, arrays (string arrays) are joined by newlines. */
function valueText(value: EvtxJson | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(valueText).join('\n');
  if ('#text' in value && Object.keys(value).every((key) => key === '#text' || key === '#attributes'))
    return valueText(value['#text']);
  return JSON.stringify(value);
}

/**
 * EventData/UserData as ordered (name, value) pairs: `Data Name="X"` keeps its name, unnamed
 * `<Data>` elements get none (param<n> later), `Binary` is a field but not an insertion string,
 * and UserData's single child element contributes its children by name.
 */
function payloadPairs(payload: EvtxJson | undefined): Array<{ name?: string; value: string; binary?: true }> {
  const out: Array<{ name?: string; value: string; binary?: true }> = [];
  if (payload === undefined || payload === null) return out;
  if (!isObject(payload)) {
    out.push({ value: valueText(payload) });
    return out;
  }
  let body: EvtxJsonObject = payload;
  // UserData: <UserData><SomeEvent xmlns=...><Field>..</Field></SomeEvent></UserData>.
  const keys = Object.keys(payload).filter((key) => key !== '#attributes');
  if (keys.length === 1 && keys[0] !== 'Data' && isObject(payload[keys[0]!])) {
    const inner = payload[keys[0]!] as EvtxJsonObject;
    if (Object.keys(inner).some((key) => key !== '#attributes' && key !== '#text')) body = inner;
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === '#attributes') continue;
    if (key === 'Data') {
      for (const item of Array.isArray(value) ? value : [value]) out.push({ value: valueText(item) });
    } else if (key === 'Binary') {
      out.push({ name: key, value: valueText(value), binary: true });
    } else if (key === '#text') {
      out.push({ value: valueText(value) });
    } else {
      out.push({ name: key, value: valueText(value) });
    }
  }
  return out;
}

/** One .evtx record (with a readable event) as an EventRecord. */
export function normalizeEvtxRecord(
  record: EvtxRecord & { event: EvtxJsonObject },
  context: Omit<NormalizeContext, 'channel'> & { fallbackChannel: string },
): EventRecord {
  const system = systemFields(record.event);
  const pairs = payloadPairs(eventData(record.event));
  const strings: string[] = [];
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    // Unnamed <Data> is param<position>, as Event Viewer's XML view numbers classic events.
    const name = pair.name ?? `param${strings.length + 1}`;
    if (!pair.binary) strings.push(pair.value);
    setOwnIfAbsent(fields, name, pair.value);
  }
  const eventId = (system.eventId ?? 0) & 0xffff;
  const provider = system.provider ?? system.eventSourceName ?? '';
  const template = findTemplate([system.provider, system.eventSourceName], eventId, strings.length);
  template?.names.forEach((name, index) => {
    const value = strings[index];
    if (value !== undefined) setOwnIfAbsent(fields, name, value);
  });
  const recordId = typeof record.recordId === 'bigint' ? Number(record.recordId) : record.recordId;
  const event: EventRecord = {
    kind: 'event',
    host: context.host,
    artifact: 'evtx',
    sourceFile: context.sourceFile,
    sourceOffset: record.offset,
    channel: system.channel ?? context.fallbackChannel,
    provider,
    eventId,
    level: evtxLevelName(system.level),
    recordId: typeof system.eventRecordId === 'number' ? system.eventRecordId : recordId,
    computer: system.computer ?? '',
    time: system.timeCreated ?? record.written ?? 0n,
    strings,
    fields,
    message: template === undefined ? rawMessage(strings) : renderMessage(template.text, strings),
  };
  if (system.qualifiers !== undefined) event.qualifiers = system.qualifiers;
  if (system.userId !== undefined) event.userSid = system.userId;
  return event;
}

/** Hands the parser's new errors to the context, each with the artifact's path. */
class ErrorRelay {
  private reported = 0;
  constructor(private readonly context: ArtifactContext) {}

  relay(list: readonly FormatError[]): void {
    for (; this.reported < list.length; this.reported += 1)
      this.context.reportError(this.record(list[this.reported]!.toJSON()));
  }

  /** Errors past the parser's cap were counted, not kept: the inventory still counts them. */
  finish(list: readonly FormatError[], count: number): void {
    this.relay(list);
    if (count > list.length) this.context.countUnkeptErrors(count - list.length);
  }

  private record(error: FormatErrorRecord): FormatErrorRecord {
    return { ...error, file: this.context.artifact.sourcePath };
  }
}

/** Reads a legacy `.evt` log: live records oldest first, then records recovered from slack. */
export async function* readEvtArtifact(context: ArtifactContext): AsyncGenerator<EventRecord> {
  const path = context.artifact.sourcePath;
  const reader = await context.source.openReader(path);
  try {
    const log = await openEvt(reader, { maxErrors: MAX_PARSER_ERRORS });
    const relay = new ErrorRelay(context);
    const normalize: NormalizeContext = {
      host: context.host,
      sourceFile: path,
      channel: channelFromFileName(path),
    };
    for await (const batch of log.recordBatches()) {
      relay.relay(log.errors);
      for (const record of batch) yield normalizeEvtRecord(record, normalize);
    }
    relay.finish(log.errors, log.errorCount);
  } finally {
    await reader.close();
  }
}

/** Reads an `.evtx` log chunk by chunk; records whose binary XML is unreadable are reported, not emitted. */
export async function* readEvtxArtifact(context: ArtifactContext): AsyncGenerator<EventRecord> {
  const path = context.artifact.sourcePath;
  const reader = await context.source.openReader(path);
  try {
    const log = await openEvtx(reader, { maxErrors: MAX_PARSER_ERRORS });
    const relay = new ErrorRelay(context);
    const normalize = { host: context.host, sourceFile: path, fallbackChannel: channelFromFileName(path) };
    for await (const record of log.records()) {
      relay.relay(log.errors.list);
      if (record.event === null) continue;
      yield normalizeEvtxRecord(record as EvtxRecord & { event: EvtxJsonObject }, normalize);
    }
    relay.finish(log.errors.list, log.errors.count);
  } finally {
    await reader.close();
  }
}
