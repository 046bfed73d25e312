/** The record every netstat source (text output, Velociraptor) produces. */

export type NetstatKind = 'listener' | 'connection';

export interface NetstatRecord {
  lineNumber: number;
  /** Byte offset of the line (of the object's first line for JSON). */
  offset: number;
  source: 'netstat' | 'velociraptor-json' | 'velociraptor-csv';
  /** `TCP` or `UDP`. */
  protocol: 'TCP' | 'UDP';
  family: 'ipv4' | 'ipv6' | undefined;
  localAddress: string;
  localPort: number | undefined;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** State as written (`LISTENING`, `SYN_SENT`, localized names, Velociraptor `LISTEN`). */
  state: string | undefined;
  pid: number | undefined;
  processName: string | undefined;
  /** `netstat -b` component lines (modules / service names) before the `[process]` line. */
  components: string[] | undefined;
  kind: NetstatKind;
  /** Velociraptor: when the socket was bound (UTC micros). */
  timestamp: bigint | undefined;
}

export function familyOf(address: string | undefined): 'ipv4' | 'ipv6' | undefined {
  if (address === undefined || address === '*') return undefined;
  if (address.indexOf(':') >= 0) return 'ipv6';
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) dots += 1;
    else if (c < 48 || c > 57) return undefined; // a host name (no -n)
  }
  return dots === 3 ? 'ipv4' : undefined;
}
