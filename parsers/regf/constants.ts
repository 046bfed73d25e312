/**
 * Sizes, offsets and signatures of the regf format, named as in the specifications:
 * libyal/libregf "Windows NT Registry File (REGF) format" and msuhanov/regf
 * "Windows registry file format specification" (cited below as [msuhanov]).
 */
export const FORMAT = 'regf';

/** [msuhanov] Base block: 4096 bytes; hive bins data starts right after it. */
export const BASE_BLOCK_SIZE = 4096;
export const HIVE_BINS_DATA_OFFSET = BASE_BLOCK_SIZE;
export const BASE_BLOCK_CHECKSUMMED_SIZE = 508;
export const BASE_BLOCK_SIGNATURE = 0x66676572; // 'regf' little-endian
export const BB_PRIMARY_SEQUENCE = 4;
export const BB_SECONDARY_SEQUENCE = 8;
export const BB_LAST_WRITTEN = 12;
export const BB_MAJOR_VERSION = 20;
export const BB_MINOR_VERSION = 24;
export const BB_FILE_TYPE = 28;
export const BB_FILE_FORMAT = 32;
export const BB_ROOT_CELL_OFFSET = 36;
export const BB_HIVE_BINS_DATA_SIZE = 40;
export const BB_CLUSTERING_FACTOR = 44;
export const BB_FILE_NAME = 48;
export const BB_FILE_NAME_SIZE = 64;
export const BB_FLAGS = 144;
export const BB_CHECKSUM = 508;

export const FILE_TYPE_PRIMARY = 0;
export const FILE_TYPE_LOG_OLD = 1;
export const FILE_TYPE_LOG_WIN2000 = 2;
export const FILE_TYPE_LOG_NEW = 6;

/** [msuhanov] Hive bin header: 32 bytes, size a multiple of 4096. */
export const HBIN_SIGNATURE = 0x6e696268; // 'hbin'
export const HBIN_HEADER_SIZE = 32;
export const HBIN_OFFSET = 4;
export const HBIN_SIZE = 8;
export const HBIN_TIMESTAMP = 20;
export const HBIN_ALIGNMENT = 4096;

/** Cells: a signed 32-bit size (negative = allocated) then the cell data; 8-byte aligned. */
export const CELL_HEADER_SIZE = 4;
export const CELL_ALIGNMENT = 8;
/** An offset that points nowhere. */
export const NO_OFFSET = 0xffffffff;

/** Two-byte cell record signatures, read as little-endian u16. */
export const SIG_NK = 0x6b6e; // 'nk'
export const SIG_VK = 0x6b76; // 'vk'
export const SIG_SK = 0x6b73; // 'sk'
export const SIG_LF = 0x666c; // 'lf'
export const SIG_LH = 0x686c; // 'lh'
export const SIG_LI = 0x696c; // 'li'
export const SIG_RI = 0x6972; // 'ri'
export const SIG_DB = 0x6264; // 'db'

/** Key node (nk) field offsets inside the cell data. */
export const NK_FLAGS = 2;
export const NK_LAST_WRITTEN = 4;
export const NK_ACCESS_BITS = 12;
export const NK_PARENT = 16;
export const NK_SUBKEY_COUNT = 20;
export const NK_VOLATILE_SUBKEY_COUNT = 24;
export const NK_SUBKEY_LIST = 28;
export const NK_VOLATILE_SUBKEY_LIST = 32;
export const NK_VALUE_COUNT = 36;
export const NK_VALUE_LIST = 40;
export const NK_SECURITY = 44;
export const NK_CLASS_NAME = 48;
export const NK_LARGEST_SUBKEY_NAME = 52;
export const NK_NAME_LENGTH = 72;
export const NK_CLASS_NAME_LENGTH = 74;
export const NK_NAME = 76;

export const KEY_VOLATILE = 0x0001;
export const KEY_HIVE_EXIT = 0x0002;
export const KEY_HIVE_ENTRY = 0x0004;
export const KEY_NO_DELETE = 0x0008;
export const KEY_SYM_LINK = 0x0010;
export const KEY_COMP_NAME = 0x0020;

/** Key value (vk) field offsets inside the cell data. */
export const VK_NAME_LENGTH = 2;
export const VK_DATA_SIZE = 4;
export const VK_DATA_OFFSET = 8;
export const VK_DATA_TYPE = 12;
export const VK_FLAGS = 16;
export const VK_NAME = 20;
export const VALUE_COMP_NAME = 0x0001;
/** Data size high bit: the data (at most 4 bytes) is stored in the data offset field itself. */
export const VK_DATA_INLINE = 0x80000000;

/** Subkey lists: signature, u16 count, then elements (8 bytes for lf/lh, 4 for li/ri). */
export const LIST_COUNT = 2;
export const LIST_ELEMENTS = 4;

/** Big data (db): u16 segment count, u32 offset of the segment list. */
export const DB_SEGMENT_COUNT = 2;
export const DB_SEGMENT_LIST = 4;
/** Largest data in one cell; bigger data uses db in hives of version 1.4 and later. */
export const BIG_DATA_SEGMENT_SIZE = 16344;

/** Key security (sk). */
export const SK_FLINK = 4;
export const SK_BLINK = 8;
export const SK_REFERENCE_COUNT = 12;
export const SK_DESCRIPTOR_SIZE = 16;
export const SK_DESCRIPTOR = 20;

/** Transaction logs: old format dirty vector and new format log entries. */
export const LOG_SECTOR = 512;
export const DIRT_SIGNATURE = 0x54524944; // 'DIRT'
export const DIRTY_PAGE_SIZE = 512;
export const HVLE_SIGNATURE = 0x454c7648; // 'HvLE'
export const HVLE_SIZE = 4;
export const HVLE_FLAGS = 8;
export const HVLE_SEQUENCE = 12;
export const HVLE_HIVE_BINS_DATA_SIZE = 16;
export const HVLE_DIRTY_PAGE_COUNT = 20;
export const HVLE_HASH1 = 24;
export const HVLE_HASH2 = 32;
export const HVLE_REFERENCES = 40;
export const MARVIN32_LOG_SEED = 0x82ef4d887a4e55c5n;

/** Registry value types (winnt.h). */
export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_RESOURCE_LIST = 8;
export const REG_FULL_RESOURCE_DESCRIPTOR = 9;
export const REG_RESOURCE_REQUIREMENTS_LIST = 10;
export const REG_QWORD = 11;

export const VALUE_TYPE_NAMES: readonly string[] = [
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTOR',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_QWORD',
];

/** Limits on hostile input. */
export const MAX_HIVE_SIZE = 2 * 1024 * 1024 * 1024 - 1;
export const MAX_INDEX_ROOT_DEPTH = 8;
export const MAX_KEY_DEPTH = 512;
export const MAX_ERRORS_KEPT = 1000;
