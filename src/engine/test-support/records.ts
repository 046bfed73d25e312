/** Record factories for engine tests: complete records shaped like the model, with overrides. */
import type {
  ConnectionRecord,
  EventRecord,
  FileRecord,
  HostRecord,
  ListenerRecord,
  RegistryValueRecord,
  ServiceRecord,
} from '../../model/index.js';
import { parseTimeLiteral } from '../matcher.js';
import type { RuleDefinition } from '../types.js';

/** Micros for an ISO time (UTC). */
export function at(iso: string): bigint {
  const t = parseTimeLiteral(iso);
  if (t === undefined) throw new Error(`bad time ${iso}`);
  return t;
}

export function file(path: string, over: Partial<FileRecord> = {}): FileRecord {
  const name = path.split('\\').pop() ?? path;
  const dot = name.lastIndexOf('.');
  return {
    kind: 'file',
    host: 'PC-042',
    artifact: 'bodyfile',
    sourceFile: 'evidence/PC-042.body',
    path,
    name,
    extension: dot < 0 ? '' : name.slice(dot + 1).toLowerCase(),
    size: 6176,
    deleted: false,
    isDirectory: false,
    timeSource: 'bodyfile',
    ...over,
  };
}

export function conn(over: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    kind: 'connection',
    host: 'PC-042',
    artifact: 'firewall-log',
    sourceFile: 'WINDOWS/pfirewall.log',
    action: 'OPEN',
    protocol: 'TCP',
    srcIp: '192.168.1.23',
    srcPort: 2500,
    dstIp: '192.168.5.1',
    dstPort: 135,
    size: 48,
    tcpFlags: 'S',
    direction: 'SEND',
    ...over,
  };
}

export function listener(over: Partial<ListenerRecord> = {}): ListenerRecord {
  return {
    kind: 'listener',
    host: 'PC-042',
    artifact: 'netstat',
    sourceFile: 'triage/netstat-ano.txt',
    protocol: 'TCP',
    localAddress: '0.0.0.0',
    localPort: 4444,
    ...over,
  };
}

export function regValue(over: Partial<RegistryValueRecord> = {}): RegistryValueRecord {
  return {
    kind: 'registry-value',
    host: 'PC-042',
    artifact: 'registry',
    sourceFile: 'WINDOWS/system32/config/software',
    hive: 'SOFTWARE',
    keyPath: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
    valueName: 'windows auto update',
    valueType: 'REG_SZ',
    data: 'msblast.exe',
    deleted: false,
    ...over,
  };
}

export function service(over: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    kind: 'service',
    host: 'PC-042',
    artifact: 'registry',
    sourceFile: 'WINDOWS/system32/config/system',
    name: 'RpcPatch',
    displayName: 'WINS Client',
    imagePath: '%System%\\wins\\dllhost.exe',
    start: 2,
    deleted: false,
    controlSet: 'ControlSet001',
    ...over,
  };
}

export function event(over: Partial<EventRecord> = {}): EventRecord {
  return {
    kind: 'event',
    host: 'PC-042',
    artifact: 'evt',
    sourceFile: 'WINDOWS/system32/config/SysEvent.Evt',
    channel: 'System',
    provider: 'Service Control Manager',
    eventId: 7031,
    level: 'Error',
    recordId: 1,
    computer: 'PC-042',
    time: at('2003-08-12T05:40:11Z'),
    strings: ['Remote Procedure Call (RPC)', '1', '60000', '1', 'Reboot the machine'],
    fields: {},
    message: 'The Remote Procedure Call (RPC) service terminated unexpectedly.',
    ...over,
  };
}

export function host(over: Partial<HostRecord> = {}): HostRecord {
  return {
    kind: 'host',
    host: 'PC-042',
    artifact: 'registry',
    sourceFile: 'WINDOWS/system32/config/software',
    osVersion: '5.1',
    servicePack: 'Service Pack 1',
    hotfixes: [],
    ...over,
  };
}

/** A rule built in code (no YAML), for engine and aggregation tests. */
export function makeRule(
  over: Partial<RuleDefinition> & Pick<RuleDefinition, 'id' | 'kind' | 'match'>,
): RuleDefinition {
  return {
    title: over.id,
    description: 'test rule',
    worm: 'blaster',
    variant: null,
    level: 'high',
    confidence: 'H',
    diagnostic: 'infection',
    evidence: 'network',
    catalog: ['BLA-N1'],
    references: ['S01'],
    tests: { match: [], nomatch: [] },
    file: '<memory>',
    line: 1,
    ...over,
  };
}
