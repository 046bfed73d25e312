/**
 * Names for MBR partition type bytes and GPT partition type GUIDs. MBR names follow the
 * descriptions The Sleuth Kit's mmls prints, so that reports read the same in both tools.
 */
const mbrTypeNames: Record<number, string> = {
  0: 'Empty',
  1: 'DOS FAT12',
  2: 'XENIX root',
  3: 'XENIX /usr',
  4: 'DOS FAT16',
  5: 'DOS Extended',
  6: 'DOS FAT16',
  7: 'NTFS / exFAT',
  8: 'AIX Boot',
  9: 'AIX Data',
  10: 'OS/2 Boot Manager',
  11: 'Win95 FAT32',
  12: 'Win95 FAT32',
  14: 'Win95 FAT16',
  15: 'Win95 Extended',
  16: 'OPUS',
  17: 'DOS FAT12 Hidden',
  18: 'Hibernation',
  20: 'DOS FAT16 Hidden',
  22: 'DOS FAT16 Hidden',
  23: 'Hidden IFS/HPFS',
  24: 'AST SmartSleep',
  27: 'Win95 FAT32 Hidden',
  28: 'Win95 FAT32 Hidden',
  30: 'Win95 FAT16 Hidden',
  36: 'NEC DOS 3.x',
  60: 'PartitionMagic Recovery',
  66: 'Win LVM / Secure FS',
  77: 'QNX 4.x',
  82: 'Microport SysV/AT',
  99: 'UNIX System V',
  100: 'Novell Netware',
  128: 'MINIX <=v1.4a',
  129: 'MINIX >=v1.4b, Early Linux',
  130: 'Linux Swap / Solaris x86',
  131: 'Linux',
  132: 'Hibernation',
  133: 'Linux Extended',
  134: 'NTFS Volume Set',
  135: 'NTFS Volume Set',
  142: 'Linux Logical Volume Manager',
  147: 'Linux Hidden',
  159: 'BSD/OS',
  160: 'Hibernation',
  165: 'BSD/386, 386BSD, NetBSD, FreeBSD',
  166: 'OpenBSD',
  168: 'Mac OS X',
  169: 'NetBSD',
  171: 'Mac OS X Boot Partition',
  175: 'Mac OS X HFS',
  183: 'BSDI',
  184: 'BSDI Swap',
  190: 'Solaris 8 Boot',
  193: 'DR-DOS Secured FAT12',
  196: 'DR-DOS Secured FAT16 <32M',
  198: 'Corrupted Windows NT Volume / Stripe Set',
  218: 'Non-FS Data',
  222: 'Dell Utilities FAT',
  235: 'BeOS BFS',
  238: 'GPT Safety Partition',
  239: 'EFI File System',
  251: 'VMWare File System',
  253: 'Linux RAID',
  254: 'Windows NT Disk Administrator Hidden',
  255: 'Xenix Bad Block Table',
};

/** Container types whose first sector is an extended boot record (EBR). */
export const EXTENDED_TYPES: ReadonlySet<number> = new Set([0x05, 0x0f, 0x85]);

export function mbrTypeName(type: number): string {
  return mbrTypeNames[type] ?? 'Unknown Type';
}

/** GPT type GUIDs in their registry (mixed-endian) text form, upper case. */
const gptTypeNames: Record<string, string> = {
  '{00000000-0000-0000-0000-000000000000}': 'Unused',
  '{C12A7328-F81F-11D2-BA4B-00A0C93EC93B}': 'EFI system',
  '{024DEE41-33E7-11D3-9D69-0008C781F39F}': 'MBR partition scheme',
  '{21686148-6449-6E6F-744E-656564454649}': 'BIOS boot',
  '{E3C9E316-0B5C-4DB8-817D-F92DF00215AE}': 'Microsoft reserved',
  '{EBD0A0A2-B9E5-4433-87C0-68B6B72699C7}': 'Basic data',
  '{5808C8AA-7E8F-42E0-85D2-E1E90434CFB3}': 'Windows LDM metadata',
  '{AF9B60A0-1431-4F62-BC68-3311714A69AD}': 'Windows LDM data',
  '{DE94BBA4-06D1-4D40-A16A-BFD50179D6AC}': 'Windows recovery environment',
  '{E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D}': 'Windows storage spaces',
  '{0FC63DAF-8483-4772-8E79-3D69D8477DE4}': 'Linux filesystem',
  '{0657FD6D-A4AB-43C4-84E5-0933C84B4F4F}': 'Linux swap',
  '{E6D6D379-F507-44C2-A23C-238F2A3DF928}': 'Linux LVM',
  '{A19D880F-05FC-4D3B-A006-743F0F84911E}': 'Linux RAID',
  '{933AC7E1-2EB4-4F13-B844-0E14E2AEF915}': 'Linux home',
  '{4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709}': 'Linux root (x86-64)',
  '{48465300-0000-11AA-AA11-00306543ECAC}': 'Apple HFS+',
  '{7C3457EF-0000-11AA-AA11-00306543ECAC}': 'Apple APFS',
  '{516E7CB4-6ECF-11D6-8FF8-00022D09712B}': 'FreeBSD data',
  '{83BD6B9D-7F41-11DC-BE0B-001560B84F0F}': 'FreeBSD boot',
};

export function gptTypeName(guid: string): string {
  return gptTypeNames[guid.toUpperCase()] ?? 'Unknown';
}
