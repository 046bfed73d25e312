import { describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../model/index.js';
import { parseWindow } from './aggregate.js';
import { compileRules, type EngineOptions } from './engine.js';
import { at, conn, makeRule } from './test-support/records.js';
import type { AggregateSpec } from './types.js';

const sweepMatch = {
  all: [
    { field: 'dstPort', equals: 135 },
    { field: 'protocol', equals: 'TCP' },
  ],
};
const sweepRule = (aggregate: Partial<AggregateSpec> = {}) =>
  makeRule({
    id: 'sweep',
    kind: 'connection',
    match: sweepMatch,
    aggregate: { distinct: 'dstIp', groupBy: ['srcIp'], window: '60s', atLeast: 20, ...aggregate },
  });
const t0 = at('2003-08-12T10:00:00Z');
const sec = (s: number) => t0 + BigInt(Math.round(s * 1e6));
/** n connections from `src` to distinct addresses, `step` seconds apart. */
const sweep = (n: number, step: number, src = '192.168.1.23', offset = 0): ConnectionRecord[] =>
  Array.from({ length: n }, (_, i) =>
    conn({
      srcIp: src,
      dstIp: `10.0.${Math.floor((i + offset) / 250)}.${((i + offset) % 250) + 1}`,
      time: sec(i * step),
    }),
  );
const run = (records: ConnectionRecord[], rule = sweepRule(), options: EngineOptions = {}) => {
  const engine = compileRules([rule], options);
  for (const r of records) engine.observe(r);
  return { findings: engine.finish(), stats: engine.stats()[0]! };
};

describe('windows', () => {
  it('parses window lengths', () => {
    expect(parseWindow('60s')).toBe(60_000_000n);
    expect(parseWindow('5m')).toBe(300_000_000n);
    expect(parseWindow('1h')).toBe(3_600_000_000n);
    expect(parseWindow('2d')).toBe(172_800_000_000n);
    expect(parseWindow('250ms')).toBe(250_000n);
    expect(parseWindow('0s')).toBeUndefined();
    expect(parseWindow('60')).toBeUndefined();
  });

  it('20 distinct addresses inside 60 s trigger; the window edge is inclusive', () => {
    // 20 events 60/19 s apart: first and last exactly 60 s apart.
    const { findings } = run(sweep(20, 60 / 19));
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.peak).toBe(20);
    expect(f.count).toBe(20);
    expect(f.group).toEqual({ srcIp: '192.168.1.23' });
    expect(f.id).toBe('sweep@PC-042[192.168.1.23]');
    expect(f.firstSeen).toBe(t0);
    expect(f.lastSeen).toBe(sec(60));
  });

  it('the same 20 spread over more than 60 s do not', () => {
    const { findings } = run(sweep(20, 3.2));
    expect(findings).toEqual([]);
  });

  it('19 distinct addresses do not, however many connections', () => {
    const records = [...sweep(19, 1), ...sweep(19, 1)];
    expect(run(records).findings).toEqual([]);
  });

  it('counts per group: two sources with 10 each do not add up', () => {
    const records = [...sweep(10, 1, '192.168.1.23'), ...sweep(10, 1, '192.168.1.24', 10)];
    expect(run(records).findings).toEqual([]);
  });

  it('groups per host as well as per groupBy field', () => {
    const a = sweep(10, 1);
    const b = sweep(10, 1, '192.168.1.23', 10).map((r) => ({ ...r, host: 'PC-043' }));
    expect(run([...a, ...b]).findings).toEqual([]);
  });

  it('count: true counts records, not values', () => {
    const rule = makeRule({
      id: 'count',
      kind: 'connection',
      match: sweepMatch,
      aggregate: { count: true, groupBy: ['srcIp'], window: '60s', atLeast: 5 },
    });
    const same = Array.from({ length: 5 }, (_, i) => conn({ time: sec(i) }));
    expect(run(same, rule).findings).toHaveLength(1);
    expect(run(same.slice(0, 4), rule).findings).toEqual([]);
  });

  it('finds a dense burst inside a long sparse stream, and reports its first window', () => {
    const sparse = sweep(50, 30); // one every 30 s: never 20 in a minute
    const burst = sweep(25, 1, '192.168.1.23', 100).map((r, i) => ({ ...r, time: sec(700 + i) }));
    const { findings } = run([...sparse.slice(0, 25), ...burst, ...sparse.slice(25)]);
    expect(findings).toHaveLength(1);
    // Best window: [690 s, 750 s] = the burst (700-724 s) plus the sparse ones at 690, 720 and 750 = 28.
    expect(findings[0]!.peak).toBe(28);
    // First window reaching 20: [660 s, 717 s] = the sparse ones at 660 and 690 plus 18 burst records.
    expect(findings[0]!.firstSeen).toBe(sec(660));
    expect(findings[0]!.lastSeen).toBe(sec(750));
  });
});

