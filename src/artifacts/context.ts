import type { FormatErrorRecord } from '../../parsers/io/index.js';
import type { EvidenceSource } from '../evidence/vfs.js';
import type { LocatedArtifact } from '../locate/artifacts.js';
import type { NormalizedRecord } from '../model/records.js';
import type { HostClock } from '../model/time-zone.js';
import type { UserProfile } from './host-facts.js';

/** What an artifact reader gets: the source, the artifact, and where to report damage. */
export interface ArtifactContext {
  source: EvidenceSource;
  artifact: LocatedArtifact;
  host: string;
  /** The host's clock, when the SYSTEM hive gives its time zone (for local-time logs). */
  clock?: HostClock;
  /** The host's user profiles (SOFTWARE ProfileList), to name the SID of a user's hive. */
  profiles?: readonly UserProfile[];
  /** Records a damaged structure; the reader goes on with the rest of the file. */
  reportError(error: FormatErrorRecord): void;
  /** Adds errors that were counted but not kept by a parser's capped error list. */
  countUnkeptErrors(count: number): void;
}

/** Hands a parser's capped error list (and its exact count) to the inventory. */
export function reportErrorLog(
  context: ArtifactContext,
  items: ReadonlyArray<{ toJSON(): FormatErrorRecord; withFile(file: string): unknown }>,
  count: number,
): void {
  for (const item of items) {
    item.withFile(context.artifact.sourcePath);
    context.reportError(item.toJSON());
  }
  if (count > items.length) context.countUnkeptErrors(count - items.length);
}

/** Turns one located artifact into normalized records, streaming. */
export type ArtifactReader = (context: ArtifactContext) => AsyncIterable<NormalizedRecord>;
