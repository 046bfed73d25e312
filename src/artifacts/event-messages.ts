/**
 * English message templates for the few events a Blaster/Welchia triage reads, and the names of
 * their insertion strings. Windows renders an event's text from the provider's message DLL
 * (`%1`..`%n` are the insertion strings); offline we have no DLLs, so the texts of the events that
 * matter are kept here. Texts are Windows XP / Server 2003 English as Event Viewer shows them
 * (double spaces after full stops included where XP has them); where the exact text is not known
 * the comment says so and the template is kept plain. Every other event's message is its
 * insertion strings, shown raw.
 */

export interface MessageTemplate {
  /** Providers (event sources) that log the event, compared case-insensitively. */
  providers: readonly string[];
  eventId: number;
  /** `%1`.. = the insertion strings. */
  text: string;
  /** Names of the insertion strings in order (`fields.<name>` for rules); empty = none known. */
  names: readonly string[];
  /** Only when the event has at least this many strings (the Vista+ shape of the same ID). */
  minStrings?: number;
  /** Only when the event has at most this many strings (the XP shape of the same ID). */
  maxStrings?: number;
}

const SCM = ['Service Control Manager'];
const EVENTLOG = ['EventLog'];
const APPLICATION_ERROR = ['Application Error'];
// Windows 2000 logs Dr. Watson crashes under the source "DrWatson" (Event Viewer shows it so).
const DR_WATSON = ['DrWatson', 'Dr. Watson', 'Dr Watson'];

export const messageTemplates: readonly MessageTemplate[] = [
  {
    providers: SCM,
    eventId: 7031,
    text: 'The %1 service terminated unexpectedly.  It has done this %2 time(s).  The following corrective action will be taken in %3 milliseconds: %5.',
    // %4 is the SC_ACTION type (0 none, 1 restart, 2 reboot, 3 run a command); %5 its text.
    names: ['ServiceName', 'FailureCount', 'ActionDelayMs', 'ActionType', 'Action'],
  },
  {
    providers: SCM,
    eventId: 7034,
    text: 'The %1 service terminated unexpectedly.  It has done this %2 time(s).',
    names: ['ServiceName', 'FailureCount'],
  },
  {
    providers: SCM,
    eventId: 7035,
    text: 'The %1 service was successfully sent a %2 control.',
    names: ['ServiceName', 'Control'],
  },
  {
    providers: SCM,
    eventId: 7036,
    text: 'The %1 service entered the %2 state.',
    names: ['ServiceName', 'State'],
  },
  {
    providers: SCM,
    eventId: 7040,
    text: 'The start type of the %1 service was changed from %2 to %3.',
    // Vista+ adds the service key name as %4.
    names: ['ServiceName', 'OldStartType', 'NewStartType', 'ServiceKeyName'],
  },
  {
    providers: SCM,
    eventId: 7045,
    // Vista+/2008 text (the event does not exist on XP/2003).
    text: 'A service was installed in the system.\n\nService Name:  %1\nService File Name:  %2\nService Type:  %3\nService Start Type:  %4\nService Account:  %5',
    names: ['ServiceName', 'ImagePath', 'ServiceType', 'StartType', 'AccountName'],
  },
  { providers: EVENTLOG, eventId: 6005, text: 'The Event log service was started.', names: [] },
  { providers: EVENTLOG, eventId: 6006, text: 'The Event log service was stopped.', names: [] },
  {
    providers: EVENTLOG,
    eventId: 6008,
    text: 'The previous system shutdown at %1 on %2 was unexpected.',
    names: ['ShutdownTime', 'ShutdownDate'],
  },
  {
    providers: EVENTLOG,
    eventId: 6009,
    text: 'Microsoft (R) Windows (R) %1 %2 %3 %4.',
    names: ['OsVersion', 'OsBuild', 'ServicePack', 'OsType'],
  },
  {
    providers: ['USER32', 'User32'],
    eventId: 1074,
    // XP (six strings, the user comes from the record's SID), as analysts quote it; the exact
    // line breaks are not confirmed. The catalog has no source for what 1074 says when the SCM
    // restarts the host after the RPC crash.
    text: 'The process %1 has initiated the %5 of %2 for the following reason: %3 Minor Reason: %4 Shutdown Type: %5 Comment: %6',
    names: ['Process', 'Computer', 'Reason', 'ReasonCode', 'ShutdownType', 'Comment'],
    maxStrings: 6,
  },
  {
    providers: ['USER32', 'User32'],
    eventId: 1074,
    // 2003 SP1 and later (seven strings, the user as %7); line breaks as above.
    minStrings: 7,
    text: 'The process %1 has initiated the %5 of computer %2 on behalf of user %7 for the following reason: %3 Reason Code: %4 Shutdown Type: %5 Comment: %6',
    names: ['Process', 'Computer', 'Reason', 'ReasonCode', 'ShutdownType', 'Comment', 'User'],
  },
  {
    providers: ['DCOM', 'Microsoft-Windows-DistributedCOM'],
    eventId: 10005,
    text: 'DCOM got error "%1" attempting to start the service %2 with arguments "%3" in order to run the server: %4',
    names: ['Error', 'Service', 'Arguments', 'Server'],
  },
  {
    providers: ['DCOM', 'Microsoft-Windows-DistributedCOM'],
    eventId: 10010,
    text: 'The server %1 did not register with DCOM within the required timeout.',
    names: ['Server'],
  },
  {
    providers: APPLICATION_ERROR,
    eventId: 1000,
    // XP/2003: five strings.
    text: 'Faulting application %1, version %2, faulting module %3, version %4, fault address 0x%5.',
    names: ['AppName', 'AppVersion', 'ModuleName', 'ModuleVersion', 'FaultAddress'],
    maxStrings: 7,
  },
  {
    providers: APPLICATION_ERROR,
    eventId: 1000,
    // Vista and later: name, version, time stamp of application and module, code, offset, ...
    text: 'Faulting application name: %1, version: %2, time stamp: 0x%3\nFaulting module name: %4, version: %5, time stamp: 0x%6\nException code: 0x%7\nFault offset: 0x%8\nFaulting process id: 0x%9\nFaulting application start time: 0x%10\nFaulting application path: %11\nFaulting module path: %12\nReport Id: %13',
    names: [
      'AppName',
      'AppVersion',
      'AppTimeStamp',
      'ModuleName',
      'ModuleVersion',
      'ModuleTimeStamp',
      'ExceptionCode',
      'FaultOffset',
      'ProcessId',
      'AppStartTime',
      'AppPath',
      'ModulePath',
      'ReportId',
    ],
    minStrings: 8,
  },
  {
    providers: APPLICATION_ERROR,
    eventId: 1001,
    // XP error reporting's follow-up event; text kept plain (exact wording not confirmed).
    text: 'Fault bucket %1.',
    names: ['FaultBucket'],
    maxStrings: 1,
  },
  {
    providers: DR_WATSON,
    eventId: 4097,
    // Windows 2000 Dr. Watson; the wording is as analysts quote it, not checked against the DLL.
    text: 'The application, %1, generated an application error The error occurred on %2 @ %3 The exception generated was %4 at address %5 (%6)',
    names: ['AppPath', 'Date', 'Time', 'ExceptionCode', 'Address', 'Symbol'],
  },
];

