import { stringify } from 'csv-stringify/sync';

/**
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
 * return may be run as a formula by Excel/LibreOffice. Prefixing a single quote makes it text
 * (OWASP "CSV Injection"). Evidence strings are attacker-controlled, so every cell is checked.
 */
export function neutralizeCell(value: string): string {
  const first = value.charCodeAt(0);
  // = + - @ \t \r
  if (
    first === 0x3d ||
    first === 0x2b ||
    first === 0x2d ||
    first === 0x40 ||
    first === 0x09 ||
    first === 0x0d
  ) {
    return `'${value}`;
  }
  return value;
}

/** One CSV line (RFC 4180 quoting by csv-stringify), every cell neutralized. */
export function csvLine(cells: readonly string[]): string {
  return stringify([cells.map(neutralizeCell)], { eof: true, record_delimiter: '\n' });
}
