import type { FormatErrorRecord } from '../../parsers/io/index.js';
import type { EvidenceSource } from '../evidence/vfs.js';
import type { LocatedArtifact } from '../locate/artifacts.js';
import type { NormalizedRecord } from '../model/records.js';

/** What an artifact reader gets: the source, the artifact, and where to report damage. */
export interface ArtifactContext {
  source: EvidenceSource;
  artifact: LocatedArtifact;
  host: string;
  /** Host's local time offset, when known from the SYSTEM hive (for local-time logs). */
  utcOffsetMinutes?: number;
  /** Records a damaged structure; the reader goes on with the rest of the file. */
  reportError(error: FormatErrorRecord): void;
}

/** Turns one located artifact into normalized records, streaming. */
export type ArtifactReader = (context: ArtifactContext) => AsyncIterable<NormalizedRecord>;
