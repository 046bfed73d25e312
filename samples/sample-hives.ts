/**
 * Registry hives of the two sample hosts (SYSTEM and SOFTWARE), described once and built by the
 * project's hive writer (no external tool, byte-for-byte reproducible). The tests merge the
 * same descriptions into hives with `hivexregedit` as well.
 * - WS-ACCT-07: Windows XP SP1, Blaster.A Run value, no KB823980, EnableDCOM Y, Tokyo time;
 * - WS-ACCT-02: Windows XP SP1 with KB823980 and KB824146 (Updates\Windows XP\SP2), Tokyo time.
 */
import {
  buildSpecHive,
  dwords,
  filetimeBytes,
  filetimeOf,
  type SpecKey,
  type SpecValue,
} from '../src/artifacts/test-support/hive-spec.js';

/** Tokyo Standard Time: UTC+9, no daylight saving (Bias -540 minutes). */
export const SAMPLE_UTC_OFFSET_MINUTES = 540;

const INSTALL_SECONDS = Date.UTC(2003, 2, 3, 9, 12, 40) / 1000;
const INFECTION_ISO = '2003-08-12T05:01:54Z';
const SETUP_ISO = '2003-03-03T09:30:00Z';

/** `Services\RpcSs` FailureActions as XP ships it: reset 0, one action, reboot after 60 s. */
export const RPCSS_DEFAULT_FAILURE_ACTIONS = dwords(0, 0, 0, 1, 0x14, 2, 60_000);

function osKeys(hotfixes: Array<{ path: string; description: string; installed: string }>): SpecKey[] {
  return [
    {
      path: 'Microsoft\\Windows NT\\CurrentVersion',
      lastWrite: filetimeOf('2003-03-03T09:40:00Z'),
      values: [
        { name: 'CurrentBuild', sz: '1.511.1 () (Obsolete data - do not use)' },
        { name: 'InstallDate', dword: INSTALL_SECONDS },
        { name: 'ProductName', sz: 'Microsoft Windows XP' },
        { name: 'RegisteredOrganization', sz: 'Accounting' },
        { name: 'RegisteredOwner', sz: 'Accounting' },
        { name: 'SystemRoot', sz: 'C:\\WINDOWS' },
        { name: 'CurrentVersion', sz: '5.1' },
        { name: 'CurrentBuildNumber', sz: '2600' },
        { name: 'CSDVersion', sz: 'Service Pack 1' },
      ],
    },
    {
      path: 'Microsoft\\Windows NT\\CurrentVersion\\HotFix\\Q815021',
      lastWrite: filetimeOf('2003-04-02T01:10:00Z'),
      values: [
        { name: 'Comments', sz: 'Windows XP Hotfix - Q815021' },
        { name: 'Installed', dword: 1 },
      ],
    },
    ...hotfixes.flatMap(({ path, description, installed }): SpecKey[] => [
      {
        path: `Microsoft\\Updates\\Windows XP\\SP2\\${path}`,
        lastWrite: filetimeOf(installed),
        values: [
          { name: 'Description', sz: description },
          { name: 'InstalledBy', sz: 'Administrator' },
          { name: 'InstalledDate', sz: installed.slice(0, 10) },
          { name: 'Type', sz: 'Update' },
        ],
      },
      {
        path: `Microsoft\\Windows\\CurrentVersion\\Uninstall\\${path}`,
        lastWrite: filetimeOf(installed),
        values: [{ name: 'DisplayName', sz: description }],
      },
    ]),
  ];
}

function softwareKeys(host: 'infected' | 'clean'): SpecKey[] {
  const hotfixes = [
    { path: 'KB329115', description: 'Windows XP Hotfix - KB329115', installed: '2003-04-02T01:12:00Z' },
  ];
  if (host === 'clean') {
    hotfixes.push(
      { path: 'KB823980', description: 'Windows XP Hotfix - KB823980', installed: '2003-07-21T02:30:00Z' },
      { path: 'KB824146', description: 'Windows XP Hotfix - KB824146', installed: '2003-09-11T02:05:00Z' },
    );
  }
  const run: SpecKey = {
    path: 'Microsoft\\Windows\\CurrentVersion\\Run',
    lastWrite: filetimeOf(host === 'infected' ? INFECTION_ISO : '2003-03-03T09:40:00Z'),
    values: [
      { name: 'SoundMAXPnP', sz: 'C:\\Program Files\\Analog Devices\\SoundMAX\\SMax4PNP.exe' },
      ...(host === 'infected' ? [{ name: 'windows auto update', sz: 'msblast.exe' }] : []),
    ],
  };
  return [
    run,
    { path: 'Microsoft\\Windows\\CurrentVersion\\RunOnce', lastWrite: filetimeOf('2003-03-03T09:40:00Z') },
    {
      path: 'Microsoft\\Ole',
      lastWrite: filetimeOf('2003-03-03T09:20:00Z'),
      values: [
        { name: 'EnableDCOM', sz: 'Y' },
        { name: 'EnableRemoteConnect', sz: 'N' },
      ],
    },
    ...osKeys(hotfixes),
  ];
}