const byKey = new Map<string, MessageTemplate[]>();
for (const template of messageTemplates) {
  for (const provider of template.providers) {
    const key = `${provider.toLowerCase()}\u0000${template.eventId}`;
    const list = byKey.get(key) ?? [];
    list.push(template);
    byKey.set(key, list);
  }
}

/** The template for an event (provider or its classic source name, plain event ID), if any. */
export function findTemplate(
  providers: ReadonlyArray<string | undefined>,
  eventId: number,
  stringCount: number,
): MessageTemplate | undefined {
  for (const provider of providers) {
    if (provider === undefined) continue;
    const candidates = byKey.get(`${provider.toLowerCase()}\u0000${eventId}`);
    if (candidates === undefined) continue;
    const fit = candidates.find(
      (t) =>
        (t.minStrings === undefined || stringCount >= t.minStrings) &&
        (t.maxStrings === undefined || stringCount <= t.maxStrings),
    );
    if (fit !== undefined) return fit;
  }
  return undefined;
}

/**
 * Replaces `%1`..`%99` with the insertion strings. A number with no string stays as written
 * (Event Viewer does the same); `%%` sequences (parameter-message references) are left alone.
 */
export function renderMessage(text: string, strings: readonly string[]): string {
  return text.replace(/%(%?)(\d{1,2})/g, (whole, percent: string, digits: string) => {
    if (percent !== '') return whole;
    const value = strings[Number(digits) - 1];
    return value ?? whole;
  });
}

/** The raw form for events without a template: the insertion strings, separated by `; `. */
export function rawMessage(strings: readonly string[]): string {
  return strings.join('; ');
}
