/**
 * Aggregate rules: "N records (or N distinct values of a field) in one group within a window".
 *
 * Disorder: records arrive roughly in time order per source file, not globally (a `.log.old` may come
 * after the `.log`). Each group therefore buffers its timed events unsorted and is evaluated by
 * sorting the buffer and sliding a window over it (two pointers, a count per distinct value). A
 * group is evaluated when its buffer fills, when it is evicted, and at `finish()`. Evaluation keeps
 * only the result (triggered, peak, first window, last window end), so re-evaluating a buffer is
 * harmless. While a group holds fewer than `maxEventsPerGroup` events, any arrival order gives the
 * exact answer. When the buffer fills, the older half is dropped after evaluation (`evictedEvents`);
 * an event that arrives later with a time before what was dropped (`lateEvents`) is still windowed,
 * but only with the events that remain.
 *
 * Memory: at most `maxGroups` groups per rule and `maxEvents` buffered events per rule; past either
 * limit the least recently updated group is evaluated, its result kept if it triggered, and its state
 * dropped (`evictedGroups`). A crafted log can cost findings precision, never unbounded memory.
 *
 * Timeless records (no time): with a window they belong to every window of their group; without
 * a window (`window` absent) time plays no part at all.
 */
import type { NormalizedRecord } from '../model/index.js';
import { recordTime } from './fields.js';
import { makeGetter } from './matcher.js';
import { insertSupporting, toSupporting } from './supporting.js';
import type { AggregateSpec, SupportingRecord } from './types.js';

export interface AggregateLimits {
  maxGroups: number;
  maxEvents: number;
  maxEventsPerGroup: number;
  maxSupporting: number;
  /** Triggered groups kept after their state was evicted. */
  maxFindings: number;
}

export interface AggregateStats {
  matched: number;
  groups: number;
  evictedEvents: number;
  evictedGroups: number;
  lateEvents: number;
  droppedFindings: number;
}

/** What a group contributes to a finding. */
export interface GroupResult {
  host: string;
  group: Record<string, string>;
  key: string;
  matched: number;
  peak: number;
  firstSeen?: bigint;
  lastSeen?: bigint;
  supporting: SupportingRecord[];
}

interface TimedEvent {
  t: bigint;
  seq: number;
  key: string;
  record: NormalizedRecord;
}

interface GroupState {
  result: GroupResult;
  triggered: boolean;
  /** Start of the earliest triggering window seen, which the supporting records come from. */
  triggerStart?: bigint;
  events: TimedEvent[];
  /** Timeless distinct values (or, for count rules, one entry per record), capped. */
  timeless: Map<string, NormalizedRecord>;
  timelessCount: number;
  horizon?: bigint;
  /** No-window mode: distinct values seen (capped), earliest records. */
  seen?: Set<string>;
}

const unitMicros: Record<string, bigint> = {
  ms: 1_000n,
  s: 1_000_000n,
  m: 60_000_000n,
  h: 3_600_000_000n,
  d: 86_400_000_000n,
};

/** `60s`, `5m`, `1h`, `1d`, `500ms` -> microseconds; undefined when malformed. */
export function parseWindow(text: string): bigint | undefined {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return undefined;
  const value = BigInt(m[1]!) * unitMicros[m[2]!]!;
  return value > 0n ? value : undefined;
}