function service(
  controlSet: string,
  name: string,
  displayName: string,
  imagePath: string,
  start: number,
  type: number,
  extra: SpecValue[] = [],
): SpecKey {
  return {
    path: `${controlSet}\\Services\\${name}`,
    lastWrite: filetimeOf(SETUP_ISO),
    values: [
      { name: 'DisplayName', sz: displayName },
      { name: 'ImagePath', expandSz: imagePath },
      { name: 'Start', dword: start },
      { name: 'Type', dword: type },
      ...extra,
    ],
  };
}

/** The services every sample host has (a few of XP's, enough to read like one). */
function services(controlSet: string): SpecKey[] {
  return [
    service(controlSet, 'Eventlog', 'Event Log', '%SystemRoot%\\system32\\services.exe', 2, 0x20),
    service(controlSet, 'Messenger', 'Messenger', '%SystemRoot%\\System32\\svchost.exe -k netsvcs', 2, 0x20),
    service(
      controlSet,
      'RpcSs',
      'Remote Procedure Call (RPC)',
      '%SystemRoot%\\system32\\svchost -k rpcss',
      2,
      0x20,
      [{ name: 'FailureActions', binary: RPCSS_DEFAULT_FAILURE_ACTIONS }],
    ),
    service(controlSet, 'Tcpip', 'TCP/IP Protocol Driver', 'System32\\DRIVERS\\tcpip.sys', 1, 1),
    service(controlSet, 'TlntSvr', 'Telnet', 'C:\\WINDOWS\\system32\\tlntsvr.exe', 4, 0x10),
    ...['Application', 'Security', 'System'].map((log) => eventLogKey(controlSet, log)),
  ];
}

/** Where XP keeps each event log file (`Services\Eventlog\<log>\File`). */
function eventLogKey(controlSet: string, log: string): SpecKey {
  const file = { Application: 'AppEvent.Evt', Security: 'SecEvent.Evt', System: 'SysEvent.Evt' }[log];
  return {
    path: `${controlSet}\\Services\\Eventlog\\${log}`,
    lastWrite: filetimeOf(SETUP_ISO),
    values: [
      { name: 'File', expandSz: `%SystemRoot%\\system32\\config\\${file}` },
      { name: 'MaxSize', dword: 0x80000 },
      { name: 'Retention', dword: 0x93a80 },
    ],
  };
}

/**
 * The sample hosts' system disk: an MBR disk with this signature, C: at 1 MiB (what the image
 * tests build with sfdisk `label-id`), so MountedDevices gives the image volume its letter.
 */
export const SAMPLE_DISK_SIGNATURE = 0x0b1a5703;
export const SAMPLE_SYSTEM_PARTITION_START = 1024 * 1024;

/** `MountedDevices` data of an MBR basic-disk volume: disk signature, then byte offset. */
function mbrVolumeData(signature: number, offset: number): Uint8Array {
  const data = new Uint8Array(12);
  const view = new DataView(data.buffer);
  view.setUint32(0, signature, true);
  view.setBigUint64(4, BigInt(offset), true);
  return data;
}

function utf16Data(text: string): Uint8Array {
  const data = new Uint8Array(text.length * 2);
  for (let index = 0; index < text.length; index += 1) {
    data[index * 2] = text.charCodeAt(index) & 0xff;
    data[index * 2 + 1] = text.charCodeAt(index) >> 8;
  }
  return data;
}

