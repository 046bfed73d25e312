/**
 * Streaming parser of Windows Firewall / Internet Connection Firewall logs (`pfirewall.log`).
 * Header-driven: every `#Fields` line (a log restart writes the header block again) resets the
 * column mapping. A damaged line becomes a `LineFormatError` in `errors` and parsing continues.
 */
import { LineErrorLog, LineFormatError } from '../io/line-errors.js';
import { readLines } from '../io/text-lines.js';
import { type CivilTime, civilToMicros, daysFromCivil, parseDate, parseTime } from './civil-time.js';
import {
  Column,
  columnsFor,
  type FirewallLogRecord,
  type FirewallProtocol,
  isActionText,
  isIpText,
  MAX_U32,
  parseUnsigned,
} from './entry.js';
import { applyDirective, defaultHeader, type FirewallLogHeader } from './header.js';

export const FORMAT = 'firewall-log';
const MAX_LINE_BYTES = 8 * 1024;
const MAX_HEADERS_KEPT = 100;
const MAX_FIELDS = 64;
const MAX_PORT = 0xffff;
const MAX_ICMP = 0xff;

export interface FirewallLogOptions {
  /**
   * Offset of the host's local time from UTC in minutes (east positive, e.g. +540 for JST),
   * used when the header says `#Time Format: Local`.
   */
  utcOffsetMinutes?: number;
  /** Like `utcOffsetMinutes` but per local wall time (for daylight saving): minutes east of UTC. */
  timeZone?: (local: CivilTime) => number;
  /** How many errors to keep (all are counted). */
  maxErrors?: number;
}

/** Parses a firewall log from a byte stream; iterate `records()` once. */
export function parseFirewallLog(
  source: AsyncIterable<Uint8Array>,
  options: FirewallLogOptions = {},
): FirewallLogParser {
  return new FirewallLogParser(source, options);
}

export class FirewallLogParser {
  /** Lines that could not be used (capped list + exact count). */
  readonly errors: LineErrorLog;
  /** Notes that do not drop a line, e.g. data before any `#Fields` header. */
  readonly warnings: LineErrorLog;
  /** Header blocks seen, in order (capped); the last one applies to the lines that follow. */
  readonly headers: FirewallLogHeader[] = [];
  headerCount = 0;
  lineCount = 0;
  recordCount = 0;

  readonly #source: AsyncIterable<Uint8Array>;
  readonly #options: FirewallLogOptions;
  #started = false;

  constructor(source: AsyncIterable<Uint8Array>, options: FirewallLogOptions) {
    this.#source = source;
    this.#options = options;
    this.errors = new LineErrorLog(options.maxErrors ?? 1000);
    this.warnings = new LineErrorLog(options.maxErrors ?? 1000);
  }

