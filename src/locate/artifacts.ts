import type { EvidenceEntry, EvidenceSource } from '../evidence/vfs.js';
import { detectLayout, type Layout, toVolumePath } from './layout.js';

/** Every artifact family the tool knows where to find. */
export type ArtifactType =
  | 'registry-hive'
  | 'evt'
  | 'evtx'
  | 'firewall-log'
  | 'bodyfile'
  | 'netstat'
  | 'velociraptor-netstat'
  | 'collected-file'
  | 'file-system';

export interface LocatedArtifact {
  type: ArtifactType;
  /** Path inside the evidence source. */
  sourcePath: string;
  /** Path on the Windows volume when the artifact lives inside one. */
  windowsPath?: string;
  size: number;
  modified?: bigint;
  /** Hive role: SYSTEM, SOFTWARE, NTUSER, SAM, SECURITY. */
  role?: string;
  /** User profile name for NTUSER.DAT. */
  user?: string;
  /** `sav` for setup copies (system.sav), the live hive otherwise. */
  copy?: string;
  /** Transaction logs beside a hive (`.LOG`, `.LOG1`, `.LOG2`), by source path. */
  logs?: string[];
  /** `file-system` artifacts: the volume's file system (`ntfs`, `fat`). */
  fileSystem?: string;
}

export interface Location {
  layout: Layout;
  artifacts: LocatedArtifact[];
}

const HIVE_ROLES: Record<string, string> = {
  system: 'SYSTEM',
  software: 'SOFTWARE',
  sam: 'SAM',
  security: 'SECURITY',
  'system.sav': 'SYSTEM',
  'software.sav': 'SOFTWARE',
};
const HIVE_LOG_SUFFIXES = ['.log', '.log1', '.log2'];
const FIREWALL_NAMES = new Set(['pfirewall.log', 'pfirewall.log.old']);
const NETSTAT_NAME = /netstat/i;
const TEXT_SNIFF_BYTES = 4096;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index === -1 ? '' : path.slice(0, index);
}

async function head(source: EvidenceSource, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = await source.openStream(path);
  try {
    for await (const chunk of stream) {
      chunks.push(Buffer.from(chunk));
      size += chunk.length;
      if (size >= TEXT_SNIFF_BYTES) break;
    }
  } catch {
    return '';
  } finally {
    (stream as { destroy?: () => void }).destroy?.();
  }
  const bytes = Buffer.concat(chunks).subarray(0, TEXT_SNIFF_BYTES);
  // UTF-16LE text (netstat redirected by PowerShell) is read as such.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  return bytes.toString('latin1');
}

/** A TSK bodyfile line: 11 `|`-separated fields, numeric times at the end. */
export function looksLikeBodyfile(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  if (lines.length === 0) return false;
  const candidates = lines.slice(0, 5);
  return (
    candidates.filter((line) =>
      /^[^|]*\|.*\|[^|]*\|[^|]*\|\d*\|\d*\|\d+\|-?\d+(\.\d+)?\|-?\d+(\.\d+)?\|-?\d+(\.\d+)?\|-?\d+(\.\d+)?$/.test(
        line,
      ),
    ).length >= Math.ceil(candidates.length / 2)
  );
}

export function looksLikeNetstat(text: string): boolean {
  return (
    /Active Connections|Proto\s+Local Address\s+Foreign Address/i.test(text) ||
    /^\s*(TCP|UDP)\s+\S+:\d+\s+\S+/m.test(text)
  );
}

/**
 * Finds the artifacts that matter from the source's root: registry hives with their logs and
 * `.sav` copies, event logs, firewall logs, file listings and captured network state. Binary
 * formats are found by place and name; text artifacts outside the volume by name and content.
 *
 * A disk image's own file systems are artifacts too (`file-system`, one per volume: the whole
 * listing becomes file records); its files are not also listed one by one as collected files,
 * deleted entries are never opened, and its files are not sniffed for captured text output
 * (that sits beside a collection, not on the host's disk).
 */
