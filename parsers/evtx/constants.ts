/**
 * On-disk constants of the Windows XML Event Log, named as in libyal/libevtx
 * "Windows XML Event Log (EVTX).asciidoc" (sections 2 file header, 3 chunk, 4 event record,
 * and the binary XML sections of the libfwevt documentation it refers to).
 */
import { asciiBytes } from '../io/index.js';

export const FORMAT = 'evtx';

// File header (section 2.1)
export const FILE_SIGNATURE = asciiBytes('ElfFile\0');
export const FILE_HEADER_SIZE = 128;
export const FILE_HEADER_BLOCK_SIZE = 4096;
export const FILE_HEADER_CHECKSUMMED_SIZE = 120;
export const FILE_FLAG_DIRTY = 0x0001;
export const FILE_FLAG_FULL = 0x0002;

// Chunk (section 3)
export const CHUNK_SIGNATURE = asciiBytes('ElfChnk\0');
export const CHUNK_SIZE = 65536;
export const CHUNK_HEADER_SIZE = 512;
export const CHUNK_HEADER_CHECKSUMMED_SIZE = 120;
export const CHUNK_COMMON_STRING_TABLE_OFFSET = 128;
export const CHUNK_COMMON_STRING_BUCKETS = 64;
export const CHUNK_TEMPLATE_TABLE_OFFSET = 384;
export const CHUNK_TEMPLATE_BUCKETS = 32;

// Event record (section 4)
export const RECORD_SIGNATURE = new Uint8Array([0x2a, 0x2a, 0x00, 0x00]);
export const RECORD_HEADER_SIZE = 24;
/** Header plus the trailing copy of the size. */
export const RECORD_MIN_SIZE = 28;

// Binary XML tokens (libfwevt "Binary XML" token types); 0x40 marks "more data" variants.
export const TOKEN_EOF = 0x00;
export const TOKEN_OPEN_START_ELEMENT = 0x01;
export const TOKEN_CLOSE_START_ELEMENT = 0x02;
export const TOKEN_CLOSE_EMPTY_ELEMENT = 0x03;
export const TOKEN_END_ELEMENT = 0x04;
export const TOKEN_VALUE = 0x05;
export const TOKEN_ATTRIBUTE = 0x06;
export const TOKEN_CDATA_SECTION = 0x07;
export const TOKEN_CHARACTER_REFERENCE = 0x08;
export const TOKEN_ENTITY_REFERENCE = 0x09;
export const TOKEN_PI_TARGET = 0x0a;
export const TOKEN_PI_DATA = 0x0b;
export const TOKEN_TEMPLATE_INSTANCE = 0x0c;
export const TOKEN_NORMAL_SUBSTITUTION = 0x0d;
export const TOKEN_OPTIONAL_SUBSTITUTION = 0x0e;
export const TOKEN_FRAGMENT_HEADER = 0x0f;
export const TOKEN_FLAG_MORE = 0x40;

// Value types (libfwevt "Value types"); arrays are type | 0x80.
export const VALUE_NULL = 0x00;
export const VALUE_STRING = 0x01;
export const VALUE_ANSI_STRING = 0x02;
export const VALUE_INT8 = 0x03;
export const VALUE_UINT8 = 0x04;
export const VALUE_INT16 = 0x05;
export const VALUE_UINT16 = 0x06;
export const VALUE_INT32 = 0x07;
export const VALUE_UINT32 = 0x08;
export const VALUE_INT64 = 0x09;
export const VALUE_UINT64 = 0x0a;
export const VALUE_REAL32 = 0x0b;
export const VALUE_REAL64 = 0x0c;
export const VALUE_BOOL = 0x0d;
export const VALUE_BINARY = 0x0e;
export const VALUE_GUID = 0x0f;
export const VALUE_SIZE_T = 0x10;
export const VALUE_FILETIME = 0x11;
export const VALUE_SYSTEMTIME = 0x12;
export const VALUE_SID = 0x13;
export const VALUE_HEX_INT32 = 0x14;
export const VALUE_HEX_INT64 = 0x15;
export const VALUE_EVT_HANDLE = 0x20;
export const VALUE_BINXML = 0x21;
export const VALUE_EVT_XML = 0x23;
export const VALUE_ARRAY_FLAG = 0x80;

/** Recursion bounds: nested templates / BinXML values, and element depth. */
export const MAX_FRAGMENT_DEPTH = 16;
export const MAX_ELEMENT_DEPTH = 128;
