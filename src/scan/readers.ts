import { readCollectedFile } from '../artifacts/collected-files.js';
import type { ArtifactReader } from '../artifacts/context.js';
import { readEvtArtifact, readEvtxArtifact } from '../artifacts/events.js';
import { readFileSystem } from '../artifacts/file-system.js';
import { readRegistryHive } from '../artifacts/registry.js';
import { readBodyfile, readFirewallLog, readNetstat } from '../artifacts/text-artifacts.js';
import type { ArtifactType } from '../locate/artifacts.js';

/**
 * Which reader turns each located artifact type into records. An artifact type without a
 * reader is still listed in the inventory as found but not parsed, with the reason.
 */
export const artifactReaders: Partial<Record<ArtifactType, ArtifactReader>> = {
  'registry-hive': readRegistryHive,
  'firewall-log': readFirewallLog,
  bodyfile: readBodyfile,
  netstat: readNetstat,
  'velociraptor-netstat': readNetstat,
  evt: readEvtArtifact,
  evtx: readEvtxArtifact,
  'collected-file': readCollectedFile,
  'file-system': readFileSystem,
};

/** Order of reading: host facts first (they give the host name and time zone), then the rest. */
export const readingOrder: ArtifactType[] = [
  'registry-hive',
  'evt',
  'evtx',
  'firewall-log',
  'bodyfile',
  'netstat',
  'velociraptor-netstat',
  'collected-file',
  'file-system',
];