export async function locateArtifacts(source: EvidenceSource): Promise<Location> {
  const isImage = source.kind === 'image';
  const entries = isImage ? source.entries().filter((entry) => entry.deleted !== true) : source.entries();
  const detected = detectLayout(entries);
  const layout: Layout = isImage && detected.volumes.length > 0 ? { ...detected, name: 'image' } : detected;
  const artifacts: LocatedArtifact[] = [];
  const byPath = new Map(entries.map((entry) => [entry.path.toLowerCase(), entry]));
  for (const volume of source.fileSystems?.() ?? []) {
    artifacts.push({
      type: 'file-system',
      sourcePath: volume.name,
      size: volume.size,
      fileSystem: volume.fileSystem,
    });
  }

  const add = (entry: EvidenceEntry, type: ArtifactType, extra: Partial<LocatedArtifact> = {}): void => {
    const mapped = toVolumePath(layout, entry.path);
    artifacts.push({
      type,
      sourcePath: entry.path,
      ...(mapped === undefined ? {} : { windowsPath: mapped.path }),
      size: entry.size,
      ...(entry.modified === undefined ? {} : { modified: entry.modified }),
      ...extra,
    });
  };

  for (const entry of entries) {
    if (entry.isDirectory) continue;
    const lower = entry.path.toLowerCase();
    const name = baseName(lower);
    const parent = parentOf(lower);
    const mapped = toVolumePath(layout, entry.path);
    const windowsLower = mapped?.path.toLowerCase();

    if (parent.endsWith('system32/config') && HIVE_ROLES[name] !== undefined) {
      const logs = HIVE_LOG_SUFFIXES.map((suffix) => byPath.get(`${lower}${suffix}`)?.path).filter(
        (path): path is string => path !== undefined,
      );
      add(entry, 'registry-hive', {
        role: HIVE_ROLES[name]!,
        ...(name.endsWith('.sav') ? { copy: 'sav' } : {}),
        ...(logs.length > 0 ? { logs } : {}),
      });
      continue;
    }
    if (name === 'ntuser.dat') {
      // The profile folder as stored (`Administrator`), not the lower-cased lookup key.
      const profile = baseName(parentOf(entry.path));
      const logs = HIVE_LOG_SUFFIXES.map((suffix) => byPath.get(`${lower}${suffix}`)?.path).filter(
        (path): path is string => path !== undefined,
      );
      add(entry, 'registry-hive', { role: 'NTUSER', user: profile, ...(logs.length > 0 ? { logs } : {}) });
      continue;
    }
    if (name.endsWith('.evt') && (parent.endsWith('system32/config') || mapped === undefined)) {
      add(entry, 'evt');
      continue;
    }
    if (name.endsWith('.evtx')) {
      add(entry, 'evtx');
      continue;
    }
    if (
      FIREWALL_NAMES.has(name) &&
      (windowsLower === undefined || /^\\(windows|winnt)\\/.test(windowsLower))
    ) {
      add(entry, 'firewall-log');
      continue;
    }
    // Text artifacts captured by live-response scripts sit beside the volume, not inside Windows:
    // found by name, confirmed by content.
    if (isImage) continue;
    const insideWindows = windowsLower !== undefined && /^\\(windows|winnt)\\/.test(windowsLower);
    if (!insideWindows && entry.size > 0 && entry.size < 4 * 1024 ** 3) {
      if (NETSTAT_NAME.test(name) && /\.(json|jsonl|csv)$/.test(name)) {
        add(entry, 'velociraptor-netstat');
        continue;
      }
      if (/\.(txt|log|out|body|csv)$/.test(name) || !name.includes('.')) {
        const text = await head(source, entry.path);
        if (looksLikeBodyfile(text)) {
          add(entry, 'bodyfile');
          continue;
        }
        if (looksLikeNetstat(text)) {
          add(entry, 'netstat');
          continue;
        }
      }
    }
    if (mapped !== undefined) add(entry, 'collected-file');
  }
  return { layout, artifacts };
}
