// The RDB format's numbers: version, opcodes, value type bytes, length/string encodings and the
// inner container formats' markers. Shared by the writer and the reader; no logic here.

/** The version we write: Redis 7.0's, loadable by 7.0 and every later release. */
export const RDB_VERSION = 10;
/** The newest version we read (Redis 7.2 writes 11). */
export const RDB_MAX_VERSION = 11;

// Opcodes that stand where a value type byte would.
export const OP_FUNCTION_PRE_GA = 0xf5;
export const OP_FUNCTION2 = 0xf6;
export const OP_MODULE_AUX = 0xf7;
export const OP_IDLE = 0xf8;
export const OP_FREQ = 0xf9;
export const OP_AUX = 0xfa;
export const OP_RESIZEDB = 0xfb;
export const OP_EXPIRETIME_MS = 0xfc;
export const OP_EXPIRETIME = 0xfd;
export const OP_SELECTDB = 0xfe;
export const OP_EOF = 0xff;

// Value types.
export const T_STRING = 0;
export const T_LIST = 1;
export const T_SET = 2;
export const T_ZSET = 3;
export const T_HASH = 4;
export const T_ZSET_2 = 5;
export const T_MODULE_PRE_GA = 6;
export const T_MODULE_2 = 7;
export const T_HASH_ZIPMAP = 9;
export const T_LIST_ZIPLIST = 10;
export const T_SET_INTSET = 11;
export const T_ZSET_ZIPLIST = 12;
export const T_HASH_ZIPLIST = 13;
export const T_LIST_QUICKLIST = 14;
export const T_STREAM_LISTPACKS = 15;
export const T_HASH_LISTPACK = 16;
export const T_ZSET_LISTPACK = 17;
export const T_LIST_QUICKLIST_2 = 18;
export const T_STREAM_LISTPACKS_2 = 19;
export const T_SET_LISTPACK = 20;
export const T_STREAM_LISTPACKS_3 = 21;

/** Redis's names for the types, for error messages. */
export const TYPE_NAMES: Readonly<Record<number, string>> = {
  [T_STRING]: "string",
  [T_LIST]: "list",
  [T_SET]: "set",
  [T_ZSET]: "zset",
  [T_HASH]: "hash",
  [T_ZSET_2]: "zset-v2",
  [T_MODULE_PRE_GA]: "module-pre-ga",
  [T_MODULE_2]: "module",
  [T_HASH_ZIPMAP]: "hash-zipmap",
  [T_LIST_ZIPLIST]: "list-ziplist",
  [T_SET_INTSET]: "set-intset",
  [T_ZSET_ZIPLIST]: "zset-ziplist",
  [T_HASH_ZIPLIST]: "hash-ziplist",
  [T_LIST_QUICKLIST]: "list-quicklist",
  [T_STREAM_LISTPACKS]: "stream",
  [T_HASH_LISTPACK]: "hash-listpack",
  [T_ZSET_LISTPACK]: "zset-listpack",
  [T_LIST_QUICKLIST_2]: "list-quicklist-v2",
  [T_STREAM_LISTPACKS_2]: "stream-v2",
  [T_SET_LISTPACK]: "set-listpack",
  [T_STREAM_LISTPACKS_3]: "stream-v3",
};

// Length encodings: the top two bits of the first byte.
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
export const LEN_ENCVAL = 3;

// Special string encodings (after the 0b11 prefix).
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

// quicklist 2 node containers.
export const QL_NODE_PLAIN = 1;
export const QL_NODE_PACKED = 2;

/** Strings longer than this are tried with LZF when rdbcompression is on. */
export const LZF_MIN_LEN = 20;
