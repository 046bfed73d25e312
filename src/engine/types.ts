/** Plain-data types shared by the rule loader, the engine, the verdict and the rule test runner. */
import type { NormalizedRecord, RecordKind } from '../model/index.js';

export type Worm = 'blaster' | 'welchia' | 'generic';
export type Level = 'critical' | 'high' | 'medium' | 'low' | 'informational';
export type Confidence = 'H' | 'M' | 'L';
/** How much a hit proves on its own (catalog "diagnostic"; `attack` = a vulnerable host was hit). */
export type Diagnostic = 'infection' | 'attack' | 'exposure' | 'corroborative';
/** What kind of trace the rule finds; the verdict weighs findings by it. */
export type Evidence =
  | 'binary'
  | 'hash'
  | 'persistence'
  | 'service'
  | 'network'
  | 'event'
  | 'remnant'
  | 'configuration';

/** A match expression as written in YAML (validated by the schema and the compiler). */
export type MatchExpression =
  | { all: MatchExpression[] }
  | { any: MatchExpression[] }
  | { not: MatchExpression }
  | MatchLeaf;

export type Scalar = string | number | boolean;

export interface MatchLeaf {
  field: string;
  caseSensitive?: boolean;
  equals?: Scalar | Scalar[];
  contains?: string | string[];
  startswith?: string | string[];
  endswith?: string | string[];
  regex?: string | string[];
  glob?: string | string[];
  in?: Scalar[];
  range?: string | { min?: number | string; max?: number | string };
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  cidr?: string | string[];
  exists?: boolean;
}

export interface AggregateSpec {
  /** Count matching records (true) ... */
  count?: true;
  /** ... or count distinct values of this field. */
  distinct?: string;
  /** Fields whose values split the records into groups (the host is always part of the group). */
  groupBy?: string[];
  /** Window length such as `60s`, `5m`, `1h`, `1d`; absent = no window (the whole input). */
  window?: string;
  atLeast: number;
}

/** A rule test case: one record (or, for aggregate rules, a sequence of records). */
export interface RuleTestCase {
  name: string;
  records: NormalizedRecord[];
  /** 1-based line of the case in its YAML file. */
  line: number;
}

export interface RuleDefinition {
  id: string;
  title: string;
  description: string;
  worm: Worm;
  variant: string | null;
  level: Level;
  confidence: Confidence;
  diagnostic: Diagnostic;
  evidence: Evidence;
  catalog: string[];
  references: string[];
  kind: RecordKind;
  match: MatchExpression;
  aggregate?: AggregateSpec;
  tests: { match: RuleTestCase[]; nomatch: RuleTestCase[] };
  /** Where the rule was read from (for messages); `<memory>` for rules built in code. */
  file: string;
  line: number;
}

export interface SupportingRecord {
  sourceFile: string;
  sourceLine?: number;
  sourceOffset?: number;
  time?: bigint;
  summary: string;
  record: NormalizedRecord;
}

export interface Finding {
  /** Stable id: `<ruleId>@<host>` plus `[group values]` for aggregate rules. */
  id: string;
  ruleId: string;
  title: string;
  worm: Worm;
  variant: string | null;
  level: Level;
  confidence: Confidence;
  diagnostic: Diagnostic;
  evidence: Evidence;
  catalog: string[];
  references: string[];
  host: string;
  /** Records that matched (aggregate rules: matching records seen in the group). */
  count: number;
  /** Aggregate rules: the highest count / distinct count reached in one window. */
  peak?: number;
  firstSeen?: bigint;
  lastSeen?: bigint;
  /** Aggregate rules: the groupBy field values, by field name. */
  group?: Record<string, string>;
  /** Up to the engine's cap, earliest first; `supportingTotal` is how many there were. */
  supporting: SupportingRecord[];
  supportingTotal: number;
}

export const levelRank: Readonly<Record<Level, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  informational: 0,
};
