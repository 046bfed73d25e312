/**
 * Plain accessors for the <System> element of a rendered event (JSON shape of render-json.ts),
 * for event normalization downstream.
 */
import { civilToMicros } from '../io/index.js';
import type { EvtxJson, EvtxJsonObject } from './render-json.js';

export interface EvtxSystemFields {
  eventId: number | undefined;
  qualifiers: number | undefined;
  provider: string | undefined;
  providerGuid: string | undefined;
  eventSourceName: string | undefined;
  channel: string | undefined;
  computer: string | undefined;
  /** TimeCreated/@SystemTime in microseconds since 1970 UTC. */
  timeCreated: bigint | undefined;
  eventRecordId: number | string | undefined;
  level: number | undefined;
  task: number | undefined;
  opcode: number | undefined;
  keywords: string | undefined;
  version: number | undefined;
  processId: number | undefined;
  threadId: number | undefined;
  /** Security/@UserID (a SID string). */
  userId: string | undefined;
}

function object(value: EvtxJson | undefined): EvtxJsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** The text of an element: its value, or "#text" of its object form. */
function text(value: EvtxJson | undefined): EvtxJson | undefined {
  const asObject = object(value);
  return asObject === undefined ? value : asObject['#text'];
}

function attribute(value: EvtxJson | undefined, name: string): EvtxJson | undefined {
  return object(object(value)?.['#attributes'])?.[name];
}

function asNumber(value: EvtxJson | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = value.startsWith('0x') ? Number.parseInt(value.slice(2), 16) : Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function asString(value: EvtxJson | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** ISO 8601 as rendered for FILETIME / SYSTEMTIME values to microseconds (UTC). */
export function isoToMicros(iso: string): bigint | undefined {
  const match = /^(-?\d{4,6})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$/.exec(iso);
  if (match === null) return undefined;
  const micros = Number(`${match[7] ?? ''}000000`.slice(0, 6));
  return civilToMicros(
    Number(match[1]),
    Number(match[2]),
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6]),
    micros,
  );
}

/** The Event element of a rendered record (or the record itself when it is not wrapped). */
export function eventElement(event: EvtxJsonObject): EvtxJsonObject {
  return object(event.Event) ?? event;
}

export function systemFields(event: EvtxJsonObject): EvtxSystemFields {
  const system = object(eventElement(event).System) ?? {};
  const eventId = system.EventID;
  const time = asString(attribute(system.TimeCreated, 'SystemTime'));
  const recordId = text(system.EventRecordID);
  return {
    eventId: asNumber(text(eventId)),
    qualifiers: asNumber(attribute(eventId, 'Qualifiers')),
    provider: asString(attribute(system.Provider, 'Name')),
    providerGuid: asString(attribute(system.Provider, 'Guid')),
    eventSourceName: asString(attribute(system.Provider, 'EventSourceName')),
    channel: asString(text(system.Channel)),
    computer: asString(text(system.Computer)),
    timeCreated: time === undefined ? undefined : isoToMicros(time),
    eventRecordId: typeof recordId === 'number' || typeof recordId === 'string' ? recordId : undefined,
    level: asNumber(text(system.Level)),
    task: asNumber(text(system.Task)),
    opcode: asNumber(text(system.Opcode)),
    keywords: asString(text(system.Keywords)),
    version: asNumber(text(system.Version)),
    processId: asNumber(attribute(system.Execution, 'ProcessID')),
    threadId: asNumber(attribute(system.Execution, 'ThreadID')),
    userId: asString(attribute(system.Security, 'UserID')),
  };
}

/**
 * The event's payload: EventData (named Data as "Name": value, unnamed Data under "Data") or
 * UserData (its single child element), or undefined.
 */
export function eventData(event: EvtxJsonObject): EvtxJson | undefined {
  const root = eventElement(event);
  if (root.EventData !== undefined) return root.EventData;
  return root.UserData;
}
