/**
 * Streaming parser of Windows Firewall / Internet Connection Firewall logs (`pfirewall.log`).
 * Header-driven: every `#Fields` line (a log restart writes the header block again) resets the
 * column mapping. A damaged line becomes a `LineFormatError` in `errors` and parsing continues.
 *
 * Speed: lines come from `LineSplitter` (one decode per block); each field is parsed in
 * place from the line (numbers are never sliced out, common words are interned), so the
 * only allocations per line are the record, its civil-time object and the address strings.
 */
import { clip, LineErrorLog, LineFormatError } from '../io/line-errors.js';
import { splitLineBatches } from '../io/line-splitter.js';
import { civilToMicros, daysFromCivil, parseDate, parseTime } from './civil-time.js';
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
const SPACE = 32;
const TAB = 9;
const DASH = 45;

const ACTIONS = ['DROP', 'OPEN', 'CLOSE', 'ALLOW', 'OPEN-INBOUND', 'INFO-EVENTS-LOST'];
const PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ICMPv6'];
const PATHS = ['RECEIVE', 'SEND', 'FORWARD', 'UNKNOWN'];
const FLAGS = ['S', 'A', 'AP', 'FA', 'R', 'RA', 'AS', 'FPA'];

export interface FirewallLogOptions {
  /**
   * Offset of the host's local time from UTC in minutes (east positive, e.g. +540 for JST),
   * used when the header says `#Time Format: Local`.
   */
  utcOffsetMinutes?: number;
  /**
   * Like `utcOffsetMinutes` but per local wall time (for daylight saving): given the wall time as
   * microseconds (read as if UTC), minutes east of UTC.
   */
  timeZone?: (localMicros: bigint) => number;
  /** How many errors to keep (all are counted). */
  maxErrors?: number;
}

/** Parses a firewall log from a byte stream; iterate `records()` or `batches()` once. */
export function parseFirewallLog(
  source: AsyncIterable<Uint8Array>,
  options: FirewallLogOptions = {},
): FirewallLogParser {
  return new FirewallLogParser(source, options);
}

/** Returns the table entry equal to text[start, end) (no allocation), else a slice. */
function intern(text: string, start: number, end: number, table: readonly string[]): string {
  const length = end - start;
  for (const candidate of table) {
    if (candidate.length === length && text.startsWith(candidate, start)) return candidate;
  }
  return text.slice(start, end);
}