describe('disorder', () => {
  it('any arrival order gives the same findings, byte for byte', () => {
    const records = [...sweep(30, 1), ...sweep(30, 40, '192.168.1.99', 50)];
    const shuffled = [...records];
    let seed = 42;
    for (let i = shuffled.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const a = run(records).findings;
    const b = run(shuffled).findings;
    const ser = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(a).toHaveLength(1);
    expect(ser(b)).toBe(ser(a));
  });

  it('a .log.old read after the .log still counts (whole files out of order)', () => {
    const older = sweep(12, 1); // 10:00:00-10:00:11
    const newer = sweep(12, 1, '192.168.1.23', 12).map((r, i) => ({ ...r, time: sec(30 + i) }));
    const { findings } = run([...newer, ...older]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.peak).toBe(24);
  });
});

describe('timeless records', () => {
  it('count in every window of their group', () => {
    const timeless = sweep(10, 0).map((r) => {
      const { time: _t, ...rest } = r;
      return rest as ConnectionRecord;
    });
    const timed = sweep(10, 100, '192.168.1.23', 10); // 100 s apart: 1 per window
    const { findings } = run([...timeless, ...timed], sweepRule({ atLeast: 11 }));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.peak).toBe(11);
    expect(run([...timeless, ...timed], sweepRule({ atLeast: 12 })).findings).toEqual([]);
  });
  it('alone they trigger without times', () => {
    const timeless = sweep(20, 0).map((r) => {
      const { time: _t, ...rest } = r;
      return rest as ConnectionRecord;
    });
    const { findings } = run(timeless);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.firstSeen).toBeUndefined();
    expect(findings[0]!.supporting).toHaveLength(20);
  });
});

describe('no window', () => {
  const rule = makeRule({
    id: 'ports',
    kind: 'connection',
    match: { field: 'action', equals: 'SYN_SENT' },
    aggregate: { distinct: 'srcPort', groupBy: ['pid'], atLeast: 15 },
  });
  const syn = (n: number, pid: number, step = 0) =>
    Array.from({ length: n }, (_, i) =>
      conn({ action: 'SYN_SENT', srcPort: 2500 + i, pid, dstIp: `61.${i}.0.1`, time: sec(i * step) }),
    );
  it('counts over the whole input, times ignored', () => {
    expect(run(syn(15, 1, 3600), rule).findings).toHaveLength(1);
    expect(run(syn(14, 1), rule).findings).toEqual([]);
    const f = run(syn(20, 7, 1), rule).findings[0]!;
    expect(f.group).toEqual({ pid: '7' });
    expect(f.firstSeen).toBe(t0);
    expect(f.lastSeen).toBe(sec(19));
  });
  it('records without the distinct field do not count', () => {
    const noPort = syn(20, 1).map((r) => {
      const { srcPort: _p, ...rest } = r;
      return rest as ConnectionRecord;
    });
    expect(run(noPort, rule).findings).toEqual([]);
  });
});

describe('bounded memory', () => {
  it('caps supporting records at maxSupporting, keeping the total', () => {
    const f = run(sweep(100, 0.1), sweepRule(), { maxSupporting: 5 }).findings[0]!;
    expect(f.supporting).toHaveLength(5);
    expect(f.supportingTotal).toBe(100);
    expect(f.supporting.map((s) => s.time)).toEqual([0, 1, 2, 3, 4].map((i) => sec(i * 0.1)));
  });

  it('drops the older half of a full group buffer and still finds the sweep', () => {
    const { findings, stats } = run(sweep(1000, 0.5), sweepRule(), { maxEventsPerGroup: 64 });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.count).toBe(1000);
    expect(stats.evictedEvents).toBeGreaterThan(800);
    expect(findings[0]!.firstSeen).toBe(t0);
  });

  it('counts late events that arrive behind what was dropped', () => {
    const records = sweep(200, 1);
    const { stats } = run([...records.slice(100), ...records.slice(0, 100)], sweepRule(), {
      maxEventsPerGroup: 32,
    });
    expect(stats.lateEvents).toBeGreaterThan(0);
  });

  it('caps groups: 10,000 scanning sources with maxGroupsPerRule 100 evict the least recently updated', () => {
    const records: ConnectionRecord[] = [];
    for (let s = 0; s < 10_000; s++)
      records.push(conn({ srcIp: `10.${s >> 8}.${s & 255}.1`, dstIp: '192.168.1.23', time: sec(s / 1000) }));
    const { findings, stats } = run(records, sweepRule(), { maxGroupsPerRule: 100 });
    expect(findings).toEqual([]);
    expect(stats.groups).toBe(10_000);
    expect(stats.evictedGroups).toBe(9_900);
  });

  it('a triggered group that is evicted is still reported, merged with its later state', () => {
    const a1 = sweep(20, 1, '192.168.1.23');
    const noise = Array.from({ length: 5 }, (_, i) => conn({ srcIp: `10.9.9.${i}`, time: sec(30 + i) }));
    const a2 = sweep(5, 1, '192.168.1.23', 20).map((r, i) => ({ ...r, time: sec(100 + i) }));
    const { findings, stats } = run([...a1, ...noise, ...a2], sweepRule(), { maxGroupsPerRule: 2 });
    expect(stats.evictedGroups).toBeGreaterThan(0);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.count).toBe(25);
    expect(findings[0]!.firstSeen).toBe(t0);
  });

  it('caps buffered events per rule across groups', () => {
    const records: ConnectionRecord[] = [];
    for (let g = 0; g < 50; g++) records.push(...sweep(10, 1, `10.1.1.${g}`, g * 10));
    const { stats } = run(records, sweepRule(), { maxEventsPerRule: 100 });
    expect(stats.evictedGroups).toBeGreaterThanOrEqual(40);
  });
});
