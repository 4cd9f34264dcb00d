// The value union stored in a database, and Redis's type names for it.
// A string value is a latin1 JS string, a small integer (Redis's "int" encoding) or a mutable
// ByteString; every other type is an object naming its type. Pure data: no imports of ours.

export type RedisType = "string" | "list" | "hash" | "set" | "zset" | "stream";

/** Any non-primitive stored value: ByteString, lists, hashes, sets, sorted sets. */
export interface TypedValue {
  readonly type: RedisType;
  /** Redis's OBJECT ENCODING name for the current form. */
  encoding(): string;
  /** A deep copy (COPY, and snapshots that must not see later writes). */
  clone(): TypedValue;
}

export type Value = string | number | TypedValue;

export function typeOf(v: Value): RedisType {
  return typeof v === "object" ? v.type : "string";
}
