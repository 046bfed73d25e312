/**
 * The streaming rule engine: `compileRules(rules)` once, `observe(record)` for every record (returns
 * the ids of the plain rules it matched, for the timeline), `finish()` for the findings.
 */
import type { NormalizedRecord, RecordKind } from '../model/index.js';
import { type AggregateLimits, type AggregateStats, Aggregator } from './aggregate.js';
import { recordTime } from './fields.js';
import { compileMatch, type Matcher } from './matcher.js';
import { insertSupporting, toSupporting } from './supporting.js';
import { type Finding, type Level, levelRank, type RuleDefinition, type SupportingRecord } from './types.js';

export interface EngineOptions {
  /** Supporting records kept per finding (default 20). */
  maxSupporting?: number;
  /** Groups per aggregate rule, and hosts per plain rule (default 10,000). */
  maxGroupsPerRule?: number;
  /** Buffered events per aggregate group before the older half is dropped (default 4,096). */
  maxEventsPerGroup?: number;
  /** Buffered events per aggregate rule, all groups together (default 100,000). */
  maxEventsPerRule?: number;
  /** Triggered groups kept per aggregate rule after eviction (default 10,000). */
  maxFindingsPerRule?: number;
}

export interface RuleStats extends AggregateStats {
  ruleId: string;
}

export interface Engine {
  readonly rules: readonly RuleDefinition[];
  /** Ids (sorted) of the non-aggregate rules `record` matched. Aggregate rules report at `finish()`. */
  observe(record: NormalizedRecord): readonly string[];
  /** Findings, sorted by host, level (highest first), rule id, finding id. Call once. */
  finish(): Finding[];
  /** Counters per rule (matches, groups, evictions) for the report's "limits reached" section. */
  stats(): RuleStats[];
  /** The highest level among these rule ids ('' when none): the timeline row's `level`. */
  highestLevel(ruleIds: readonly string[]): Level | '';
}

interface HostState {
  count: number;
  firstSeen?: bigint;
  lastSeen?: bigint;
  supporting: SupportingRecord[];
}

interface PlainRule {
  rule: RuleDefinition;
  matcher: Matcher;
  hosts: Map<string, HostState>;
  stats: RuleStats;
}

interface AggregateRule {
  rule: RuleDefinition;
  matcher: Matcher;
  aggregator: Aggregator;
}

const noHits: readonly string[] = Object.freeze([]);

function emptyStats(ruleId: string): RuleStats {
  return {
    ruleId,
    matched: 0,
    groups: 0,
    evictedEvents: 0,
    evictedGroups: 0,
    lateEvents: 0,
    droppedFindings: 0,
  };
}