function valueKey(value: unknown, caseSensitive: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return caseSensitive ? value : value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export class Aggregator {
  private readonly groups = new Map<string, GroupState>();
  private readonly closed = new Map<string, GroupResult>();
  private readonly window: bigint | undefined;
  private readonly distinct: ((r: NormalizedRecord) => unknown) | undefined;
  private readonly groupBy: { name: string; get: (r: NormalizedRecord) => unknown }[];
  private buffered = 0;
  private seq = 0;
  readonly stats: AggregateStats = {
    matched: 0,
    groups: 0,
    evictedEvents: 0,
    evictedGroups: 0,
    lateEvents: 0,
    droppedFindings: 0,
  };

  constructor(
    private readonly spec: AggregateSpec,
    private readonly limits: AggregateLimits,
  ) {
    this.window = spec.window === undefined ? undefined : parseWindow(spec.window);
    if (spec.window !== undefined && this.window === undefined)
      throw new Error(`bad window "${spec.window}"`);
    this.distinct = spec.distinct === undefined ? undefined : makeGetter(spec.distinct);
    this.groupBy = (spec.groupBy ?? []).map((name) => ({ name, get: makeGetter(name) }));
  }

  add(record: NormalizedRecord): void {
    let key: string;
    if (this.distinct) {
      const k = valueKey(this.distinct(record), false);
      if (k === undefined) return; // nothing to count distinctly
      key = k;
    } else key = '';
    this.stats.matched++;
    const values = this.groupBy.map((g) => valueKey(g.get(record), true) ?? '');
    const groupKey = JSON.stringify([record.host, ...values]);
    let state = this.groups.get(groupKey);
    if (state) {
      // Move to the end: the Map's order is least recently updated first.
      this.groups.delete(groupKey);
      this.groups.set(groupKey, state);
    } else {
      if (this.groups.size >= this.limits.maxGroups) this.evictOldestGroup();
      const group: Record<string, string> = {};
      this.groupBy.forEach((g, i) => {
        group[g.name] = values[i]!;
      });
      state = {
        result: { host: record.host, group, key: groupKey, matched: 0, peak: 0, supporting: [] },
        triggered: false,
        events: [],
        timeless: new Map(),
        timelessCount: 0,
      };
      if (this.window === undefined) state.seen = new Set();
      this.groups.set(groupKey, state);
      this.stats.groups++;
    }
    state.result.matched++;
    const t = recordTime(record);
    if (this.window === undefined) {
      this.addUnwindowed(state, key, record, t);
      return;
    }
    if (t === undefined) {
      state.timelessCount++;
      const k = this.distinct ? key : String(state.timelessCount);
      if (!state.timeless.has(k) && state.timeless.size < this.limits.maxEventsPerGroup)
        state.timeless.set(k, record);
      return;
    }
    if (state.horizon !== undefined && t < state.horizon) this.stats.lateEvents++;
    state.events.push({ t, seq: this.seq++, key, record });
    this.buffered++;
    if (state.events.length >= this.limits.maxEventsPerGroup) this.compact(state);
    while (this.buffered > this.limits.maxEvents && this.groups.size > 0) this.evictOldestGroup();
  }

  private addUnwindowed(
    state: GroupState,
    key: string,
    record: NormalizedRecord,
    t: bigint | undefined,
  ): void {
    const seen = state.seen!;
    let value: number;
    if (this.distinct) {
      if (!seen.has(key)) {
        if (seen.size < this.limits.maxEventsPerGroup) seen.add(key);
        else this.stats.evictedEvents++;
      }
      value = seen.size;
    } else value = state.result.matched;
    const r = state.result;
    if (t !== undefined) {
      if (r.firstSeen === undefined || t < r.firstSeen) r.firstSeen = t;
      if (r.lastSeen === undefined || t > r.lastSeen) r.lastSeen = t;
    }
    insertSupporting(r.supporting, toSupporting(record), this.limits.maxSupporting);
    if (value > r.peak) r.peak = value;
    if (value >= this.spec.atLeast) state.triggered = true;
  }

  /** Evaluate every window ending at a buffered event (and the timeless-only case). */
  private evaluate(state: GroupState): void {
    if (this.window === undefined) return;
    const events = state.events;
    events.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.seq - b.seq));
    const timelessKeys = state.timeless;
    const timelessValue = this.distinct ? timelessKeys.size : state.timelessCount;
    const atLeast = this.spec.atLeast;
    const r = state.result;
    if (events.length === 0) {
      if (timelessValue > r.peak) r.peak = timelessValue;
      if (timelessValue >= atLeast && !state.triggered) {
        state.triggered = true;
        for (const rec of timelessKeys.values())
          insertSupporting(r.supporting, toSupporting(rec), this.limits.maxSupporting);
      }
      return;
    }
    const counts = new Map<string, number>();
    let extra = 0; // distinct window values not already among the timeless ones
    let left = 0;
    for (let right = 0; right < events.length; right++) {
      const e = events[right]!;
      if (this.distinct) {
        const n = counts.get(e.key) ?? 0;
        counts.set(e.key, n + 1);
        if (n === 0 && !timelessKeys.has(e.key)) extra++;
      }
      while (e.t - events[left]!.t > this.window) {
        const old = events[left]!;
        if (this.distinct) {
          const n = counts.get(old.key)! - 1;
          if (n === 0) {
            counts.delete(old.key);
            if (!timelessKeys.has(old.key)) extra--;
          } else counts.set(old.key, n);
        }
        left++;
      }
      const value = this.distinct ? timelessValue + extra : timelessValue + (right - left + 1);
      if (value > r.peak) r.peak = value;
      if (value < atLeast) continue;
      const start = events[left]!.t;
      if (!state.triggered || state.triggerStart === undefined || start < state.triggerStart) {
        state.triggered = true;
        state.triggerStart = start;
        r.firstSeen = start;
        const supporting: SupportingRecord[] = [];
        for (let i = left; i <= right; i++)
          insertSupporting(supporting, toSupporting(events[i]!.record), this.limits.maxSupporting);
        for (const rec of timelessKeys.values())
          insertSupporting(supporting, toSupporting(rec), this.limits.maxSupporting);
        r.supporting = supporting;
      }
      if (r.lastSeen === undefined || e.t > r.lastSeen) r.lastSeen = e.t;
    }
  }

  private compact(state: GroupState): void {
    this.evaluate(state);
    const drop = state.events.length >> 1;
    if (drop === 0) return;
    const last = state.events[drop - 1]!;
    state.events.splice(0, drop);
    this.buffered -= drop;
    this.stats.evictedEvents += drop;
    if (state.horizon === undefined || last.t > state.horizon) state.horizon = last.t;
  }

  private evictOldestGroup(): void {
    const first = this.groups.entries().next();
    if (first.done) return;
    const [key, state] = first.value;
    this.evaluate(state);
    this.groups.delete(key);
    this.buffered -= state.events.length;
    this.stats.evictedEvents += state.events.length;
    this.stats.evictedGroups++;
    if (state.triggered || this.closed.has(key)) this.keepClosed(state.result);
  }

  private keepClosed(result: GroupResult): void {
    const prior = this.closed.get(result.key);
    if (prior) {
      this.closed.set(result.key, mergeResults(prior, result, this.limits.maxSupporting));
      return;
    }
    if (this.closed.size >= this.limits.maxFindings) {
      this.stats.droppedFindings++;
      return;
    }
    this.closed.set(result.key, result);
  }

  /** Evaluate what is left and return the triggered groups (unordered). */
  finish(): GroupResult[] {
    for (const state of this.groups.values()) {
      this.evaluate(state);
      // A group that triggered before its eviction also owns the records it saw afterwards.
      if (state.triggered || this.closed.has(state.result.key)) this.keepClosed(state.result);
    }
    this.groups.clear();
    this.buffered = 0;
    return [...this.closed.values()];
  }
}

function mergeResults(a: GroupResult, b: GroupResult, cap: number): GroupResult {
  const supporting = [...a.supporting];
  for (const s of b.supporting) insertSupporting(supporting, s, cap);
  const out: GroupResult = {
    host: a.host,
    group: a.group,
    key: a.key,
    matched: a.matched + b.matched,
    peak: Math.max(a.peak, b.peak),
    supporting,
  };
  // bigint: no Math.min/max.
  for (const t of [a.firstSeen, b.firstSeen])
    if (t !== undefined && (out.firstSeen === undefined || t < out.firstSeen)) out.firstSeen = t;
  for (const t of [a.lastSeen, b.lastSeen])
    if (t !== undefined && (out.lastSeen === undefined || t > out.lastSeen)) out.lastSeen = t;
  return out;
}
