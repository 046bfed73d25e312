/**
 * The `#` directive lines of a Windows Firewall / ICF log (W3C extended log file format,
 * https://www.w3.org/TR/WD-logfile.html): `#Version`, `#Software`, `#Time Format` and
 * `#Fields`. The `#Fields` list decides the column mapping; a log restarted by the service
 * writes the block again, possibly with another field list.
 */

/** XP SP2 / Server 2003 SP1 Windows Firewall field list (v1.5), the default when a file has none. */
export const XP_SP2_FIELDS: readonly string[] = [
  'date',
  'time',
  'action',
  'protocol',
  'src-ip',
  'dst-ip',
  'src-port',
  'dst-port',
  'size',
  'tcpflags',
  'tcpsyn',
  'tcpack',
  'tcpwin',
  'icmptype',
  'icmpcode',
  'info',
  'path',
];

export type TimeFormat = 'local' | 'utc' | 'unknown';

export interface FirewallLogHeader {
  /** Line of the first directive of this header block. */
  lineNumber: number;
  version: string | undefined;
  software: string | undefined;
  timeFormat: TimeFormat;
  /** Field names in column order (lower-cased as in the file). */
  fields: string[];
  /** True when no `#Fields` line was seen and the XP SP2 list is assumed. */
  fieldsAssumed: boolean;
}

export function defaultHeader(): FirewallLogHeader {
  return {
    lineNumber: 0,
    version: undefined,
    software: undefined,
    timeFormat: 'unknown',
    fields: [...XP_SP2_FIELDS],
    fieldsAssumed: true,
  };
}

export type DirectiveResult = 'version' | 'software' | 'time-format' | 'fields' | 'other';

/**
 * Applies one `#Name: value` line to `header`. Returns which directive it was; an empty
 * or unparsable `#Fields` leaves the field list unchanged and returns 'other'.
 */
export function applyDirective(text: string, header: FirewallLogHeader): DirectiveResult {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text.slice(1) : text.slice(1, colon)).trim().toLowerCase();
  const value = colon < 0 ? '' : text.slice(colon + 1).trim();
  switch (name) {
    case 'version':
      header.version = value;
      return 'version';
    case 'software':
      header.software = value;
      return 'software';
    case 'time format': {
      const lower = value.toLowerCase();
      header.timeFormat = lower === 'local' ? 'local' : lower === 'utc' ? 'utc' : 'unknown';
      return 'time-format';
    }
    case 'fields': {
      const fields = value.split(/[ \t]+/).filter((field) => field.length > 0);
      if (fields.length === 0) return 'other';
      header.fields = fields.map((field) => field.toLowerCase());
      header.fieldsAssumed = false;
      return 'fields';
    }
    default:
      return 'other';
  }
}