  async *records(): AsyncGenerator<FirewallLogRecord> {
    if (this.#started) throw new Error('FirewallLogParser.records() can be iterated only once');
    this.#started = true;
    const { utcOffsetMinutes, timeZone } = this.#options;
    let header = defaultHeader();
    let columns = columnsFor(header.fields);
    let fieldCount = columns.length;
    // A header block is a run of consecutive directive lines.
    let inHeaderBlock = false;
    let warnedNoFields = false;
    const tokens: string[] = new Array<string>(MAX_FIELDS).fill('');
    let lastDate = '';
    let lastDays = 0;

    for await (const line of readLines(this.#source, { maxLineBytes: MAX_LINE_BYTES, encoding: 'latin1' })) {
      this.lineCount = line.number;
      const text = line.text;
      if (text.length === 0) continue;
      if (text.charCodeAt(0) === 35 /* # */) {
        if (!inHeaderBlock) {
          // A new block inherits nothing but starts from the previous field list (a block
          // that repeats only #Version/#Software keeps the columns it had).
          header = { ...header, lineNumber: line.number, fields: [...header.fields] };
          this.headerCount += 1;
          if (this.headers.length < MAX_HEADERS_KEPT) this.headers.push(header);
          inHeaderBlock = true;
        }
        if (applyDirective(text, header) === 'fields') {
          if (header.fields.length > MAX_FIELDS) {
            this.errors.add(
              this.#error(line.offset, line.number, `#Fields lists ${header.fields.length} fields`),
            );
            header.fields = header.fields.slice(0, MAX_FIELDS);
          }
          columns = columnsFor(header.fields);
          fieldCount = columns.length;
        }
        continue;
      }
      inHeaderBlock = false;
      if (line.truncated) {
        this.errors.add(this.#error(line.offset, line.number, `line longer than ${MAX_LINE_BYTES} bytes`));
        continue;
      }
      if (header.fieldsAssumed && !warnedNoFields) {
        warnedNoFields = true;
        this.warnings.add(
          this.#error(line.offset, line.number, 'data before any #Fields header: XP SP2 field list assumed'),
        );
      }

      // Tokenize on runs of spaces/tabs into the reusable array.
      let count = 0;
      let start = -1;
      const length = text.length;
      let overflow = false;
      for (let i = 0; i <= length; i++) {
        const c = i === length ? 32 : text.charCodeAt(i);
        if (c === 32 || c === 9) {
          if (start >= 0) {
            if (count === MAX_FIELDS) {
              overflow = true;
              break;
            }
            tokens[count++] = text.slice(start, i);
            start = -1;
          }
        } else if (start < 0) {
          start = i;
        }
      }
      if (count === 0) continue; // whitespace only
      if (overflow || count !== fieldCount) {
        const reason =
          count < fieldCount
            ? `truncated line: ${count} of ${fieldCount} fields`
            : `${overflow ? 'more than 64' : count} fields, the header declares ${fieldCount}`;
        this.errors.add(this.#error(line.offset, line.number, reason));
        continue;
      }

      const record: FirewallLogRecord = {
        lineNumber: line.number,
        offset: line.offset,
        date: '',
        time: '',
        timeIsLocal: false,
        localTime: { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 },
        timestamp: 0n,
        action: '',
        protocol: undefined,
        srcIp: undefined,
        dstIp: undefined,
        srcPort: undefined,
        dstPort: undefined,
        size: undefined,
        tcpFlags: undefined,
        tcpSyn: undefined,
        tcpAck: undefined,
        tcpWin: undefined,
        icmpType: undefined,
        icmpCode: undefined,
        info: undefined,
        path: undefined,
        pid: undefined,
        eventsLost: undefined,
        extra: undefined,
      };
      let bad: string | undefined;
      for (let i = 0; i < fieldCount && bad === undefined; i++) {
        const value = tokens[i]!;
        const column = columns[i]!;
        if (value === '-' && column !== Column.Date && column !== Column.Time && column !== Column.Action) {
          continue;
        }
        switch (column) {
          case Column.Date:
            if (!parseDate(value, record.localTime)) bad = `bad date '${clip(value)}'`;
            record.date = value;
            break;
          case Column.Time:
            if (!parseTime(value, record.localTime)) bad = `bad time '${clip(value)}'`;
            record.time = value;
            break;
          case Column.Action:
            if (!isActionText(value)) bad = `bad action '${clip(value)}'`;
            record.action = value;
            break;
          case Column.Protocol:
            record.protocol = parseProtocol(value);
            if (record.protocol === undefined) bad = `bad protocol '${clip(value)}'`;
            break;
          case Column.SrcIp:
            if (!isIpText(value)) bad = `bad src-ip '${clip(value)}'`;
            record.srcIp = value;
            break;
          case Column.DstIp:
            if (!isIpText(value)) bad = `bad dst-ip '${clip(value)}'`;
            record.dstIp = value;
            break;
          case Column.SrcPort:
            record.srcPort = numberOrBad(value, MAX_PORT);
            if (record.srcPort === undefined) bad = `bad src-port '${clip(value)}'`;
            break;
          case Column.DstPort:
            record.dstPort = numberOrBad(value, MAX_PORT);
            if (record.dstPort === undefined) bad = `bad dst-port '${clip(value)}'`;
            break;
          case Column.Size:
            record.size = numberOrBad(value, MAX_U32);
            if (record.size === undefined) bad = `bad size '${clip(value)}'`;
            break;
          case Column.TcpFlags:
            record.tcpFlags = value;
            break;
          case Column.TcpSyn:
            record.tcpSyn = numberOrBad(value, MAX_U32);
            if (record.tcpSyn === undefined) bad = `bad tcpsyn '${clip(value)}'`;
            break;
          case Column.TcpAck:
            record.tcpAck = numberOrBad(value, MAX_U32);
            if (record.tcpAck === undefined) bad = `bad tcpack '${clip(value)}'`;
            break;
          case Column.TcpWin:
            record.tcpWin = numberOrBad(value, MAX_U32);
            if (record.tcpWin === undefined) bad = `bad tcpwin '${clip(value)}'`;
            break;
          case Column.IcmpType:
            record.icmpType = numberOrBad(value, MAX_ICMP);
            if (record.icmpType === undefined) bad = `bad icmptype '${clip(value)}'`;
            break;
          case Column.IcmpCode:
            record.icmpCode = numberOrBad(value, MAX_ICMP);
            if (record.icmpCode === undefined) bad = `bad icmpcode '${clip(value)}'`;
            break;
          case Column.Info:
            record.info = value;
            break;
          case Column.Path:
            record.path = value;
            break;
          case Column.Pid:
            record.pid = numberOrBad(value, MAX_U32);
            if (record.pid === undefined) bad = `bad pid '${clip(value)}'`;
            break;
          default:
            if (record.extra === undefined) record.extra = {};
            record.extra[header.fields[i]!] = value;
        }
      }
      if (bad === undefined && (record.date === '' || record.time === '')) {
        bad = 'the header declares no date/time field';
      }
      if (bad !== undefined) {
        this.errors.add(this.#error(line.offset, line.number, bad));
        continue;
      }

      if (record.date !== lastDate) {
        lastDate = record.date;
        lastDays = daysFromCivil(record.localTime.year, record.localTime.month, record.localTime.day);
      }
      const wall = civilToMicros(record.localTime, lastDays);
      if (header.timeFormat === 'utc') {
        record.timestamp = wall;
      } else {
        const offset = timeZone !== undefined ? timeZone(record.localTime) : utcOffsetMinutes;
        if (offset === undefined || !Number.isFinite(offset)) {
          record.timestamp = wall;
          record.timeIsLocal = true;
        } else {
          record.timestamp = wall - BigInt(Math.round(offset * 60)) * 1_000_000n;
        }
      }
      if (record.action === 'INFO-EVENTS-LOST') {
        // The lost-event count is written in `info` (plaso's sample) or `size` (other samples).
        const fromInfo = record.info === undefined ? -1 : parseUnsigned(record.info, MAX_U32);
        record.eventsLost = fromInfo >= 0 ? fromInfo : record.size;
      }
      this.recordCount += 1;
      yield record;
    }
  }

  #error(offset: number, lineNumber: number, reason: string): LineFormatError {
    return new LineFormatError(FORMAT, 'line', offset, lineNumber, reason);
  }
}

function numberOrBad(value: string, max: number): number | undefined {
  const parsed = parseUnsigned(value, max);
  return parsed < 0 ? undefined : parsed;
}

function parseProtocol(value: string): FirewallProtocol | undefined {
  const number = parseUnsigned(value, 255);
  if (number >= 0) return number;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
    if (!ok) return undefined;
  }
  return value.length <= 16 ? value : undefined;
}

/** Keeps error messages short and printable whatever the line held. */
function clip(value: string): string {
  const short = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  let printable = '';
  for (let i = 0; i < short.length; i++) {
    const c = short.charCodeAt(i);
    printable += c < 32 || c === 127 ? `\\x${c.toString(16).padStart(2, '0')}` : short[i];
  }
  return printable;
}
