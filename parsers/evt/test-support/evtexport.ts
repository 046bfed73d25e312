/**
 * Runs libevt's evtexport (libevt-utils) and parses its text output, so tests can compare
 * our records with the reference tool's on the same file.
 */
import { spawnSync } from 'node:child_process';
import type { EvtRecord } from '../index.js';

export interface ExportedRecord {
  number: number;
  creationTime: string;
  writtenTime: string;
  eventType: number;
  userSid?: string;
  computerName: string;
  sourceName: string;
  category: number;
  eventId: number;
  numberOfStrings: number;
  strings: string[];
}

export function evtexportAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v evtexport']).status === 0;
}

const FIELD =
  /^(Event number|Creation time|Written time|Event type|User security identifier|Computer name|Source name|Event category|Event identifier|Number of strings|String: \d+)\t+: (.*)$/s;

/** `evtexport -m <mode> <path>` parsed into records. */
export function runEvtexport(path: string, mode: 'items' | 'recovered'): ExportedRecord[] {
  const result = spawnSync('evtexport', ['-m', mode, path], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return parseEvtexport(result.stdout);
}

export function parseEvtexport(text: string): ExportedRecord[] {
  const lines = text.split('\n');
  const entries: Array<Array<[string, string]>> = [];
  let current: Array<[string, string]> | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    const match = FIELD.exec(line);
    if (match) {
      if (match[1] === 'Event number') {
        current = [];
        entries.push(current);
      }
      current?.push([match[1]!, match[2]!]);
      continue;
    }
    const last = current?.[current.length - 1];
    if (last === undefined) continue;
    if (line === '') {
      // A blank line ends the entry unless more of a multi-line string follows.
      const next = lines[index + 1];
      if (next === undefined || next === '' || next.startsWith('Event number')) continue;
    }
    last[1] += `\n${line}`;
  }
  return entries.map((fields) => {
    const get = (name: string): string => fields.find(([key]) => key === name)?.[1] ?? '';
    const sid = get('User security identifier');
    return {
      number: Number(get('Event number')),
      creationTime: get('Creation time'),
      writtenTime: get('Written time'),
      eventType: Number(/\((\d+)\)$/.exec(get('Event type'))?.[1] ?? -1),
      ...(sid === '' ? {} : { userSid: sid }),
      computerName: get('Computer name'),
      sourceName: get('Source name'),
      category: Number(get('Event category')),
      eventId: Number.parseInt(get('Event identifier').slice(2, 10), 16),
      numberOfStrings: Number(get('Number of strings')),
      strings: fields.filter(([key]) => key.startsWith('String: ')).map(([, value]) => value),
    };
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Our time in evtexport's notation: "Jul 27, 2011 06:41:47 UTC". */
export function evtexportTime(micros: bigint): string {
  const date = new Date(Number(micros / 1000n));
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())}, ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** Our record in the shape of an evtexport entry. */
export function asExported(record: EvtRecord): ExportedRecord {
  return {
    number: record.recordNumber,
    creationTime: evtexportTime(record.timeGenerated),
    writtenTime: evtexportTime(record.timeWritten),
    eventType: record.eventType,
    ...(record.userSid === undefined ? {} : { userSid: record.userSid }),
    computerName: record.computerName,
    sourceName: record.sourceName,
    category: record.category,
    eventId: record.eventId,
    numberOfStrings: record.strings.length,
    strings: record.strings,
  };
}
