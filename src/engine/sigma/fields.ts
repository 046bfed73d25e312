/**
 * Sigma field names and log sources mapped onto EventRecord (src/model/records.ts). The table is
 * the documentation (README.md in this folder repeats it).
 */

/** Sigma field (case-insensitive) -> EventRecord field. Any other name -> `fields.<name>`. */
export const sigmaFieldMap: Readonly<Record<string, string>> = {
  eventid: 'eventId',
  provider_name: 'provider',
  source: 'provider',
  sourcename: 'provider',
  channel: 'channel',
  computer: 'computer',
  computername: 'computer',
  level: 'level',
  eventrecordid: 'recordId',
  recordnumber: 'recordId',
  userid: 'userSid',
  securityuserid: 'userSid',
  message: 'message',
};

/** EVTX numeric levels as EventRecord names them (Sigma rules write `Level: 2`). */
export const sigmaLevelNames: Readonly<Record<string, string>> = {
  '0': 'Information',
  '1': 'Critical',
  '2': 'Error',
  '3': 'Warning',
  '4': 'Information',
  '5': 'Verbose',
};

/** The record field a Sigma field name stands for; undefined when it cannot be one (dotted names). */
export function mapSigmaField(name: string): string | undefined {
  const direct = sigmaFieldMap[name.toLowerCase()];
  if (direct !== undefined) return direct;
  // `fields.a.b` would be read as a nested path; EventData names never contain dots.
  if (name.includes('.') || name === '') return undefined;
  return `fields.${name}`;
}

/** Sigma `logsource.service` (product windows) -> the channel it reads. */
export const sigmaServiceChannels: Readonly<Record<string, string>> = {
  system: 'System',
  application: 'Application',
  security: 'Security',
  sysmon: 'Microsoft-Windows-Sysmon/Operational',
  powershell: 'Microsoft-Windows-PowerShell/Operational',
  'powershell-classic': 'Windows PowerShell',
  taskscheduler: 'Microsoft-Windows-TaskScheduler/Operational',
  wmi: 'Microsoft-Windows-WMI-Activity/Operational',
  'dns-server': 'DNS Server',
  'driver-framework': 'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
  ntlm: 'Microsoft-Windows-NTLM/Operational',
  windefend: 'Microsoft-Windows-Windows Defender/Operational',
  'bits-client': 'Microsoft-Windows-Bits-Client/Operational',
  'terminalservices-localsessionmanager':
    'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
};
