// RESP request parser: multibulk and inline requests → Args (offsets, no copies).
// Resumable across partial frames: state is kept relative to the request start, so the
// caller may move the unparsed tail to another buffer between calls. Knows nothing of commands.
import { Args } from "./args.ts";
import { latin1 } from "../util/bytes.ts";

/** Parse outcome codes (a non-negative result is the position after a complete request). */
export const NEED_MORE = -1;
export const PROTO_ERROR = -2;

/** Redis's PROTO_INLINE_MAX_SIZE: the longest line we wait for before calling it an error. */
export const INLINE_MAX_SIZE = 64 * 1024;
const INT_MAX = 2147483647;
const CR = 13;
const LF = 10;

export class RequestParser {
  /** proto-max-bulk-len */
  maxBulkLen = 512 * 1024 * 1024;
  /** When set, large counts are refused before authentication (Redis: unauthenticated lengths). */
  authRequired = false;
  /** Set with PROTO_ERROR: the error reply text, code included ("ERR Protocol error: ..."). */
  error = "";
  /** After NEED_MORE: bytes from the request start that must be present before parsing again
   * helps (0 after a complete request). */
  need = 0;

  // Resumable multibulk state, relative to the request start.
  #pending = 0; // args still expected (0 = not inside a multibulk)
  #scan = 0; // where parsing resumes
  #bulkLen = -1; // length of the bulk being read, or -1 while reading its header

  /** True when a multibulk request is partly parsed. */
  get midRequest(): boolean {
    return this.#pending > 0;
  }

  /**
   * Parse one request from buf[pos, end). Returns the position after it (args filled; argc may
   * be 0 for an empty request), NEED_MORE (state saved; call again with the same request start),
   * or PROTO_ERROR (this.error set).
   */
  parse(buf: Uint8Array, pos: number, end: number, args: Args): number {
    if (this.#pending > 0) return this.#multibulk(buf, pos, end, args);
    if (buf[pos] === 42 /* '*' */) return this.#multibulkHeader(buf, pos, end, args);
    return this.#inline(buf, pos, end, args);
  }

  #multibulkHeader(buf: Uint8Array, pos: number, end: number, args: Args): number {
    const cr = findLineEnd(buf, CR, pos, end);
    if (cr < 0) {
      if (end - pos > INLINE_MAX_SIZE) return this.#fail("ERR Protocol error: too big mbulk count string");
      this.need = end - pos + 1;
      return NEED_MORE;
    }
    if (cr + 1 >= end) {
      this.need = cr - pos + 2;
      return NEED_MORE;
    }
    const n = parseLongLong(buf, pos + 1, cr);
    if (n === null || n > INT_MAX) return this.#fail("ERR Protocol error: invalid multibulk length");
    if (n > 10 && this.authRequired) return this.#fail("ERR Protocol error: unauthenticated multibulk length");
    if (n <= 0) {
      // Matches Redis: "*0" and negative counts are an empty request, silently skipped.
      args.argc = 0;
      this.need = 0;
      return cr + 2;
    }
    args.reserve(Math.min(n, 1 << 16));
    args.argc = 0;
    this.#pending = n;
    this.#scan = cr + 2 - pos;
    this.#bulkLen = -1;
    return this.#multibulk(buf, pos, end, args);
  }

  #multibulk(buf: Uint8Array, start: number, end: number, args: Args): number {
    let p = start + this.#scan;
    while (this.#pending > 0) {
      if (this.#bulkLen < 0) {
        const cr = findLineEnd(buf, CR, p, end);
        if (cr < 0) {
          if (end - p > INLINE_MAX_SIZE) return this.#fail("ERR Protocol error: too big bulk count string");
          return this.#wait(start, p, end - start + 1);
        }
        if (cr + 1 >= end) return this.#wait(start, p, cr - start + 2);
        if (buf[p] !== 36 /* '$' */) {
          return this.#fail(`ERR Protocol error: expected '$', got '${String.fromCharCode(buf[p]!)}'`);
        }
        const len = parseLongLong(buf, p + 1, cr);
        if (len === null || len < 0 || len > this.maxBulkLen) return this.#fail("ERR Protocol error: invalid bulk length");
        if (len > 16384 && this.authRequired) return this.#fail("ERR Protocol error: unauthenticated bulk length");
        this.#bulkLen = len;
        p = cr + 2;
      }
      const len = this.#bulkLen;
      if (end - p < len + 2) return this.#wait(start, p, p - start + len + 2);
      const i = args.argc;
      if (i === args.starts.length) args.reserve(i * 2);
      args.starts[i] = p - start;
      args.ends[i] = p - start + len;
      args.argc = i + 1;
      p += len + 2; // matches Redis: the CRLF after a bulk is skipped, not checked
      this.#bulkLen = -1;
      this.#pending--;
    }
    args.buf = buf;
    args.base = start;
    this.#scan = 0;
    this.need = 0;
    return p;
  }

  #wait(start: number, p: number, need: number): number {
    this.#scan = p - start;
    this.need = need;
    return NEED_MORE;
  }

  #inline(buf: Uint8Array, pos: number, end: number, args: Args): number {
    const lf = findLineEnd(buf, LF, pos, end);
    if (lf < 0) {
      if (end - pos > INLINE_MAX_SIZE) return this.#fail("ERR Protocol error: too big inline request");
      this.need = end - pos + 1;
      return NEED_MORE;
    }
    let lineEnd = lf;
    if (lineEnd > pos && buf[lineEnd - 1] === CR) lineEnd--;
    const parts = splitArgs(buf, pos, lineEnd);
    if (parts === null) return this.#fail("ERR Protocol error: unbalanced quotes in request");
    const built = Args.of(parts);
    args.buf = built.buf;
    args.base = 0;
    args.reserve(built.argc);
    args.starts.set(built.starts.subarray(0, built.argc));
    args.ends.set(built.ends.subarray(0, built.argc));
    args.argc = built.argc;
    this.need = 0;
    return lf + 1;
  }

  #fail(msg: string): number {
    this.error = msg;
    this.#pending = 0;
    this.#scan = 0;
    this.#bulkLen = -1;
    return PROTO_ERROR;
  }
}

