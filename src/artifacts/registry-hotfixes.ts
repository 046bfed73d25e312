import type { Hive, RegistryKey } from '../../parsers/regf/index.js';
import { keyAt } from './registry-hive.js';

/**
 * Installed hotfixes as a SOFTWARE hive records them (indicators.md PAT-01..PAT-04):
 * - `Microsoft\Updates\<product>\<next service pack>\<KB/Q id>` (the hotfix installer, 2000/XP/2003);
 *   some products put the id one level higher, so ids are taken at the second and third level;
 * - `Microsoft\Windows NT\CurrentVersion\HotFix\<Q/KB id>` (NT 4.0 / 2000 style);
 * - `Microsoft\Windows\CurrentVersion\Uninstall\<KB id>` (Add/Remove Programs entries).
 */
export const UPDATES_KEY = 'Microsoft\\Updates';
export const HOTFIX_KEY = 'Microsoft\\Windows NT\\CurrentVersion\\HotFix';
export const UNINSTALL_KEY = 'Microsoft\\Windows\\CurrentVersion\\Uninstall';

/** KB/Q/M and the article number, optionally followed by a suffix (`KB823980-v2`, `Q823980_WXP`). */
const HOTFIX_NAME = /^(KB|Q|M)(\d{4,8})(?:$|[-_ .])/i;
/** Most hotfix keys a hive may contribute (a real XP SP3 hive holds a few hundred). */
const MAX_HOTFIX_KEYS = 20_000;

export interface HotfixKey {
  key: RegistryKey;
  /** Normalized id: `KB823980`, `Q823980`, `M123456`. */
  id: string;
  /** Which list it came from. */
  source: 'updates' | 'hotfix' | 'uninstall';
}

/** Upper-case id of a hotfix key name, or undefined when the name is not one. */
export function hotfixId(name: string): string | undefined {
  const match = HOTFIX_NAME.exec(name.trim());
  if (!match) return undefined;
  return `${match[1]!.toUpperCase()}${match[2]!}`;
}

/**
 * The ids to record for one id: Microsoft renamed Q articles to KB in 2003 and both spellings
 * occur for the same fix (Q823980 on 2000, KB823980 on XP), so each KB/Q id gives both forms.
 */
export function hotfixForms(id: string): string[] {
  const match = /^(KB|Q)(\d+)$/.exec(id);
  if (!match) return [id];
  return [`KB${match[2]}`, `Q${match[2]}`];
}

/** Every hotfix key of a SOFTWARE hive, in a stable order (updates, hotfix list, uninstall). */
export function hotfixKeys(software: Hive): HotfixKey[] {
  const out: HotfixKey[] = [];
  const add = (key: RegistryKey, source: HotfixKey['source']): boolean => {
    const id = hotfixId(key.name);
    if (id === undefined) return false;
    out.push({ key, id, source });
    return true;
  };
  const updates = keyAt(software, UPDATES_KEY);
  for (const product of updates?.subkeys() ?? []) {
    for (const level of product.subkeys()) {
      if (out.length >= MAX_HOTFIX_KEYS) return out;
      if (add(level, 'updates')) continue;
      for (const fix of level.subkeys()) {
        if (out.length >= MAX_HOTFIX_KEYS) return out;
        add(fix, 'updates');
      }
    }
  }
  for (const fix of keyAt(software, HOTFIX_KEY)?.subkeys() ?? []) {
    if (out.length >= MAX_HOTFIX_KEYS) return out;
    add(fix, 'hotfix');
  }
  for (const entry of keyAt(software, UNINSTALL_KEY)?.subkeys() ?? []) {
    if (out.length >= MAX_HOTFIX_KEYS) return out;
    add(entry, 'uninstall');
  }
  return out;
}

/** The sorted, de-duplicated hotfix ids of a SOFTWARE hive, both KB and Q forms. */
export function installedHotfixes(software: Hive): string[] {
  const ids = new Set<string>();
  for (const { id } of hotfixKeys(software)) for (const form of hotfixForms(id)) ids.add(form);
  return [...ids].sort();
}