function baseFinding(
  rule: RuleDefinition,
  host: string,
  id: string,
): Omit<Finding, 'count' | 'supporting' | 'supportingTotal'> {
  return {
    id,
    ruleId: rule.id,
    title: rule.title,
    worm: rule.worm,
    variant: rule.variant,
    level: rule.level,
    confidence: rule.confidence,
    diagnostic: rule.diagnostic,
    evidence: rule.evidence,
    catalog: [...rule.catalog],
    references: [...rule.references],
    host,
  };
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  const level = levelRank[b.level] - levelRank[a.level];
  if (level !== 0) return level;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Compile rules (already loaded and validated) into an engine. Throws on a duplicate id or a bad expression. */
export function compileRules(rules: readonly RuleDefinition[], options: EngineOptions = {}): Engine {
  const limits: AggregateLimits = {
    maxSupporting: options.maxSupporting ?? 20,
    maxGroups: options.maxGroupsPerRule ?? 10_000,
    maxEventsPerGroup: Math.max(2, options.maxEventsPerGroup ?? 4_096),
    maxEvents: options.maxEventsPerRule ?? 100_000,
    maxFindings: options.maxFindingsPerRule ?? 10_000,
  };
  const sorted = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const plainByKind = new Map<RecordKind, PlainRule[]>();
  const aggregateByKind = new Map<RecordKind, AggregateRule[]>();
  const plain: PlainRule[] = [];
  const aggregates: AggregateRule[] = [];
  const ids = new Set<string>();
  for (const rule of sorted) {
    if (ids.has(rule.id)) throw new Error(`duplicate rule id "${rule.id}" (${rule.file})`);
    ids.add(rule.id);
    const matcher = compileMatch(rule.match, rule.kind);
    if (rule.aggregate) {
      const entry = { rule, matcher, aggregator: new Aggregator(rule.aggregate, limits) };
      aggregates.push(entry);
      const list = aggregateByKind.get(rule.kind) ?? [];
      list.push(entry);
      aggregateByKind.set(rule.kind, list);
    } else {
      const entry = { rule, matcher, hosts: new Map<string, HostState>(), stats: emptyStats(rule.id) };
      plain.push(entry);
      const list = plainByKind.get(rule.kind) ?? [];
      list.push(entry);
      plainByKind.set(rule.kind, list);
    }
  }
  let finished = false;
  const levels = new Map(sorted.map((r) => [r.id, r.level]));

  const observePlain = (entry: PlainRule, record: NormalizedRecord): void => {
    entry.stats.matched++;
    let state = entry.hosts.get(record.host);
    if (!state) {
      if (entry.hosts.size >= limits.maxGroups) {
        entry.stats.droppedFindings++;
        return;
      }
      state = { count: 0, supporting: [] };
      entry.hosts.set(record.host, state);
      entry.stats.groups++;
    }
    state.count++;
    const t = recordTime(record);
    if (t !== undefined) {
      if (state.firstSeen === undefined || t < state.firstSeen) state.firstSeen = t;
      if (state.lastSeen === undefined || t > state.lastSeen) state.lastSeen = t;
    }
    insertSupporting(state.supporting, toSupporting(record), limits.maxSupporting);
  };

  return {
    rules: sorted,
    observe(record) {
      if (finished) throw new Error('engine.observe() after finish()');
      const aggregateRules = aggregateByKind.get(record.kind);
      if (aggregateRules) for (const a of aggregateRules) if (a.matcher(record)) a.aggregator.add(record);
      const plainRules = plainByKind.get(record.kind);
      if (!plainRules) return noHits;
      let hits: string[] | undefined;
      for (const p of plainRules) {
        if (!p.matcher(record)) continue;
        observePlain(p, record);
        if (hits) hits.push(p.rule.id);
        else hits = [p.rule.id];
      }
      return hits ?? noHits;
    },
    finish() {
      if (finished) throw new Error('engine.finish() called twice');
      finished = true;
      const findings: Finding[] = [];
      for (const p of plain) {
        for (const [host, state] of p.hosts) {
          const f: Finding = {
            ...baseFinding(p.rule, host, `${p.rule.id}@${host}`),
            count: state.count,
            supporting: state.supporting,
            supportingTotal: state.count,
          };
          if (state.firstSeen !== undefined) f.firstSeen = state.firstSeen;
          if (state.lastSeen !== undefined) f.lastSeen = state.lastSeen;
          findings.push(f);
        }
      }
      for (const a of aggregates) {
        for (const g of a.aggregator.finish()) {
          const values = Object.values(g.group);
          const id = `${a.rule.id}@${g.host}${values.length > 0 ? `[${values.join(',')}]` : ''}`;
          const f: Finding = {
            ...baseFinding(a.rule, g.host, id),
            count: g.matched,
            peak: g.peak,
            supporting: g.supporting,
            supportingTotal: g.matched,
          };
          if (values.length > 0) f.group = g.group;
          if (g.firstSeen !== undefined) f.firstSeen = g.firstSeen;
          if (g.lastSeen !== undefined) f.lastSeen = g.lastSeen;
          findings.push(f);
        }
      }
      return findings.sort(compareFindings);
    },
    highestLevel(ruleIds) {
      let best: Level | '' = '';
      for (const id of ruleIds) {
        const level = levels.get(id);
        if (level !== undefined && (best === '' || levelRank[level] > levelRank[best])) best = level;
      }
      return best;
    },
    stats() {
      return [
        ...plain.map((p) => ({ ...p.stats })),
        ...aggregates.map((a) => ({ ruleId: a.rule.id, ...a.aggregator.stats })),
      ].sort((x, y) => (x.ruleId < y.ruleId ? -1 : x.ruleId > y.ruleId ? 1 : 0));
    },
  };
}
