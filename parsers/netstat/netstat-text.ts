/**
 * `netstat -an` / `-ano` / `-anob` text output of Windows 2000, XP, 2003 and later.
 * Data lines are recognised by shape, not by the (possibly localized) headers:
 *   TCP    <local>    <remote>    <state...>   [PID]
 *   UDP    <local>    *:*                      [PID]
 * `-b` adds, after a connection line, component lines (XP: module paths; Vista+: a service
 * name) and the owning process as `[name.exe]`; those attach to the preceding connection.
 */
import { clip } from '../io/line-errors.js';
import { type Endpoint, isWildcardAddress, parseEndpoint } from './endpoint.js';
import { familyOf, type NetstatRecord } from './record.js';

const MAX_COMPONENTS = 32;
const LISTENING_STATES = new Set(['LISTENING', 'LISTEN']);

export type TextLineResult =
  | { kind: 'record'; record: NetstatRecord }
  | { kind: 'attached' }
  | { kind: 'ignored' }
  | { kind: 'error'; reason: string };

function isAllDigits(text: string): boolean {
  if (text.length === 0 || text.length > 10) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c === 0xfffd) return true;
  }
  return false;
}

/** A title such as "Active Connections" / "Aktive Verbindungen": letters and spaces only. */
function isTitle(text: string): boolean {
  return /^[\p{L}][\p{L} .()-]*$/u.test(text.trim());
}

export class NetstatTextReader {
  /** The last connection line, which `-b` lines that follow attach to. */
  #last: NetstatRecord | undefined;

  /** Reads one line; a record it returns may still be amended by following `-b` lines. */
  read(text: string, lineNumber: number, offset: number): TextLineResult {
    const trimmed = text.trim();
    if (trimmed.length === 0) return { kind: 'ignored' };
    if (hasControl(text)) {
      this.#last = undefined;
      return { kind: 'error', reason: 'control characters or bytes that are not text' };
    }
    const tokens = trimmed.split(/\s+/);
    const head = tokens[0]!.toUpperCase();
    if (head === 'TCP' || head === 'UDP' || head === 'TCPV6' || head === 'UDPV6') {
      return this.#dataLine(tokens, head.startsWith('TCP') ? 'TCP' : 'UDP', lineNumber, offset);
    }
    if (head === 'PROTO') {
      this.#last = undefined;
      return { kind: 'ignored' };
    }
    const indented = text.charCodeAt(0) === 32 || text.charCodeAt(0) === 9;
    if (indented && this.#last !== undefined) {
      if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
        this.#last.processName = trimmed.slice(1, -1);
        return { kind: 'attached' };
      }
      const components = this.#last.components ?? [];
      if (components.length < MAX_COMPONENTS) components.push(trimmed);
      this.#last.components = components;
      return { kind: 'attached' };
    }
    if (!indented && isTitle(trimmed)) {
      this.#last = undefined;
      return { kind: 'ignored' };
    }
    this.#last = undefined;
    return { kind: 'error', reason: 'not a netstat line' };
  }

  #dataLine(tokens: string[], protocol: 'TCP' | 'UDP', lineNumber: number, offset: number): TextLineResult {
    this.#last = undefined;
    if (tokens.length < 3) return { kind: 'error', reason: `${protocol} line with ${tokens.length} columns` };
    const local = parseEndpoint(tokens[1]!);
    if (local === undefined) return { kind: 'error', reason: `bad local address '${clip(tokens[1]!)}'` };
    let remote: Endpoint | undefined;
    if (tokens[2] !== '*:*') {
      remote = parseEndpoint(tokens[2]!);
      if (remote === undefined) return { kind: 'error', reason: `bad foreign address '${clip(tokens[2]!)}'` };
    }
    const rest = tokens.slice(3);
    let pid: number | undefined;
    if (rest.length > 0 && isAllDigits(rest[rest.length - 1]!)) pid = Number(rest.pop());
    if (protocol === 'UDP' && rest.length > 0) {
      return { kind: 'error', reason: `UDP line with extra columns '${clip(rest.join(' '))}'` };
    }
    if (protocol === 'TCP' && rest.length === 0) return { kind: 'error', reason: 'TCP line without a state' };
    if (rest.length > 3) return { kind: 'error', reason: `too many columns (${tokens.length})` };
    const state = rest.length === 0 ? undefined : rest.join(' ');
    const remoteIsWildcard =
      remote === undefined ||
      (isWildcardAddress(remote.address) && (remote.port === 0 || remote.port === undefined));
    // LISTENING in English; any language shows a listener's foreign address as 0.0.0.0:0 / [::]:0.
    const listener =
      protocol === 'UDP'
        ? remoteIsWildcard
        : (state !== undefined && LISTENING_STATES.has(state)) || remoteIsWildcard;
    const record: NetstatRecord = {
      lineNumber,
      offset,
      source: 'netstat',
      protocol,
      family: familyOf(local.address),
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote?.address,
      remotePort: remote?.port,
      state,
      pid,
      processName: undefined,
      components: undefined,
      kind: listener ? 'listener' : 'connection',
      timestamp: undefined,
    };
    this.#last = record;
    return { kind: 'record', record };
  }
}
