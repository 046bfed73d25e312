import { FormatError } from '../io/format-error.js';

/** An extent line: `RW 4192256 SPARSE "disk-s001.vmdk"`, `RW 2048 FLAT "disk-flat.vmdk" 0`, `RW 100 ZERO`. */
export interface ExtentDescription {
  access: 'RW' | 'RDONLY' | 'NOACCESS';
  sectors: number;
  type: string;
  file?: string;
  /** FLAT extents: start of the data in the file, in sectors. */
  offset: number;
}

export interface Descriptor {
  version?: string;
  cid?: string;
  parentCid?: string;
  createType?: string;
  parentFileNameHint?: string;
  extents: ExtentDescription[];
  /** `ddb.*` disk database entries (adapter type, geometry, tools version, uuid). */
  ddb: Record<string, string>;
}

/** Most extents a descriptor may list (a 2 TB twoGbMaxExtent disk has ~1000). */
const MAX_EXTENTS = 65536;
const EXTENT_LINE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/;

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2
    ? trimmed.slice(1, -1)
    : trimmed;
}

/** Whether text looks like a VMDK descriptor (its first non-blank line is the comment header). */
export function looksLikeDescriptor(text: string): boolean {
  return /^\s*#\s*Disk DescriptorFile/i.test(text) || /^\s*createType\s*=/m.test(text.slice(0, 4096));
}

/** Parses descriptor text (VMware Virtual Disk Format 5.0, "The Descriptor File"). */
export function parseDescriptor(text: string, file: string): Descriptor {
  const descriptor: Descriptor = { extents: [], ddb: {} };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/\0.*$/s, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const extent = EXTENT_LINE.exec(line);
    if (extent) {
      if (descriptor.extents.length >= MAX_EXTENTS) {
        throw new FormatError('vmdk', 'descriptor', index, `more than ${MAX_EXTENTS} extents`, file);
      }
      const description: ExtentDescription = {
        access: extent[1] as ExtentDescription['access'],
        sectors: Number(extent[2]),
        type: extent[3]!,
        offset: extent[5] === undefined ? 0 : Number(extent[5]),
      };
      if (extent[4] !== undefined) description.file = extent[4];
      if (
        !Number.isSafeInteger(description.sectors * 512) ||
        !Number.isSafeInteger(description.offset * 512)
      ) {
        throw new FormatError(
          'vmdk',
          'descriptor',
          index,
          `extent line ${index + 1} has impossible sizes`,
          file,
        );
      }
      descriptor.extents.push(description);
      return;
    }
    const equals = line.indexOf('=');
    if (equals < 0) return;
    const key = line.slice(0, equals).trim();
    const value = unquote(line.slice(equals + 1));
    if (key.startsWith('ddb.')) descriptor.ddb[key.slice(4)] = value;
    else if (key === 'version') descriptor.version = value;
    else if (key === 'CID') descriptor.cid = value;
    else if (key === 'parentCID') descriptor.parentCid = value;
    else if (key === 'createType') descriptor.createType = value;
    else if (key === 'parentFileNameHint') descriptor.parentFileNameHint = value;
  });
  return descriptor;
}
