// String values: the three forms a Redis string takes here and the operations on them.
// A latin1 JS string (immutable, compact), a number (canonical integers, Redis's "int"
// encoding), or a ByteString (a mutable byte buffer, used once APPEND/SETRANGE/SETBIT edit it).
// Pure data: imports only types/ and util/.
import type { TypedValue, Value } from "./value.ts";
import { latin1 } from "../util/bytes.ts";

export type StringValue = string | number | ByteString;

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_LIMIT = 44;

export class ByteString implements TypedValue {
  readonly type = "string" as const;
  buf: Uint8Array;
  len: number;

  constructor(initial: Uint8Array | string, extra = 0) {
    if (typeof initial === "string") {
      this.buf = new Uint8Array(initial.length + extra);
      Buffer.from(this.buf.buffer).write(initial, 0, "latin1");
      this.len = initial.length;
    } else {
      this.buf = new Uint8Array(initial.length + extra);
      this.buf.set(initial);
      this.len = initial.length;
    }
  }

  encoding(): string {
    return "raw";
  }

  clone(): ByteString {
    return new ByteString(this.bytes());
  }

  /** Grow (zero-filled) so that at least n bytes are addressable. */
  grow(n: number): void {
    if (n <= this.len) return;
    if (n > this.buf.length) {
      const cap = Math.max(n, Math.min(this.buf.length * 2, n + 1024 * 1024));
      const nb = new Uint8Array(cap);
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    } else {
      this.buf.fill(0, this.len, n);
    }
    this.len = n;
  }

  append(bytes: Uint8Array): void {
    const at = this.len;
    this.grow(at + bytes.length);
    this.buf.set(bytes, at);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  toLatin1(): string {
    return latin1(this.buf, 0, this.len);
  }
}

export function isStringValue(v: Value): v is StringValue {
  return typeof v !== "object" || v.type === "string";
}

/** Length in bytes. */
export function strLen(v: StringValue): number {
  if (typeof v === "string") return v.length;
  if (typeof v === "number") return String(v).length;
  return v.len;
}

/** The value as a latin1 byte string. */
export function strOf(v: StringValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return v.toLatin1();
}

/** The value as bytes (a view for ByteString; a fresh buffer otherwise). */
export function bytesOfValue(v: StringValue): Uint8Array {
  if (typeof v === "object") return v.bytes();
  return Buffer.from(typeof v === "number" ? String(v) : v, "latin1");
}

/**
 * Redis's tryObjectEncoding for a freshly stored string: a canonical integer (as string2l
 * accepts it) within JS's exact range is kept as a number, anything else as the string.
 */
export function storeString(s: string): StringValue {
  const n = s.length;
  if (n === 0 || n > 16) return s;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45)) return s;
  const v = canonicalInt(s);
  return v === null ? s : v;
}

/** storeString's test on bytes b[s, e): the integer they spell canonically (≤ 16 chars), or null. */
export function canonicalIntBytes(b: Uint8Array, s: number, e: number): number | null {
  const n = e - s;
  if (n === 0 || n > 16) return null;
  let i = s;
  let neg = false;
  if (b[i] === 45) {
    if (n === 1) return null;
    neg = true;
    i++;
  }
  if (b[i] === 48) return n === 1 ? 0 : null;
  let v = 0;
  for (; i < e; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v > Number.MAX_SAFE_INTEGER) return null;
  return neg ? -v : v;
}

/** The integer a canonical decimal string denotes, if within ±2^53; else null. */
export function canonicalInt(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 17) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v > Number.MAX_SAFE_INTEGER) return null;
  return neg ? -v : v;
}

/** OBJECT ENCODING of a string value, as Redis names it. */
export function stringEncoding(v: StringValue): string {
  if (typeof v === "number") return "int";
  if (typeof v === "object") return "raw";
  if (v.length <= 20 && canonicalInt64(v)) return "int";
  return v.length <= EMBSTR_LIMIT ? "embstr" : "raw";
}

/** True if s is a canonical decimal int64 (for strings beyond JS's exact range). */
function canonicalInt64(s: string): boolean {
  if (!/^-?(0|[1-9][0-9]*)$/.test(s) || s === "-0") return false;
  const b = BigInt(s);
  return b >= -(1n << 63n) && b < 1n << 63n;
}