/** Unsigned decimal in text[start, end) up to `max`; -1 otherwise. */
function unsignedAt(text: string, start: number, end: number, max: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value > max ? -1 : value;
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
  #header: FirewallLogHeader = defaultHeader();
  #columns: Column[] = columnsFor(this.#header.fields);
  #inHeaderBlock = false;
  #warnedNoFields = false;
  #lastDate = '';
  #lastDays = 0;
  #lastYear = 0;
  #lastMonth = 0;
  #lastDay = 0;

  constructor(source: AsyncIterable<Uint8Array>, options: FirewallLogOptions) {
    this.#source = source;
    this.#options = options;
    this.errors = new LineErrorLog(options.maxErrors ?? 1000);
    this.warnings = new LineErrorLog(options.maxErrors ?? 1000);
  }

  /** Records one by one. */
  async *records(): AsyncGenerator<FirewallLogRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Records in arrays, one per block read (the fast path: one await per block, not per line). */
  async *batches(): AsyncGenerator<FirewallLogRecord[]> {
    if (this.#started) throw new Error('FirewallLogParser can be iterated only once');
    this.#started = true;
    yield* splitLineBatches<FirewallLogRecord>(
      this.#source,
      { maxLineBytes: MAX_LINE_BYTES, encoding: 'latin1' },
      (text, number, offset, truncated, out) => {
        this.lineCount = number;
        const record = this.#line(text, number, offset, truncated);
        if (record !== undefined) {
          this.recordCount += 1;
          out.push(record);
        }
      },
    );
  }

  #line(text: string, number: number, offset: number, truncated: boolean): FirewallLogRecord | undefined {
    if (text.length === 0) return undefined;
    if (text.charCodeAt(0) === 35 /* # */) {
      this.#directive(text, number, offset);
      return undefined;
    }
    this.#inHeaderBlock = false;
    if (truncated) {
      this.#error(offset, number, `line longer than ${MAX_LINE_BYTES} bytes`);
      return undefined;
    }
    const header = this.#header;
    if (header.fieldsAssumed && !this.#warnedNoFields) {
      this.#warnedNoFields = true;
      this.warnings.add(
        new LineFormatError(
          FORMAT,
          'line',
          offset,
          number,
          'data before any #Fields header: XP SP2 field list assumed',
        ),
      );
    }
    const columns = this.#columns;
    const fieldCount = columns.length;
    const length = text.length;

    const record: FirewallLogRecord = {
      lineNumber: number,
      offset,
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
    let count = 0;
    let i = 0;
    while (bad === undefined) {
      while (i < length) {
        const c = text.charCodeAt(i);
        if (c !== SPACE && c !== TAB) break;
        i++;
      }
      if (i >= length) break;
      const start = i;
      while (i < length) {
        const c = text.charCodeAt(i);
        if (c === SPACE || c === TAB) break;
        i++;
      }
      const end = i;
      if (count >= fieldCount) {
        // Count the rest for the message, then stop.
        let extra = 1;
        let inToken = false;
        for (let k = end; k < length; k++) {
          const c = text.charCodeAt(k);
          const space = c === SPACE || c === TAB;
          if (!space && !inToken) extra++;
          inToken = !space;
        }
        bad = `${fieldCount + extra} fields, the header declares ${fieldCount}`;
        break;
      }
      const column = columns[count]!;
      count++;
      const dash = end - start === 1 && text.charCodeAt(start) === DASH;
      if (dash && column !== Column.Date && column !== Column.Time && column !== Column.Action) continue;
      bad = this.#field(record, column, text, start, end, count - 1);
    }
    if (count === 0 && bad === undefined) return undefined; // whitespace only
    if (bad === undefined && count < fieldCount) bad = `truncated line: ${count} of ${fieldCount} fields`;
    if (bad === undefined && (record.date === '' || record.time === '')) {
      bad = 'the header declares no date/time field';
    }
    if (bad !== undefined) {
      this.#error(offset, number, bad);
      return undefined;
    }

    const wall = civilToMicros(record.localTime, this.#lastDays);
    if (header.timeFormat === 'utc') {
      record.timestamp = wall;
    } else {
      const { utcOffsetMinutes, timeZone } = this.#options;
      const zone = timeZone !== undefined ? timeZone(wall) : utcOffsetMinutes;
      if (zone === undefined || !Number.isFinite(zone)) {
        record.timestamp = wall;
        record.timeIsLocal = true;
      } else {
        record.timestamp = wall - BigInt(Math.round(zone * 60)) * 1_000_000n;
      }
    }
    if (record.action === 'INFO-EVENTS-LOST') {
      // The lost-event count is written in `info` (both real samples) or `size` (other write-ups).
      const fromInfo = record.info === undefined ? -1 : parseUnsigned(record.info, MAX_U32);
      record.eventsLost = fromInfo >= 0 ? fromInfo : record.size;
    }
    return record;
  }

  /** Stores one field; returns why the line is bad, or undefined. */
  #field(
    record: FirewallLogRecord,
    column: Column,
    text: string,
    start: number,
    end: number,
    index: number,
  ): string | undefined {
    switch (column) {
      case Column.Date: {
        const last = this.#lastDate;
        if (last.length === end - start && text.startsWith(last, start)) {
          record.date = last;
          record.localTime.year = this.#lastYear;
          record.localTime.month = this.#lastMonth;
          record.localTime.day = this.#lastDay;
          return undefined;
        }
        const value = text.slice(start, end);
        record.date = value;
        if (!parseDate(value, record.localTime)) return `bad date '${clip(value)}'`;
        this.#lastDate = value;
        this.#lastYear = record.localTime.year;
        this.#lastMonth = record.localTime.month;
        this.#lastDay = record.localTime.day;
        this.#lastDays = daysFromCivil(this.#lastYear, this.#lastMonth, this.#lastDay);
        return undefined;
      }
      case Column.Time: {
        const value = text.slice(start, end);
        record.time = value;
        return parseTime(value, record.localTime) ? undefined : `bad time '${clip(value)}'`;
      }
      case Column.Action: {
        const value = intern(text, start, end, ACTIONS);
        record.action = value;
        return isActionText(value) ? undefined : `bad action '${clip(value)}'`;
      }
      case Column.Protocol: {
        const number = unsignedAt(text, start, end, 255);
        const value = number >= 0 ? number : parseProtocol(intern(text, start, end, PROTOCOLS));
        record.protocol = value;
        return value === undefined ? `bad protocol '${clip(text.slice(start, end))}'` : undefined;
      }
      case Column.SrcIp:
      case Column.DstIp: {
        const value = text.slice(start, end);
        if (!isIpText(value)) return `bad ${column === Column.SrcIp ? 'src' : 'dst'}-ip '${clip(value)}'`;
        if (column === Column.SrcIp) record.srcIp = value;
        else record.dstIp = value;
        return undefined;
      }
      case Column.TcpFlags:
        record.tcpFlags = intern(text, start, end, FLAGS);
        return undefined;
      case Column.Info:
        record.info = text.slice(start, end);
        return undefined;
      case Column.Path:
        record.path = intern(text, start, end, PATHS);
        return undefined;
      case Column.Extra: {
        if (record.extra === undefined) record.extra = {};
        record.extra[this.#header.fields[index]!] = text.slice(start, end);
        return undefined;
      }
      case Column.SrcPort:
        record.srcPort = unsignedAt(text, start, end, MAX_PORT);
        return record.srcPort < 0 ? badNumber('src-port', text, start, end) : undefined;
      case Column.DstPort:
        record.dstPort = unsignedAt(text, start, end, MAX_PORT);
        return record.dstPort < 0 ? badNumber('dst-port', text, start, end) : undefined;
      case Column.Size:
        record.size = unsignedAt(text, start, end, MAX_U32);
        return record.size < 0 ? badNumber('size', text, start, end) : undefined;
      case Column.TcpSyn:
        record.tcpSyn = unsignedAt(text, start, end, MAX_U32);
        return record.tcpSyn < 0 ? badNumber('tcpsyn', text, start, end) : undefined;
      case Column.TcpAck:
        record.tcpAck = unsignedAt(text, start, end, MAX_U32);
        return record.tcpAck < 0 ? badNumber('tcpack', text, start, end) : undefined;
      case Column.TcpWin:
        record.tcpWin = unsignedAt(text, start, end, MAX_U32);
        return record.tcpWin < 0 ? badNumber('tcpwin', text, start, end) : undefined;
      case Column.IcmpType:
        record.icmpType = unsignedAt(text, start, end, MAX_ICMP);
        return record.icmpType < 0 ? badNumber('icmptype', text, start, end) : undefined;
      case Column.IcmpCode:
        record.icmpCode = unsignedAt(text, start, end, MAX_ICMP);
        return record.icmpCode < 0 ? badNumber('icmpcode', text, start, end) : undefined;
      case Column.Pid:
        record.pid = unsignedAt(text, start, end, MAX_U32);
        return record.pid < 0 ? badNumber('pid', text, start, end) : undefined;
    }
  }

  #directive(text: string, number: number, offset: number): void {
    if (!this.#inHeaderBlock) {
      // A new block starts from the previous one (a block repeating only #Version keeps its columns).
      this.#header = { ...this.#header, lineNumber: number, fields: [...this.#header.fields] };
      this.headerCount += 1;
      if (this.headers.length < MAX_HEADERS_KEPT) this.headers.push(this.#header);
      this.#inHeaderBlock = true;
    }
    if (applyDirective(text, this.#header) === 'fields') {
      if (this.#header.fields.length > MAX_FIELDS) {
        this.#error(offset, number, `#Fields lists ${this.#header.fields.length} fields`);
        this.#header.fields = this.#header.fields.slice(0, MAX_FIELDS);
      }
      this.#columns = columnsFor(this.#header.fields);
    }
  }

  #error(offset: number, lineNumber: number, reason: string): void {
    this.errors.add(new LineFormatError(FORMAT, 'line', offset, lineNumber, reason));
  }
}

function badNumber(name: string, text: string, start: number, end: number): string {
  return `bad ${name} '${clip(text.slice(start, end))}'`;
}

function parseProtocol(value: string): FirewallProtocol | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
    if (!ok) return undefined;
  }
  return value.length > 0 && value.length <= 16 ? value : undefined;
}
