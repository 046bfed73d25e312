/**
 * One data line of a Windows Firewall log: space-separated values in the order of the
 * current `#Fields` list, `-` for "no value". Column names decide where each value goes,
 * so XP SP2 (17 fields), Vista+ (adds `pid`) and unknown layouts all map by name.
 */
import type { CivilTime } from './civil-time.js';

/** Protocol as written: TCP, UDP, ICMP (names kept as written) or an IP protocol number. */
export type FirewallProtocol = string | number;

export interface FirewallLogRecord {
  lineNumber: number;
  /** Byte offset of the line in the stream. */
  offset: number;
  /** `date` and `time` columns exactly as written. */
  date: string;
  time: string;
  /**
   * True when the header says local time and no time zone was supplied: `timestamp` is then
   * the local wall time read as if it were UTC and must not be compared with UTC times blindly.
   */
  timeIsLocal: boolean;
  /** Civil fields of the time as written (local or UTC, per the header). */
  localTime: CivilTime;
  /** UTC microseconds since 1970 (see `timeIsLocal`). */
  timestamp: bigint;
  action: string;
  protocol: FirewallProtocol | undefined;
  srcIp: string | undefined;
  dstIp: string | undefined;
  srcPort: number | undefined;
  dstPort: number | undefined;
  size: number | undefined;
  tcpFlags: string | undefined;
  tcpSyn: number | undefined;
  tcpAck: number | undefined;
  tcpWin: number | undefined;
  icmpType: number | undefined;
  icmpCode: number | undefined;
  info: string | undefined;
  /** SEND, RECEIVE, FORWARD (Vista+ also UNKNOWN). */
  path: string | undefined;
  pid: number | undefined;
  /** INFO-EVENTS-LOST only: the number of events not written (from `info`, else `size`). */
  eventsLost: number | undefined;
  /** Values of columns this parser does not know, by field name. */
  extra: Record<string, string> | undefined;
}

/** What each column means; one small integer per column so the line loop is a switch. */
export enum Column {
  Date,
  Time,
  Action,
  Protocol,
  SrcIp,
  DstIp,
  SrcPort,
  DstPort,
  Size,
  TcpFlags,
  TcpSyn,
  TcpAck,
  TcpWin,
  IcmpType,
  IcmpCode,
  Info,
  Path,
  Pid,
  Extra,
}

const COLUMN_BY_NAME: ReadonlyMap<string, Column> = new Map([
  ['date', Column.Date],
  ['time', Column.Time],
  ['action', Column.Action],
  ['protocol', Column.Protocol],
  ['src-ip', Column.SrcIp],
  ['dst-ip', Column.DstIp],
  ['src-port', Column.SrcPort],
  ['dst-port', Column.DstPort],
  ['size', Column.Size],
  ['tcpflags', Column.TcpFlags],
  ['tcpsyn', Column.TcpSyn],
  ['tcpack', Column.TcpAck],
  ['tcpwin', Column.TcpWin],
  ['icmptype', Column.IcmpType],
  ['icmpcode', Column.IcmpCode],
  ['info', Column.Info],
  ['path', Column.Path],
  ['pid', Column.Pid],
]);

export function columnsFor(fields: readonly string[]): Column[] {
  return fields.map((field) => COLUMN_BY_NAME.get(field) ?? Column.Extra);
}

export const MAX_U32 = 0xffff_ffff;

/** Unsigned decimal up to `max`; -1 for anything else (sign, letters, empty, overflow). */
export function parseUnsigned(text: string, max: number): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value > max ? -1 : value;
}

/**
 * Cheap shape check of an address column: dotted IPv4 with octets <= 255, or IPv6 text
 * (hex digits and colons, optional embedded IPv4 and `%zone`). Not a full validator: it
 * exists to tell addresses from garbage.
 */
export function isIpText(text: string): boolean {
  const length = text.length;
  if (length < 2 || length > 64) return false;
  if (text.indexOf(':') < 0) {
    let octets = 1;
    let value = 0;
    let digitsInOctet = 0;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === 46) {
        if (digitsInOctet === 0) return false;
        octets += 1;
        value = 0;
        digitsInOctet = 0;
      } else if (c >= 48 && c <= 57) {
        value = value * 10 + c - 48;
        digitsInOctet += 1;
        if (value > 255 || digitsInOctet > 3) return false;
      } else {
        return false;
      }
    }
    return octets === 4 && digitsInOctet > 0;
  }
  const zone = text.indexOf('%');
  const end = zone < 0 ? length : zone;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) || // 0-9 and ':'
      (c >= 65 && c <= 70) ||
      (c >= 97 && c <= 102) ||
      c === 46;
    if (!ok) return false;
  }
  return true;
}

/** Action: upper-case letters and dashes (OPEN, OPEN-INBOUND, CLOSE, DROP, ALLOW, INFO-EVENTS-LOST). */
export function isActionText(text: string): boolean {
  if (text.length === 0 || text.length > 32) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 45)) return false;
  }
  return true;
}