/**
 * Where the line ending `byte` is in buf[from, to), or -1. Matches Redis, which looks for line
 * ends with strchr on its NUL-terminated query buffer: a NUL byte before the line end hides it,
 * so such a request waits for more input (and fails as "too big" past 64 KiB).
 */
function findLineEnd(buf: Uint8Array, byte: number, from: number, to: number): number {
  // Header lines are a few bytes long: a plain loop beats a native indexOf call here, and an
  // inline line is scanned once per data event at most.
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === byte) return i;
    if (c === 0) return -1;
  }
  return -1;
}

/**
 * Redis's string2ll over bytes: optional '-', no '+', no leading zeros (nor "-0"), no spaces,
 * within int64. Returns null when malformed. Values beyond 2^53 come back as the nearest double:
 * callers only compare lengths and counts against limits far below that.
 */
export function parseLongLong(buf: Uint8Array, start: number, end: number): number | null {
  const n = end - start;
  if (n === 0 || n > 20) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  const first = buf[i]!;
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (let k = i; k < end; k++) {
    const c = buf[k]! - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  const digits = end - i;
  if (digits > 15) {
    // Past 2^53 the digit loop above rounds at every step: take the correctly rounded value.
    if (digits > 19 || (digits === 19 && !fitsInt64(buf, i, neg))) return null;
    v = Number(latin1(buf, i, end));
  }
  return neg ? -v : v;
}

const INT64_MAX_DIGITS = "9223372036854775807";

/** 19 digits at buf[i]: within int64 (|min| is one more than max)? */
function fitsInt64(buf: Uint8Array, i: number, neg: boolean): boolean {
  for (let k = 0; k < 19; k++) {
    const d = buf[i + k]!;
    const m = INT64_MAX_DIGITS.charCodeAt(k) + (neg && k === 18 ? 1 : 0);
    if (d !== m) return d < m;
  }
  return true;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}

/**
 * Redis's sdssplitargs over bytes: quotes, escapes; null on unbalanced quotes. Redis works on a
 * C string, so a NUL byte ends the input: what follows is ignored (inside quotes: unbalanced).
 */
export function splitArgs(buf: Uint8Array, start: number, end: number): string[] | null {
  const out: string[] = [];
  const nul = buf.subarray(start, end).indexOf(0);
  if (nul >= 0) end = start + nul;
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p]!)) p++;
    if (p >= end) return out;
    let inq = false; // double quotes
    let insq = false; // single quotes
    let cur = "";
    for (;;) {
      if (inq) {
        if (p >= end) return null;
        const c = buf[p]!;
        if (c === 92 && p + 3 < end && buf[p + 1] === 120 && hexVal(buf[p + 2]!) >= 0 && hexVal(buf[p + 3]!) >= 0) {
          cur += String.fromCharCode(hexVal(buf[p + 2]!) * 16 + hexVal(buf[p + 3]!));
          p += 3;
        } else if (c === 92 && p + 1 < end) {
          p++;
          const e = buf[p]!;
          const m = e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e;
          cur += String.fromCharCode(m);
        } else if (c === 34) {
          if (p + 1 < end && !isSpace(buf[p + 1]!)) return null;
          p++;
          break;
        } else {
          cur += String.fromCharCode(c);
        }
      } else if (insq) {
        if (p >= end) return null;
        const c = buf[p]!;
        if (c === 92 && p + 1 < end && buf[p + 1] === 39) {
          p++;
          cur += "'";
        } else if (c === 39) {
          if (p + 1 < end && !isSpace(buf[p + 1]!)) return null;
          p++;
          break;
        } else {
          cur += String.fromCharCode(c);
        }
      } else {
        if (p >= end) break;
        const c = buf[p]!;
        if (c === 32 || c === 10 || c === 13 || c === 9) break;
        if (c === 34) inq = true;
        else if (c === 39) insq = true;
        else cur += String.fromCharCode(c);
      }
      p++;
    }
    out.push(cur);
  }
}
