/**
 * A timeline row: the columns Timesketch imports (`datetime`, `timestamp`, `timestamp_desc`,
 * `message`), then where it came from, the artifact's own fields, and the rule hits.
 */
export interface TimelineRow {
  /** ISO 8601 UTC with microseconds. */
  datetime: string;
  /** Microseconds since 1970 UTC (a number: exact up to year 2255). */
  timestamp: number;
  timestamp_desc: string;
  message: string;
  host: string;
  artifact: string;
  kind: string;
  source_file: string;
  /** Local wall time beside UTC when the host's time zone is known. */
  local_time?: string;
  /** Rule ids that matched the record behind this row, sorted. */
  rule_ids: string[];
  /** Highest level among those rules ('' when none). */
  level: string;
  /** The record's own fields, flattened to strings. */
  fields: Record<string, string>;
}
