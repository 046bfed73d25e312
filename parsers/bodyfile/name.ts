/**
 * The name column of a bodyfile. fls (TSK 3/4, `tsk_fs_name_print_mac_md5`) writes
 * `path[:stream][ ($FILE_NAME)][ -> link target][ (deleted[-realloc])]`, replacing control
 * characters with `^`. Other writers (plaso/dfImageTools) escape `\\`, `\|` and control
 * characters as `\xHH`; those escapes are decoded, any other backslash is kept as written.
 */

const DELETED = ' (deleted)';
const DELETED_REALLOC = ' (deleted-realloc)';
const FILE_NAME = ' ($FILE_NAME)';
const LINK_ARROW = ' -> ';

export interface NameParts {
  /** Full name (suffixes included), escapes decoded. */
  name: string;
  /** Path without the `:stream`, `($FILE_NAME)`, `-> target` and `(deleted)` parts. */
  path: string;
  deleted: boolean;
  /** `(deleted-realloc)`: the name is unallocated but its metadata entry was reused. */
  reallocated: boolean;
  isFileName: boolean;
  linkTarget: string | undefined;
  stream: string | undefined;
}

/**
 * Splits a raw name field. `isLink` (mode type `l`) allows the ` -> ` split;
 * `hasAttribute` (NTFS `entry-type-id` inode) allows the `:stream` split.
 */
export function splitName(raw: string, isLink: boolean, hasAttribute: boolean): NameParts {
  let rest = raw;
  let deleted = false;
  let reallocated = false;
  if (rest.endsWith(DELETED)) {
    deleted = true;
    rest = rest.slice(0, -DELETED.length);
  } else if (rest.endsWith(DELETED_REALLOC)) {
    deleted = true;
    reallocated = true;
    rest = rest.slice(0, -DELETED_REALLOC.length);
  }
  let linkTarget: string | undefined;
  if (isLink) {
    const arrow = rest.indexOf(LINK_ARROW);
    if (arrow >= 0) {
      linkTarget = unescapeName(rest.slice(arrow + LINK_ARROW.length));
      rest = rest.slice(0, arrow);
    }
  }
  let isFileName = false;
  if (rest.endsWith(FILE_NAME)) {
    isFileName = true;
    rest = rest.slice(0, -FILE_NAME.length);
  }
  let stream: string | undefined;
  if (hasAttribute) {
    // Only the last path component can carry a stream ("D:/x" has a drive colon).
    const slash = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\'));
    const colon = rest.indexOf(':', slash + 1);
    if (colon > slash + 1) {
      stream = unescapeName(rest.slice(colon + 1));
      rest = rest.slice(0, colon);
    }
  }
  return {
    name: unescapeName(raw),
    path: unescapeName(rest),
    deleted,
    reallocated,
    isFileName,
    linkTarget,
    stream,
  };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Decodes `\\`, `\|` and `\xHH`; fast path when there is no backslash. */
export function unescapeName(text: string): string {
  let backslash = text.indexOf('\\');
  if (backslash < 0) return text;
  let out = '';
  let from = 0;
  while (backslash >= 0 && backslash < text.length - 1) {
    const next = text.charCodeAt(backslash + 1);
    let decoded: string | undefined;
    let width = 2;
    if (next === 92 || next === 124) {
      decoded = text[backslash + 1];
    } else if (next === 120 && backslash + 3 < text.length) {
      const high = hexValue(text.charCodeAt(backslash + 2));
      const low = hexValue(text.charCodeAt(backslash + 3));
      if (high >= 0 && low >= 0) {
        decoded = String.fromCharCode(high * 16 + low);
        width = 4;
      }
    }
    if (decoded !== undefined) {
      out += text.slice(from, backslash) + decoded;
      from = backslash + width;
      backslash = text.indexOf('\\', from);
    } else {
      backslash = text.indexOf('\\', backslash + 1);
    }
  }
  return out + text.slice(from);
}

/** First control character (C0 or DEL) in the text, or -1. fls never writes one. */
export function findControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 127) return c;
  }
  return -1;
}
