/**
 * An endpoint column of `netstat` output: `0.0.0.0:135`, `[::]:135`, `[fe80::1%4]:49152`,
 * `*:*` (UDP has no remote), or without `-n` host and service names (`MYHOST:epmap`).
 */

export interface Endpoint {
  address: string;
  port: number | undefined;
  /** Service name when netstat printed one instead of a number (no `-n`). */
  service: string | undefined;
}

/**
 * Service names Windows netstat prints for the ports that matter here (from the
 * %SystemRoot%\system32\drivers\etc\services file shipped with Windows).
 */
const SERVICE_PORTS: ReadonlyMap<string, number> = new Map([
  ['epmap', 135],
  ['loc-srv', 135],
  ['netbios-ns', 137],
  ['netbios-dgm', 138],
  ['netbios-ssn', 139],
  ['microsoft-ds', 445],
  ['tftp', 69],
  ['http', 80],
  ['https', 443],
  ['isakmp', 500],
  ['ntp', 123],
  ['domain', 53],
  ['bootps', 67],
  ['bootpc', 68],
  ['snmp', 161],
  ['ldap', 389],
  ['kerberos', 88],
  ['ms-sql-s', 1433],
  ['ms-sql-m', 1434],
  ['ms-wbt-server', 3389],
  ['ssdp', 1900],
]);

function parsePort(text: string): number {
  if (text.length === 0 || text.length > 5) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value > 0xffff ? -1 : value;
}

function isServiceName(text: string): boolean {
  if (text.length === 0 || text.length > 32) return false;
  const first = text.charCodeAt(0);
  // Service names start with a letter; an out-of-range number is not one.
  if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90))) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 45 ||
      c === 95 ||
      c === 46;
    if (!ok) return false;
  }
  return true;
}

function isHostText(text: string): boolean {
  if (text.length === 0 || text.length > 255) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 91 || c === 93 || c === 44 || c === 34) return false;
  }
  return true;
}

/** Parses `host:port`; undefined when it is not an endpoint. */
export function parseEndpoint(text: string): Endpoint | undefined {
  let host: string;
  let portText: string;
  if (text.charCodeAt(0) === 91 /* [ */) {
    const close = text.indexOf(']');
    if (close < 0 || text.charCodeAt(close + 1) !== 58) return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (!isHostText(host)) return undefined;
  if (portText === '*') return { address: host, port: undefined, service: undefined };
  const port = parsePort(portText);
  if (port >= 0) return { address: host, port, service: undefined };
  if (!isServiceName(portText)) return undefined;
  return { address: host, port: SERVICE_PORTS.get(portText.toLowerCase()), service: portText };
}

/** `0.0.0.0`, `::`, `*`: the remote side of a listening or unconnected socket. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '*' || address === '[::]';
}