/** C: on the system disk, D: the CD-ROM, and the volume GUID names beside them (as XP writes). */
function mountedDevicesKey(): SpecKey {
  const system = mbrVolumeData(SAMPLE_DISK_SIGNATURE, SAMPLE_SYSTEM_PARTITION_START);
  const cdrom = utf16Data(
    '\\??\\IDE#CdRomNECVMWar_VMware_IDE_CDR10_______________1.00____#3031303030303030303030303030303030303130#{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}',
  );
  return {
    path: 'MountedDevices',
    values: [
      { name: '\\??\\Volume{6b4a4f3c-5a9e-11d7-9f3e-806d6172696f}', binary: system },
      { name: '\\??\\Volume{6b4a4f3d-5a9e-11d7-9f3e-806d6172696f}', binary: cdrom },
      { name: '\\DosDevices\\C:', binary: system },
      { name: '\\DosDevices\\D:', binary: cdrom },
    ],
  };
}

/** A SYSTEM hive's keys for a host named `computerName`, Tokyo time, XP SP1. */
export function systemKeys(computerName: string, shutdown: string): SpecKey[] {
  const keys: SpecKey[] = [
    {
      path: 'Select',
      values: [
        { name: 'Current', dword: 1 },
        { name: 'Default', dword: 1 },
        { name: 'Failed', dword: 0 },
        { name: 'LastKnownGood', dword: 2 },
      ],
    },
    {
      path: 'ControlSet001\\Control\\ComputerName\\ComputerName',
      values: [{ name: 'ComputerName', sz: computerName }],
    },
    {
      path: 'ControlSet001\\Control\\TimeZoneInformation',
      values: [
        { name: 'Bias', dword: -SAMPLE_UTC_OFFSET_MINUTES >>> 0 },
        { name: 'StandardName', sz: 'Tokyo Standard Time' },
        { name: 'StandardBias', dword: 0 },
        { name: 'StandardStart', binary: new Uint8Array(16) },
        { name: 'DaylightName', sz: 'Tokyo Daylight Time' },
        { name: 'DaylightBias', dword: -60 >>> 0 },
        { name: 'DaylightStart', binary: new Uint8Array(16) },
        { name: 'ActiveTimeBias', dword: -SAMPLE_UTC_OFFSET_MINUTES >>> 0 },
      ],
    },
    {
      path: 'ControlSet001\\Control\\Windows',
      values: [
        { name: 'CSDVersion', dword: 0x100 },
        { name: 'ShutdownTime', binary: filetimeBytes(shutdown) },
      ],
    },
    ...services('ControlSet001'),
    {
      path: 'ControlSet001\\Services\\Tcpip\\Parameters',
      values: [{ name: 'Hostname', sz: computerName.toLowerCase() }],
    },
    ...services('ControlSet002'),
    mountedDevicesKey(),
  ];
  // Setup wrote these keys; the shutdown rewrote `Control\Windows`.
  return keys.map((key) => ({
    ...key,
    lastWrite: key.lastWrite ?? filetimeOf(key.path.endsWith('Control\\Windows') ? shutdown : SETUP_ISO),
  }));
}

/** WS-ACCT-07's SYSTEM and SOFTWARE hive descriptions. */
export function infectedHostHiveKeys(): { system: SpecKey[]; software: SpecKey[] } {
  return { system: systemKeys('WS-ACCT-07', '2003-08-13T01:25:00Z'), software: softwareKeys('infected') };
}

/** WS-ACCT-02's SYSTEM and SOFTWARE hive descriptions. */
export function cleanHostHiveKeys(): { system: SpecKey[]; software: SpecKey[] } {
  return { system: systemKeys('WS-ACCT-02', '2003-08-13T02:10:00Z'), software: softwareKeys('clean') };
}

/** The hive files a sample host adds to its zip (KAPE layout). */
export function sampleHiveFiles(
  keys: { system: SpecKey[]; software: SpecKey[] },
  mtime: Date,
): Array<{ path: string; data: Uint8Array; mtime: Date }> {
  return [
    { path: 'C/WINDOWS/system32/config/SYSTEM', data: buildSpecHive(keys.system, 'SYSTEM'), mtime },
    { path: 'C/WINDOWS/system32/config/SOFTWARE', data: buildSpecHive(keys.software, 'SOFTWARE'), mtime },
  ];
}

/** WS-ACCT-07's hives as sample files (kept apart from sample-hosts.ts so other additions merge cleanly). */
export function infectedHostHives(mtime: Date): Array<{ path: string; data: Uint8Array; mtime: Date }> {
  return sampleHiveFiles(infectedHostHiveKeys(), mtime);
}

/** WS-ACCT-02's hives as sample files. */
export function cleanHostHives(mtime: Date): Array<{ path: string; data: Uint8Array; mtime: Date }> {
  return sampleHiveFiles(cleanHostHiveKeys(), mtime);
}
