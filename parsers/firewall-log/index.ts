export type { CivilTime } from './civil-time.js';
export type { FirewallLogRecord, FirewallProtocol } from './entry.js';
export {
  type FirewallLogOptions,
  FirewallLogParser,
  FORMAT as FIREWALL_LOG_FORMAT,
  parseFirewallLog,
} from './firewall-log.js';
export { type FirewallLogHeader, type TimeFormat, XP_SP2_FIELDS } from './header.js';
