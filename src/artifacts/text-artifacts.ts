import { parseBodyfile } from '../../parsers/bodyfile/index.js';
import { parseFirewallLog } from '../../parsers/firewall-log/index.js';
import { parseNetstat } from '../../parsers/netstat/index.js';
import type { ConnectionRecord, FileRecord, ListenerRecord } from '../model/records.js';
import { splitWindowsPath } from './collected-files.js';
import { type ArtifactContext, reportErrorLog } from './context.js';

function provenance(context: ArtifactContext, artifact: string, line: number, offset: number) {
  return {
    host: context.host,
    artifact,
    sourceFile: context.artifact.sourcePath,
    sourceLine: line,
    sourceOffset: offset,
  };
}

/** Windows Firewall / ICF log lines as connection records; local times use the host's zone when known. */
export async function* readFirewallLog(context: ArtifactContext): AsyncGenerator<ConnectionRecord> {
  const stream = await context.source.openStream(context.artifact.sourcePath);
  const clock = context.clock;
  const parser = parseFirewallLog(stream, clock === undefined ? {} : { timeZone: clock.offsetForLocal });
  for await (const entry of parser.records()) {
    const record: ConnectionRecord = {
      kind: 'connection',
      ...provenance(context, 'firewall-log', entry.lineNumber, entry.offset),
      action: entry.action,
      protocol: entry.protocol === undefined ? '' : String(entry.protocol),
      srcIp: entry.srcIp ?? '',
      dstIp: entry.dstIp ?? '',
      time: entry.timestamp,
      timeIsLocal: entry.timeIsLocal,
    };
    if (entry.srcPort !== undefined) record.srcPort = entry.srcPort;
    if (entry.dstPort !== undefined) record.dstPort = entry.dstPort;
    if (entry.size !== undefined) record.size = entry.size;
    if (entry.tcpFlags !== undefined) record.tcpFlags = entry.tcpFlags;
    if (entry.icmpType !== undefined) record.icmpType = entry.icmpType;
    if (entry.icmpCode !== undefined) record.icmpCode = entry.icmpCode;
    if (entry.path !== undefined) record.direction = entry.path;
    if (entry.pid !== undefined) record.pid = entry.pid;
    yield record;
  }
  reportErrorLog(context, parser.errors.items, parser.errors.count);
}

/** TSK bodyfile lines (`fls -m`) as file records; `$FILE_NAME` lines keep their own time source. */
export async function* readBodyfile(context: ArtifactContext): AsyncGenerator<FileRecord> {
  const stream = await context.source.openStream(context.artifact.sourcePath);
  const parser = parseBodyfile(stream);
  for await (const entry of parser.records()) {
    // fls writes `/WINDOWS/...` or `C:/WINDOWS/...`: keep the volume path, Windows style.
    const windowsPath = `\\${entry.path
      .replace(/^[A-Za-z]:/, '')
      .replace(/^[/\\]+/, '')
      .replace(/\//g, '\\')}`;
    const { name, extension } = splitWindowsPath(windowsPath);
    const record: FileRecord = {
      kind: 'file',
      ...provenance(context, 'bodyfile', entry.lineNumber, entry.offset),
      path: windowsPath,
      name,
      extension,
      size: entry.size ?? 0,
      deleted: entry.deleted,
      isDirectory: entry.fileType === 'd',
      inode: entry.inode,
      timeSource: entry.isFileName ? '$FN' : entry.attributeType === undefined ? 'bodyfile' : '$SI',
    };
    if (entry.stream !== undefined) record.stream = entry.stream;
    if (entry.md5 !== '0' && entry.md5 !== '') record.md5 = entry.md5.toLowerCase();
    if (entry.mtime !== undefined) record.modified = entry.mtime;
    if (entry.atime !== undefined) record.accessed = entry.atime;
    if (entry.ctime !== undefined) record.changed = entry.ctime;
    if (entry.crtime !== undefined) record.created = entry.crtime;
    yield record;
  }
  reportErrorLog(context, parser.errors.items, parser.errors.count);
}

/** `netstat -ano` captures and Velociraptor netstat results: listeners and connections. */
export async function* readNetstat(
  context: ArtifactContext,
): AsyncGenerator<ListenerRecord | ConnectionRecord> {
  const stream = await context.source.openStream(context.artifact.sourcePath);
  const parser = parseNetstat(stream);
  for await (const entry of parser.records()) {
    const base = provenance(context, 'netstat', entry.lineNumber, entry.offset);
    const extra = {
      ...(entry.pid === undefined ? {} : { pid: entry.pid }),
      ...(entry.processName === undefined ? {} : { processName: entry.processName }),
      ...(entry.timestamp === undefined ? {} : { time: entry.timestamp }),
    };
    if (entry.kind === 'listener') {
      yield {
        kind: 'listener',
        ...base,
        protocol: entry.protocol,
        localAddress: entry.localAddress,
        localPort: entry.localPort ?? 0,
        ...extra,
      };
      continue;
    }
    yield {
      kind: 'connection',
      ...base,
      action: entry.state ?? '',
      protocol: entry.protocol,
      srcIp: entry.localAddress,
      dstIp: entry.remoteAddress ?? '',
      ...(entry.localPort === undefined ? {} : { srcPort: entry.localPort }),
      ...(entry.remotePort === undefined ? {} : { dstPort: entry.remotePort }),
      ...extra,
    };
  }
  reportErrorLog(context, parser.errors.items, parser.errors.count);
}
