import type { EvidenceEntry } from '../evidence/vfs.js';

/**
 * Where the Windows volume(s) sit inside a source. Triage collectors each lay files out their
 * own way; all of them keep the volume's tree below some prefix:
 * - plain copy / mounted image: `WINDOWS/...` or `WINNT/...` at the root, or under `C/`;
 * - KAPE and CyLR: `C/Windows/System32/config/SYSTEM` (maybe under a dated target folder);
 * - Velociraptor offline collector: `uploads/auto/C%3A/Windows/...` and
 *   `uploads/ntfs/%5C%5C.%5CC%3A/Windows/...` (URL-encoded components);
 * - a disk image's file systems: `vol1/WINDOWS/...` (src/evidence/image-volumes.ts names them).
 */
export type LayoutName = 'plain' | 'kape' | 'velociraptor' | 'cylr' | 'image' | 'unknown';

export interface VolumeRoot {
  /** Source path prefix of the volume root ('' for the source root), without a trailing `/`. */
  prefix: string;
  /** Drive letter when the layout names it. */
  drive?: string;
  /** The Windows folder's own name as stored (`WINDOWS`, `WINNT`, `Windows`). */
  windowsFolder: string;
}

export interface Layout {
  name: LayoutName;
  volumes: VolumeRoot[];
}

/** Decodes Velociraptor's URL-encoded path components (`C%3A` -> `C:`); bad escapes stay as they are. */
export function decodeComponent(component: string): string {
  if (!component.includes('%')) return component;
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

function driveOf(component: string | undefined): string | undefined {
  if (component === undefined) return undefined;
  const decoded = decodeComponent(component);
  const match = /^(?:\\\\\.\\)?([A-Za-z])(?::|\$)?$/.exec(decoded);
  return match?.[1]?.toUpperCase();
}

/**
 * Finds every folder named WINDOWS/WINNT that holds a `system32` folder; its parent is a volume
 * root. The volume with `system32/config` comes first (that is the system volume).
 */
export function detectLayout(entries: readonly EvidenceEntry[]): Layout {
  const directories = new Set(
    entries.filter((entry) => entry.isDirectory).map((entry) => entry.path.toLowerCase()),
  );
  // Zips may omit directory entries; derive folders from file paths too.
  for (const entry of entries) {
    const parts = entry.path.toLowerCase().split('/');
    for (let depth = 1; depth < parts.length; depth += 1) directories.add(parts.slice(0, depth).join('/'));
  }
  const roots = new Map<string, VolumeRoot & { hasConfig: boolean }>();
  for (const directory of directories) {
    const parts = directory.split('/');
    const last = parts[parts.length - 1]!;
    if (last !== 'windows' && last !== 'winnt') continue;
    if (!directories.has(`${directory}/system32`)) continue;
    const prefixLower = parts.slice(0, -1).join('/');
    if (roots.has(prefixLower)) continue;
    // Recover the stored case from any entry below it.
    const sample = entries.find((entry) => entry.path.toLowerCase().startsWith(`${directory}/`))!;
    const storedParts = sample.path.split('/');
    const prefix = storedParts.slice(0, parts.length - 1).join('/');
    const drive = driveOf(storedParts[parts.length - 2]);
    roots.set(prefixLower, {
      prefix,
      ...(drive === undefined ? {} : { drive }),
      windowsFolder: storedParts[parts.length - 1]!,
      hasConfig: directories.has(`${directory}/system32/config`),
    });
  }
  const volumes = [...roots.values()]
    .sort(
      (a, b) =>
        Number(b.hasConfig) - Number(a.hasConfig) || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0),
    )
    .map(({ hasConfig: _hasConfig, ...root }) => root);
  return { name: nameLayout(volumes, entries), volumes };
}

function nameLayout(volumes: VolumeRoot[], entries: readonly EvidenceEntry[]): LayoutName {
  const first = volumes[0];
  if (first === undefined) return 'unknown';
  const prefix = first.prefix.toLowerCase();
  if (prefix.startsWith('uploads/')) return 'velociraptor';
  if (entries.some((entry) => /(^|\/)cylr[^/]*\.(log|txt)$/i.test(entry.path))) return 'cylr';
  if (first.drive !== undefined) return 'kape';
  return 'plain';
}

/** Maps a source path to the Windows path on its volume (`\WINDOWS\system32\...`), if inside one. */
export function toVolumePath(
  layout: Layout,
  sourcePath: string,
): { volume: VolumeRoot; path: string } | undefined {
  const lower = sourcePath.toLowerCase();
  for (const volume of layout.volumes) {
    const prefix = volume.prefix.toLowerCase();
    if (prefix === '' || lower.startsWith(`${prefix}/`)) {
      const rest = prefix === '' ? sourcePath : sourcePath.slice(volume.prefix.length + 1);
      return { volume, path: `\\${rest.split('/').map(decodeComponent).join('\\')}` };
    }
  }
  return undefined;
}
