/** IPv4/IPv6 parsing and CIDR tests for the `cidr` operator. Addresses become bigints (v4 in 32 bits). */

export interface Cidr {
  version: 4 | 6;
  network: bigint;
  mask: bigint;
}

const v4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): bigint | undefined {
  const m = v4Pattern.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** RFC 4291 text forms, including `::` compression, an embedded dotted quad and a `%zone` suffix. */
export function parseIpv6(input: string): bigint | undefined {
  let text = input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(Number.parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parse `a.b.c.d[/n]` or `v6[/n]`; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseIpv4(addr);
  const version = v4 !== undefined ? 4 : 6;
  const value = v4 ?? parseIpv6(addr);
  if (value === undefined) return undefined;
  const bits = version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  const all = (1n << BigInt(bits)) - 1n;
  const mask = prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  return { version, network: value & mask, mask };
}

const mappedPrefix = 0xffffn << 32n;

/** True when `address` lies in `cidr`; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) also tests as IPv4. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4 !== undefined) return cidr.version === 4 && (v4 & cidr.mask) === cidr.network;
  const v6 = parseIpv6(address);
  if (v6 === undefined) return false;
  if (cidr.version === 6) return (v6 & cidr.mask) === cidr.network;
  if (v6 >> 32n === mappedPrefix >> 32n) return (v6 & 0xffffffffn & cidr.mask) === cidr.network;
  return false;
}
