/**
 * Velociraptor `Windows.Network.Netstat` results (artifacts/definitions/Windows/Network/
 * Netstat.yaml): columns Pid, Name, Family, Type, Status, LaddrIP, LaddrPort, RaddrIP,
 * RaddrPort, Timestamp. Older releases exported `Laddr.IP`/`Laddr.Port` (flattened) or nested
 * `Laddr: {IP, Port}`; all three spellings are read. Exports come as JSON lines, a JSON array
 * (one line or pretty-printed) or CSV with a header row.
 */
import { familyOf, type NetstatRecord } from './record.js';

/** Upper bound of one JSON object's text: a netstat row is a few hundred bytes. */
export const MAX_OBJECT_CHARS = 64 * 1024;

type Row = Record<string, unknown>;

function pick(row: Row, ...names: string[]): unknown {
  for (const name of names) {
    if (name in row) return row[name];
    const dot = name.indexOf('.');
    if (dot > 0) {
      const outer = row[name.slice(0, dot)];
      if (outer !== null && typeof outer === 'object') {
        const inner = (outer as Row)[name.slice(dot + 1)];
        if (inner !== undefined) return inner;
      }
    }
  }
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length === 0 ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function asCount(value: unknown, max: number): number | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < 0 || number > max) return null;
  return number;
}

/** Maps one result row to a record, or says why it cannot. */
export function rowToRecord(
  row: Row,
  source: NetstatRecord['source'],
  lineNumber: number,
  offset: number,
): NetstatRecord | string {
  const type = asText(pick(row, 'Type'))?.toUpperCase();
  if (type !== 'TCP' && type !== 'UDP') return `Type '${String(pick(row, 'Type'))}' is not TCP or UDP`;
  const localAddress = asText(pick(row, 'LaddrIP', 'Laddr.IP'));
  if (localAddress === undefined) return 'no LaddrIP';
  const localPort = asCount(pick(row, 'LaddrPort', 'Laddr.Port'), 0xffff);
  const remotePort = asCount(pick(row, 'RaddrPort', 'Raddr.Port'), 0xffff);
  const pid = asCount(pick(row, 'Pid'), 0xffff_ffff);
  if (localPort === null || remotePort === null) return 'port is not a number 0-65535';
  if (pid === null) return 'Pid is not a number';
  const remoteAddress = asText(pick(row, 'RaddrIP', 'Raddr.IP'));
  const state = asText(pick(row, 'Status'));
  const family = asText(pick(row, 'Family'))?.toLowerCase();
  let timestamp: bigint | undefined;
  const time = asText(pick(row, 'Timestamp'));
  if (time !== undefined) {
    const millis = Date.parse(time);
    if (Number.isFinite(millis)) timestamp = BigInt(millis) * 1000n;
  }
  const upperState = state?.toUpperCase();
  const remoteUnset =
    remoteAddress === undefined ||
    remoteAddress === '0.0.0.0' ||
    remoteAddress === '::' ||
    remoteAddress === '*';
  const listener =
    upperState === 'LISTEN' || upperState === 'LISTENING' || (type === 'UDP' && remoteUnset && !remotePort);
  return {
    lineNumber,
    offset,
    source,
    protocol: type,
    family: family === 'ipv4' ? 'ipv4' : family === 'ipv6' ? 'ipv6' : familyOf(localAddress),
    localAddress,
    localPort,
    remoteAddress,
    remotePort,
    state,
    pid,
    processName: asText(pick(row, 'Name')),
    components: undefined,
    kind: listener ? 'listener' : 'connection',
    timestamp,
  };
}

/**
 * Splits a stream of JSON text into top-level objects, whether they are JSON lines or the
 * elements of an array, one line or many. Feeds text line by line; returns objects as they close.
 */
export class JsonObjectSplitter {
  #depth = 0;
  #inString = false;
  #escape = false;
  #pieces: string[] = [];
  #chars = 0;
  #tooLong = false;
  /** Line/offset where the object being read began. */
  startLine = 0;
  startOffset = 0;

  /**
   * Returns complete object texts (or an error string for a damaged stretch) found in `text`.
   */
  push(
    text: string,
    lineNumber: number,
    offset: number,
  ): { text?: string; error?: string; line: number; offset: number }[] {
    const out: { text?: string; error?: string; line: number; offset: number }[] = [];
    let objectStart = this.#depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.#depth === 0) {
        if (c === 123 /* { */) {
          this.#depth = 1;
          objectStart = i;
          this.startLine = lineNumber;
          this.startOffset = offset;
          this.#pieces = [];
          this.#chars = 0;
          this.#tooLong = false;
        } else if (!(c === 91 || c === 93 || c === 44 || c === 32 || c === 9 || c === 13)) {
          out.push({
            error: `unexpected text '${text.slice(i, i + 20)}' between JSON objects`,
            line: lineNumber,
            offset,
          });
          return out; // rest of this line is unusable
        }
        continue;
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === 92) this.#escape = true;
        else if (c === 34) this.#inString = false;
        continue;
      }
      if (c === 34) this.#inString = true;
      else if (c === 123 || c === 91) this.#depth += 1;
      else if (c === 125 || c === 93) {
        this.#depth -= 1;
        if (this.#depth === 0) {
          this.#append(text.slice(objectStart, i + 1));
          if (this.#tooLong) {
            out.push({
              error: `JSON object longer than ${MAX_OBJECT_CHARS} characters`,
              line: this.startLine,
              offset: this.startOffset,
            });
          } else {
            out.push({ text: this.#pieces.join(''), line: this.startLine, offset: this.startOffset });
          }
          this.#pieces = [];
          objectStart = -1;
        }
      }
    }
    if (this.#depth > 0 && objectStart >= 0) this.#append(`${text.slice(objectStart)}\n`);
    return out;
  }

  /** Text left open at the end of the stream. */
  finish(): { error: string; line: number; offset: number } | undefined {
    if (this.#depth === 0) return undefined;
    return {
      error: 'JSON object not closed at the end of the input',
      line: this.startLine,
      offset: this.startOffset,
    };
  }

  #append(piece: string): void {
    if (this.#tooLong) return;
    this.#chars += piece.length;
    if (this.#chars > MAX_OBJECT_CHARS) {
      this.#tooLong = true;
      this.#pieces = [];
      return;
    }
    this.#pieces.push(piece);
  }
}

/** Splits one CSV line (RFC 4180 quoting; a quoted field may not span lines here). */
export function splitCsvLine(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text.charCodeAt(i) === 34) {
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return undefined;
        value += text.slice(i, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i < text.length && text.charCodeAt(i) !== 44) return undefined;
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      fields.push(text.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}
